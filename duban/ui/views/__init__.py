"""Pages of duban.ui: one module per role home page; :func:`home` sends each role to its own."""

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
