"""The navigation bar: one list, filtered per role by :func:`nav_items`.

Other helpers add their pages HERE (one line each) — keep labels short (2–4 characters, Chinese).
An entry whose URL name does not resolve (page not written yet) is skipped, never an error.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from duban.accounts import permissions
from duban.accounts.roles import LEADER, OFFICE, REPORTER, TASKFORCE

ALL = (OFFICE, TASKFORCE, REPORTER, LEADER)
STAFF = (OFFICE, TASKFORCE)

# ---- NAV: (label, url name, roles that see it) — edit this list to add a page to the menu ----
NAV: list[tuple[str, str, tuple[str, ...]]] = [
    ("本期待报", "ui:report_home", (REPORTER, OFFICE)),
    ("调度台", "ui:dashboard", (OFFICE, TASKFORCE, LEADER)),
    ("领导批示", "ui:leader", (LEADER, OFFICE)),
    ("方案", "plans:plan_list", ALL),
    ("报送日历", "ui:calendar", ALL),
    ("督办事项", "ui:assignments", ALL),
    ("督办单", "ui:notices", ALL),
    ("问题清单", "ui:problems", ALL),
    ("下载", "ui:downloads", (OFFICE, TASKFORCE, LEADER)),
    ("考核", "ui:assessment", (OFFICE, TASKFORCE, LEADER)),
    ("导入", "ui:import_upload", (OFFICE,)),
    ("单位", "ui:admin_units", (OFFICE,)),
    ("账号", "ui:admin_users", (OFFICE,)),
    ("公开进度", "ui:public", ALL),
]
# ---- end of NAV ----


def nav_items(request) -> list[dict]:
    """The menu entries ``request.user`` may see, with their URL and whether they are current."""
    user = request.user
    if not permissions.role_of(user):
        return []
    items = []
    for label, name, roles in NAV:
        if not permissions.has_role(user, *roles):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": label, "url": url, "name": name, "current": current})
    return items
