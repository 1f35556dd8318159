"""公开进度: the page anyone may read without logging in — campaigns and targets, no names of persons."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

from duban.audit.cache import DATA, cached
from duban.plans import clock
from duban.ui import overview


def summary() -> dict:
    """The public figures at the moment they are computed (a refresh may run in another process)."""
    return overview.public_summary(clock.now())


def _data() -> dict:
    return cached(("public",), DATA, summary, ttl=600)


def public_page(request):
    return render(request, "ui/public.html", {"d": _data()})


def public_api(request):
    return JsonResponse(_data(), json_dumps_params={"ensure_ascii": False})
