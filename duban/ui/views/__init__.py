"""Pages of duban.ui, one module per page area: the role homes (:mod:`~.report`, :mod:`~.dashboard`,
:mod:`~.leader`, :mod:`~.public`) and :mod:`~.auth`; the workbench — :mod:`~.plans` (plan browser),
:mod:`~.imports` (import wizard), :mod:`~.calendar`, :mod:`~.notices`, :mod:`~.assignments`,
:mod:`~.problems`, :mod:`~.downloads`, :mod:`~.assessment`, :mod:`~.admin`; :mod:`~.cascade` (上下级
pages). Shared helpers in :mod:`~.common`; templates under ``ui/templates/ui/<area>/``; URLs in
:mod:`duban.ui.urls` and :mod:`duban.ui.urls_workbench`. :func:`home` sends each role to its own home."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from duban.accounts import permissions
from duban.accounts.roles import LEADER, OFFICE, PUBLIC, REPORTER, TASKFORCE
from duban.ui.views import dashboard, leader, public, report


def home(request):
    """``/``: the role's home page rendered in place (no redirect, so the address stays ``/``)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    role = permissions.role_of(request.user)
    if role == REPORTER:
        return report.report_home(request)
    if role in (OFFICE, TASKFORCE):
        return dashboard.dashboard(request)
    if role == LEADER:
        return leader.leader_home(request)
    if role == PUBLIC:
        return public.public_page(request)
    return render(request, "ui/no_role.html")
