"""The navigation bar: one list, filtered by what the user's role may do (:func:`nav_items`).

Other helpers add their pages HERE (one line each) — keep labels short (2–4 characters, Chinese).
An entry whose URL name does not resolve (page not written yet) is skipped, never an error.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from duban.accounts import permissions
from duban.accounts.roles import ADMINISTER, INSTRUCT, OVERSEE, REPORT, WORK

# ---- NAV: (label, url name, the action whose roles see it) — edit this list to add a page to the menu ----
NAV: list[tuple[str, str, str]] = [
    ("本期待报", "ui:report_home", REPORT),
    ("调度台", "ui:dashboard", OVERSEE),
    ("领导批示", "ui:leader", INSTRUCT),
    ("方案", "plans:plan_list", WORK),
    ("报送日历", "ui:calendar", WORK),
    ("督办事项", "ui:assignments", WORK),
    ("督办单", "ui:notices", WORK),
    ("问题清单", "ui:problems", WORK),
    ("下载", "ui:downloads", OVERSEE),
    ("考核", "ui:assessment", OVERSEE),
    ("导入", "ui:import_upload", ADMINISTER),
    ("单位", "ui:admin_units", ADMINISTER),
    ("账号", "ui:admin_users", ADMINISTER),
    ("公开进度", "ui:public", WORK),
]
# ---- end of NAV ----


def nav_items(request) -> list[dict]:
    """The menu entries ``request.user`` may see, with their URL and whether they are current."""
    user = request.user
    if not permissions.role_of(user):
        return []
    items = []
    for label, name, action in NAV:
        if not permissions.may(user, action):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": label, "url": url, "name": name, "current": current})
    return items
