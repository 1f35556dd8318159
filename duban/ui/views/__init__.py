"""Pages of duban.ui: one module per role home page; :func:`home` sends each role to its own."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from duban.accounts import permissions
from duban.accounts.roles import LEADER, OFFICE, PUBLIC, REPORTER, TASKFORCE


def home(request):
    """``/``: the role's home page rendered in place (no redirect, so the address stays ``/``)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    from duban.ui.views import dashboard, leader, public, report

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
