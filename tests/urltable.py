"""The declared access table: every URL pattern of the project, who may open it, how to fill it.

``walk()`` lists every pattern of the URL conf (recursively, with namespaces). ``RULES`` declares,
for each named pattern, the roles allowed on it and where its kwargs come from (named objects of
:mod:`tests.webdata`). A pattern missing from ``RULES`` makes tests/test_urls_roles.py fail: a new
page must come with its access rule. Django admin patterns follow one rule (superuser only).

Role letters: o 督查室 (office of 邵阳市), t 专班办公室 (its campaign), r 单位填报员 (unit A),
l 领导, p 公众 (a logged-in public account), a anonymous. Superusers are always allowed.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLE_USERS = {
    "o": "office",
    "t": "taskforce",
    "r": "rep_a",
    "l": "leader",
    "p": "public",
    "a": None,
    "s": "admin",
}
ROLE_NAMES = {
    "o": "督查室",
    "t": "专班办公室",
    "r": "单位填报员",
    "l": "领导",
    "p": "公众",
    "a": "未登录",
    "s": "超级用户",
}
SIGNED_IN = "otrl"  # the four working roles
EVERYONE = "otrlpa"


@dataclass(frozen=True)
class Rule:
    """``allow``: role letters; ``kwargs``: URL kwarg -> object name in WebData.objects, or '=literal';
    ``query``: a query string; ``method``: GET or POST (POST sends ``data``, normally empty: an
    allowed role gets a form error or a redirect, a refused one 403 or the login page);
    ``count``: include in the query-count comparison (GET pages only);
    ``max_queries``: a declared bound instead of 'same on small and large data';
    ``slack``: extra queries allowed on the large data for a reason bounded by a depth, not a size."""

    allow: str
    kwargs: dict = field(default_factory=dict)
    query: str = ""
    method: str = "GET"
    data: dict = field(default_factory=dict)
    count: bool = True
    max_queries: int | None = None
    slack: int = 0  # queries the large database may add, each with its bounded reason in RULES
    login_redirect_ok: bool = False  # logout: being sent to the login page is the page's job

    def refs(self) -> set[str]:
        """Object names the URL uses (kwargs and ``{name}`` fields of the query string)."""
        names = {ref for ref in self.kwargs.values() if not ref.startswith("=")}
        return names | {f for _, f, _, _ in string.Formatter().parse(self.query) if f}


# One expansion of group units (各县市区人民政府, 各成员单位 → their member units, duban/plans/members.py):
# a fixed handful of queries that run only where group assignments exist, as on the large data (a city
# with counties below); bounded by the depth of the region tree, not by the number of tasks.
GROUPS = 7

RULES: dict[str, Rule] = {
    # ---- shell, login, role homes (duban/ui/urls.py) ----
    "ui:home": Rule(allow="otrlp", slack=GROUPS),
    "ui:login": Rule(allow=EVERYONE, count=False),
    "ui:logout": Rule(allow=EVERYONE, method="POST", login_redirect_ok=True),
    "ui:report_home": Rule(allow="or", slack=GROUPS),
    "ui:report_task": Rule(allow="or", kwargs={"pk": "task"}, slack=GROUPS),
    "ui:dashboard": Rule(allow="otl"),
    "ui:leader": Rule(allow="ol"),
    "ui:instruct": Rule(allow="ol", kwargs={"pk": "task"}, method="POST"),
    "ui:public": Rule(allow=EVERYONE),
    "ui:api_dashboard": Rule(allow="otl"),
    "ui:api_public": Rule(allow=EVERYONE),
    # ---- plan browser (duban/ui/urls_workbench.py; historical plans:* names) ----
    "plans:plan_list": Rule(allow=SIGNED_IN, slack=GROUPS),
    # +1: the cadences of the plans above the campaign's (one query per plan-tree level, ≤ 3 levels)
    "plans:campaign": Rule(allow=SIGNED_IN, kwargs={"pk": "campaign"}, slack=1 + GROUPS),
    "plans:plan": Rule(allow=SIGNED_IN, kwargs={"pk": "plan"}, slack=GROUPS),
    "plans:programme": Rule(allow=SIGNED_IN, kwargs={"pk": "programme"}, slack=GROUPS),
    "plans:programme_compare": Rule(allow="otl", kwargs={"pk": "programme"}, slack=GROUPS),
    "plans:tasks": Rule(allow=SIGNED_IN, slack=GROUPS),
    "plans:task": Rule(allow=SIGNED_IN, kwargs={"pk": "task"}, slack=2 * GROUPS),  # GROUPS twice (the task's units, the reader's) and the members' roll-up
    "plans:task_units": Rule(allow="o", kwargs={"pk": "task"}, method="POST"),  # 手工分配责任单位
    # ---- import wizard: 督查室 only (an unknown token sends the office back to the upload page) ----
    "ui:import_upload": Rule(allow="o"),
    "ui:import_done": Rule(allow="o", count=False),
    "ui:import_preview": Rule(allow="o", kwargs={"token": "=no-such-token"}, count=False),
    "ui:import_confirm": Rule(allow="o", kwargs={"token": "=no-such-token"}, method="POST"),
    "ui:import_cancel": Rule(allow="o", kwargs={"token": "=no-such-token"}, method="POST"),
    # ---- calendar, 督办单, 问题清单 ----
    "ui:calendar": Rule(allow=SIGNED_IN, slack=2 * GROUPS),  # the reporter's units and the due items' units
    "ui:assignments": Rule(allow=SIGNED_IN),
    "ui:assignment_create": Rule(allow="ot", method="POST"),  # empty form: the list with its errors
    "ui:assignment": Rule(allow=SIGNED_IN, kwargs={"pk": "assignment"}),
    "ui:assignment_sign": Rule(allow="r", kwargs={"pk": "assignment"}, method="POST"),  # the unit itself
    "ui:report_return": Rule(allow="ot", kwargs={"pk": "report"}, method="POST"),  # no reason: back to the task
    "ui:notices": Rule(allow=SIGNED_IN),
    "ui:notices_generate": Rule(allow="o", method="POST"),
    "ui:notice": Rule(allow=SIGNED_IN, kwargs={"pk": "notice"}),
    "ui:notice_sign": Rule(allow="otr", kwargs={"pk": "notice"}, method="POST"),
    "ui:notice_feedback": Rule(allow="otr", kwargs={"pk": "notice"}, method="POST"),
    "ui:notice_close": Rule(allow="ot", kwargs={"pk": "notice"}, method="POST"),
    "ui:problems": Rule(allow=SIGNED_IN, slack=GROUPS),
    # +1: a city campaign's task force walks one more level of regions than a county one's
    "ui:problem": Rule(allow=SIGNED_IN, kwargs={"pk": "problem"}, slack=1 + GROUPS),
    "ui:problem_assign": Rule(allow="ot", kwargs={"pk": "problem"}, method="POST"),
    "ui:problem_resolve": Rule(allow="ot", kwargs={"pk": "problem"}, method="POST"),
    "ui:problem_close": Rule(allow="ot", kwargs={"pk": "problem"}, method="POST"),
    # ---- downloads, 考核 ----
    "ui:downloads": Rule(allow="otl"),
    "ui:download_export": Rule(allow="otl", query="plan={plan}&kind=责任分解表", count=False),
    "ui:download_brief": Rule(
        allow="otl", query="kind=月通报&period=2023-03&plan={plan}&number=1", count=False
    ),
    # +4: a city plan's 各县市区人民政府 expands to the county governments (regions, units, aliases and the
    # plan tree loaded once each, duban/plans/members.py), which a county plan never needs
    "ui:brief_page": Rule(allow="otl", query="kind=月通报&period=2023-03&plan={plan}&number=1", slack=4),
    "ui:assessment": Rule(allow="otl", slack=GROUPS),
    "ui:assessment_export": Rule(allow="otl", count=False),
    # ---- background jobs (duban/jobs): their owner only (the office's brief job, tests/webdata.py) ----
    "jobs:job": Rule(allow="o", kwargs={"pk": "job"}),
    "jobs:file": Rule(allow="o", kwargs={"pk": "job"}, count=False),
    # ---- units and accounts administration: 督查室 only ----
    "ui:admin_units": Rule(allow="o"),
    "ui:admin_unit_merge": Rule(allow="o", method="POST"),
    "ui:admin_unit_alias": Rule(allow="o", method="POST"),
    "ui:admin_users": Rule(allow="o"),
    "ui:admin_user_active": Rule(allow="o", kwargs={"pk": "spare_user"}, method="POST", data={"active": "1"}),
    # ---- cascade ----
    # needs 000+003; a 专班 aligns only the plans of its campaign or linked below them (tests/test_urls_roles.py)
    "cascade:align": Rule(allow="ol", query="child=新邵县&parent=邵阳市", count=False),
    "cascade:rollup": Rule(allow="ol", kwargs={"pk": "region"}, slack=GROUPS),  # 邵阳市's counties side by side
    # ---- operations ----
    "ping": Rule(allow=EVERYONE),  # the trivial baseline view of `duban bench` (no data, no session)
}

# Object-level refusals: for these users, a URL whose kwargs name the left object, filled with the
# right one instead, must be refused (403) although the role may open the page for its own objects.
FOREIGN = {
    "rep_a": {
        "task": "task_b",
        "report": "report_b",
        "notice": "notice_b",
        "problem": "problem_b",
        "assignment": "assignment_b",
    },  # unit B's
    "taskforce": {"task": "task_yj", "plan": "plan_yj", "campaign": "campaign_yj"},  # another campaign
    "county": {"task": "task_yj", "plan": "plan_yj", "campaign": "campaign_yj"},  # 新邵县 -> 沅江市
}
# ...and the county office may open its own county's objects (same pages, allowed for 'o').
COUNTY_OWN = {"task": "task_xs", "plan": "plan_xs", "campaign": "campaign_xs"}


@dataclass(frozen=True)
class Entry:
    name: str  # 'namespace:name'
    route: str  # the pattern text, for messages
    kwargs: tuple[str, ...]


def _names(pattern) -> tuple[str, ...]:
    regex = pattern.pattern.regex
    return tuple(regex.groupindex)


def walk(patterns=None, prefix: str = "", namespace: str = "", kwargs: tuple = ()) -> list[Entry]:
    """Every URL pattern under ``patterns`` (default: the root URL conf), depth first."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    out = []
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            out += walk(p.url_patterns, route, ns, kwargs + _names(p))
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            out.append(Entry(name, route, kwargs + _names(p)))
    return out


