"""Template context of every page: the role menu, the user's role label, what the role may do and the
demo date (if set)."""

from __future__ import annotations

from functools import cache

from django.contrib.staticfiles import finders

from duban.accounts import permissions
from duban.accounts.roles import ACTIONS, label
from duban.plans import clock
from duban.ui.nav import nav_items

ECHARTS = "vendor/echarts.min.js"  # fetched by `make setup` (not in git); pages fall back to tables


@cache
def echarts_available() -> bool:
    return finders.find(ECHARTS) is not None


def shell(request) -> dict:
    role = permissions.role_of(request.user)
    return {
        "nav": nav_items(request),
        "user_role": role,
        "user_role_label": label(role) if role else "",
        "user_may": {a for a in ACTIONS if permissions.may(request.user, a)},  # {% if "administer" in user_may %}
        "echarts": echarts_available(),
        "demo_date": clock.demo_date(),
    }
