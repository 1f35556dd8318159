"""Small helpers shared by the UI views."""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied

from duban.accounts.backends import ProfileBackend
from duban.plans import clock
from duban.plans.periods import local_datetime, to_local


def viewer(user_id: int):
    """The user whose page figures are computed, read by id: the figures' compute carries the id,
    not the request, since the task queue's worker may run it later (duban.audit.cache)."""
    user = ProfileBackend().get_user(user_id)
    if user is None:
        raise PermissionDenied(f"用户 {user_id} 不存在或已停用")
    return user


def as_of_pinned(request) -> bool:
    """Whether the page was asked for a given day (``?as_of=``) rather than for now."""
    value = (request.GET.get("as_of") or "").strip()
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def as_of_param(request) -> tuple[datetime, str]:
    """``?as_of=YYYY-MM-DD`` (end of that day) or now; returns (moment, error message or '')."""
    value = (request.GET.get("as_of") or "").strip()
    if not value:
        return to_local(clock.now()), ""
    try:
        return local_datetime(date.fromisoformat(value), time(23, 59, 59)), ""
    except ValueError:
        return to_local(
            clock.now()
        ), f"日期“{value}”格式不对，应为 YYYY-MM-DD（如 2026-03-31），已按现在显示"