def is_admin(entry: Entry) -> bool:
    return entry.name.startswith("admin:") or entry.route.startswith("admin/")


def admin_kwargs(entry: Entry) -> dict:
    """Concrete kwargs for a Django admin pattern: a real object of the model the name points at."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from duban.plans.models import Task

    out = {}
    model = None
    for m in apps.get_models():
        stem = f"admin:{m._meta.app_label}_{m._meta.model_name}_"
        if entry.name.startswith(stem):
            model = m
    for kw in entry.kwargs:
        if kw == "app_label":
            out[kw] = "plans"
        elif kw == "content_type_id":
            out[kw] = ContentType.objects.get_for_model(Task).pk
        elif kw == "object_id" and entry.name == "admin:view_on_site":
            out[kw] = Task.objects.order_by("pk").first().pk
        elif kw in ("object_id", "id"):
            obj = model.objects.order_by("pk").first() if model is not None else None
            out[kw] = obj.pk if obj is not None else 1
        else:
            out[kw] = "x"
    return out


ADMIN_ACTIONS = {
    "add": "add",
    "delete": "delete",
    "change": "view",  # a read-only ModelAdmin serves its change page as a view page
    "changelist": "view",
    "history": "view",
}


def admin_superuser_outcome(entry: Entry, superuser) -> str:
    """What a superuser gets on an admin page: refused where the ModelAdmin refuses everyone
    (the audit trail and delivery logs are read-only by design), 404 for 'view on site' of a
    model without pages of its own, the page otherwise."""
    from django.apps import apps
    from django.contrib import admin
    from django.test import RequestFactory

    if entry.name == "admin:autocomplete":
        return "deny"  # PermissionDenied without app_label/model_name/field_name parameters
    if entry.name == "admin:view_on_site":
        return "HTTP 404"  # tasks have no get_absolute_url
    for m in apps.get_models():
        stem = f"admin:{m._meta.app_label}_{m._meta.model_name}_"
        action = ADMIN_ACTIONS.get(entry.name[len(stem) :]) if entry.name.startswith(stem) else None
        if action and m in admin.site._registry:
            request = RequestFactory().get("/admin/")
            request.user = superuser
            model_admin = admin.site._registry[m]
            obj = m.objects.order_by("pk").first()
            if action == "add":
                ok = model_admin.has_add_permission(request)
            elif action == "view":
                ok = model_admin.has_view_or_change_permission(request)
            else:
                ok = getattr(model_admin, f"has_{action}_permission")(request, obj)
            return "allow" if ok else "deny"
    return "allow"


def fill(rule: Rule, objects: dict, swap: dict | None = None) -> dict:
    """The rule's kwargs with object names replaced by primary keys (``swap`` renames objects first)."""
    out = {}
    for kw, ref in rule.kwargs.items():
        if ref.startswith("="):
            out[kw] = ref[1:]
        else:
            obj = objects[(swap or {}).get(ref, ref)]
            out[kw] = obj.pk
    return out


