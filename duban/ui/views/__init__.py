"""Pages of duban.ui, one module per page area: the role homes (:mod:`~.report`, :mod:`~.dashboard`,
:mod:`~.leader`, :mod:`~.public`) and :mod:`~.auth`; the workbench — :mod:`~.plans` (plan browser),
:mod:`~.imports` (import wizard), :mod:`~.calendar`, :mod:`~.notices`, :mod:`~.assignments`,
:mod:`~.problems`, :mod:`~.downloads`, :mod:`~.assessment`, :mod:`~.admin`; :mod:`~.cascade` (上下级
pages). Shared helpers in :mod:`~.common`; templates under ``ui/templates/ui/<area>/``; URLs in
:mod:`duban.ui.urls` and :mod:`duban.ui.urls_workbench`. :func:`home` sends each role to its own home."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import resolve, reverse

from duban.accounts import permissions


def home(request):
    """``/``: the role's home page (its ``home`` in duban.accounts.roles.ROLES) rendered in place (no
    redirect, so the address stays ``/``)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    entry = permissions.role_entry(request.user)
    if entry is None:
        return render(request, "ui/no_role.html")
    return resolve(reverse(entry.home)).func(request)
