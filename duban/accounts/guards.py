"""Decorators that enforce the permission helpers on views and API calls.

A refused request gets 403 with a Chinese message (JSON ``{"error": …}`` for API calls); an
anonymous visitor of a page is sent to the login page first. Checks run on the server for every
request, whatever the page showed.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseForbidden, JsonResponse
from django.template.loader import render_to_string

from duban.accounts import permissions
from duban.accounts.roles import label, roles_that
from duban.audit.cache import STRUCTURE, cached
from duban.plans.models import Task

NOT_LOGGED_IN = "请先登录"
NO_ROLE = "您的账号没有访问此页面的权限"


def wants_json(request) -> bool:
    """API calls (paths under /api/, or asking for JSON) get JSON errors, pages get HTML."""
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def forbidden(request, message: str):
    """A 403 response carrying ``message`` (Chinese), as JSON or as a page."""
    if wants_json(request):
        return JsonResponse({"error": message}, status=403, json_dumps_params={"ensure_ascii": False})
    html = render_to_string("accounts/forbidden.html", {"message": message}, request=request)
    return HttpResponseForbidden(html)


def _refuse(request, message: str):
    if not request.user.is_authenticated and not wants_json(request):
        return redirect_to_login(request.get_full_path())
    return forbidden(request, NOT_LOGGED_IN if not request.user.is_authenticated else message)


def allowed_to(action: str):
    """Only users whose role may do ``action`` (an action of duban.accounts.roles; superusers always)
    may call the view."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not permissions.may(request.user, action):
                names = "、".join(label(r) for r in roles_that(action))
                return _refuse(request, f"{NO_ROLE}（需要：{names}）")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


CHECK_MESSAGES = {
    permissions.can_view_task: "您无权查看此任务",
    permissions.can_report: "您无权报送此任务的进展（只能报送本单位承担的任务）",
    permissions.can_instruct: "只有本地区的领导或督查室可以对任务作出批示",
    permissions.can_supervise: "您无权对此任务督办",
    permissions.can_assign_units: "只有任务所在地区的督查室可以分配责任单位",
}


def load_task(pk) -> Task:
    """The task ``pk`` with its plan and assignments, for the view to check and use (404 if none).

    A task, its plan and its units are plan structure: read once per process and structure version
    (``duban.audit.cache``), a private copy for each request (a view may change it), and a change
    by anyone is seen at once. Saves the
    two queries of every task page and report submission (docs/benchmarks-history.md, 第七轮).
    """
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("没有这项任务") from None

    def read() -> Task | None:
        return Task.objects.select_related("plan").prefetch_related("assignments").filter(pk=pk).first()

    task = cached(("task", pk), STRUCTURE, read, private=True)
    if task is None:
        raise Http404("没有这项任务")
    return task


def task_permission(check=permissions.can_view_task, *, url_kwarg: str = "pk"):
    """Load the task named by ``url_kwarg``, refuse unless ``check(user, task)``, pass it as ``task``.

    The view is called as ``view(request, *args, task=task, **other_kwargs)``.
    """
    message = CHECK_MESSAGES.get(check, NO_ROLE)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:  # before the lookup: existing and missing ids look alike
                return _refuse(request, message)
            task = load_task(kwargs.pop(url_kwarg))
            if not check(request.user, task):
                return _refuse(request, message)
            return view(request, *args, task=task, **kwargs)

        return wrapped

    return decorator