def url_of(entry: Entry, rule: Rule | None, objects: dict, swap: dict | None = None) -> str:
    if rule is None:  # admin
        return reverse(entry.name, kwargs=admin_kwargs(entry))
    url = reverse(entry.name, kwargs=fill(rule, objects, swap))
    if not rule.query:
        return url
    pks = {name: objects[(swap or {}).get(name, name)].pk for name in rule.refs()}
    return f"{url}?{rule.query.format(**pks)}"


def uses(rule: Rule, names: dict) -> bool:
    """Does the rule's URL name one of the objects in ``names``?"""
    return bool(rule.refs() & set(names))


def login_paths() -> tuple[str, ...]:
    from django.conf import settings
    from django.shortcuts import resolve_url

    return (resolve_url(settings.LOGIN_URL), "/admin/login/")


def outcome(response, login_redirect_ok: bool = False) -> str:
    """'allow', 'deny' (403 or sent to log in) or a description of anything else (404, 500 …)."""
    code = response.status_code
    if code == 403:
        return "deny"
    if code in (301, 302, 303):
        location = response["Location"].split("?")[0]
        return "deny" if location.endswith(login_paths()) and not login_redirect_ok else "allow"
    if code in (200, 204, 400):  # 400: the view answered the (empty) form itself
        return "allow"
    return f"HTTP {code}"
