"""Every URL × every role (and anonymous) against the declared table in tests/urltable.py.

A pattern without a declared rule fails the suite, so a new page cannot ship without its access
rule; object-level checks: unit A's reporter asking for unit B's task/report/notice, a task-force
office asking for another campaign's, a county office asking for another county's → 403.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.urltable import (
    COUNTY_OWN,
    EVERYONE,
    FOREIGN,
    ROLE_NAMES,
    ROLE_USERS,
    RULES,
    Rule,
    admin_superuser_outcome,
    is_admin,
    outcome,
    url_of,
    uses,
    walk,
)
from tests.webdata import build

ADMIN_OPEN = {
    "admin:login": Rule(allow=EVERYONE),
    "admin:logout": Rule(allow=EVERYONE, method="POST", login_redirect_ok=True),
}


@pytest.fixture
def web(db):
    return build()


def call(client: Client, user, rule: Rule | None, url: str):
    """One request as ``user`` (None: anonymous), logged in afresh (a logout URL may have ended it)."""
    client.logout()
    if user is not None:
        client.force_login(user)
    if rule is not None and rule.method == "POST":
        return client.post(url, rule.data)
    return client.get(url)


def rule_for(entry) -> Rule | None:
    """The declared rule, ADMIN_OPEN's for admin login/logout, None for other admin pages."""
    if entry.name in ADMIN_OPEN:
        return ADMIN_OPEN[entry.name]
    if is_admin(entry):
        return None
    return RULES[entry.name]


def expected(rule: Rule | None, role: str, entry, web) -> str:
    if rule is None:  # Django admin: superusers only
        return admin_superuser_outcome(entry, web.users["admin"]) if role == "s" else "deny"
    return "allow" if role == "s" or role in rule.allow else "deny"


def test_every_url_pattern_has_a_declared_rule():
    entries = walk()
    unnamed = [e.route for e in entries if not e.name and not is_admin(e)]
    assert not unnamed, f"URL 模式缺少 name（无法在权限表中声明）：{unnamed}"
    missing = [f"{e.name}  ({e.route})" for e in entries if not is_admin(e) and e.name not in RULES]
    assert not missing, "以下页面没有在 tests/urltable.py 的 RULES 中声明访问规则：\n" + "\n".join(missing)
    stale = sorted(set(RULES) - {e.name for e in entries})
    assert not stale, f"RULES 中有已不存在的 URL：{stale}"
    for name, rule in RULES.items():
        assert set(rule.allow) <= set(EVERYONE), f"{name}: 未知角色字母 {rule.allow}"
        assert rule.method in ("GET", "POST"), name


@pytest.mark.django_db
def test_every_url_as_every_role(web):
    """Each role and an anonymous visitor get exactly the declared outcome on every URL."""
    client = Client()
    failures, seen = [], 0
    for role, username in ROLE_USERS.items():
        user = web.users[username] if username else None
        for entry in walk():
            if not entry.name or (entry.name not in RULES and not is_admin(entry)):
                continue  # admin's catch-all; undeclared pages fail the test above
            rule = rule_for(entry)
            url = url_of(entry, rule, web.objects)
            got = outcome(call(client, user, rule, url), rule is not None and rule.login_redirect_ok)
            seen += 1
            want = expected(rule, role, entry, web)
            if got != want:
                failures.append(f"{ROLE_NAMES[role]:<6} {entry.name:<40} {url}: 应为 {want}，实际 {got}")
    assert seen > 7 * len(RULES)
    assert not failures, f"{len(failures)} 处访问结果与声明不符：\n" + "\n".join(failures)


@pytest.mark.django_db
def test_object_level_refusals(web):
    """Allowed on its own objects, refused (403) on another unit's / campaign's / county's."""
    client = Client()
    failures, checked = [], []
    roles = {"rep_a": "r", "taskforce": "t", "county": "o"}
    for username, swap in FOREIGN.items():
        user = web.users[username]
        for entry in walk():
            rule = RULES.get(entry.name)
            if rule is None or roles[username] not in rule.allow or not uses(rule, swap):
                continue
            url = url_of(entry, rule, web.objects, swap)
            response = call(client, user, rule, url)
            checked.append((username, entry.name))
            if response.status_code != 403:
                failures.append(f"{username} {entry.name} {url}: 应为 403，实际 {response.status_code}")
    county = web.users["county"]
    for entry in walk():
        rule = RULES.get(entry.name)
        if rule is None or "o" not in rule.allow or not uses(rule, COUNTY_OWN):
            continue
        url = url_of(entry, rule, web.objects, COUNTY_OWN)
        got = outcome(call(client, county, rule, url))
        if got != "allow":
            failures.append(f"county(本县) {entry.name} {url}: 应为 allow，实际 {got}")
    assert {u for u, _ in checked} == set(FOREIGN), checked  # each scoped user was really tried
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_reporter_cannot_post_a_report_for_another_unit(web):
    """The report form of unit B's task refuses unit A's reporter and stores nothing."""
    from duban.tracking.models import ProgressReport

    rule = RULES["ui:report_task"]
    entry = next(e for e in walk() if e.name == "ui:report_task")
    url = url_of(entry, rule, web.objects, {"task": "task_b"})
    before = ProgressReport.objects.count()
    client = Client()
    client.force_login(web.users["rep_a"])
    task_b = web.objects["task_b"]
    response = client.post(
        url,
        {
            f"t{task_b.pk}-unit": web.unit_b.pk,
            f"t{task_b.pk}-narrative": "越权报送",
            f"t{task_b.pk}-percent": "50",
            f"t{task_b.pk}-status": "正常推进",
        },
    )
    assert response.status_code == 403
    assert ProgressReport.objects.count() == before


@pytest.mark.django_db
def test_the_alignment_page_is_scoped(web):
    """Lower-level plans of one's own scope against upper-level plans of one's scope or a region above;
    a county never opens a sibling county's plan there, a 专班 only its campaign's plans."""
    plan, plan_xs, plan_yj = (web.objects[k] for k in ("plan", "plan_xs", "plan_yj"))
    cases = [
        ("office", plan_xs, plan, 200),  # the city: its county against itself
        ("county", plan_xs, plan, 200),  # 新邵县: its plan against the city's
        ("county", plan_yj, plan, 403),  # 沅江市's plan as the lower one
        ("county", plan_xs, plan_yj, 403),  # 沅江市 is not above 新邵县
        ("taskforce", plan_xs, plan, 403),  # a county plan not under its campaign
        ("leader", plan_xs, plan, 200),
    ]
    client = Client()
    got = []
    for username, child, parent, _ in cases:
        response = call(client, web.users[username], None, f"/cascade/align/?child={child.pk}&parent={parent.pk}")
        got.append(response.status_code)
        if response.status_code == 200:
            assert "下级" in response.content.decode()
    assert got == [want for *_, want in cases]
    client.force_login(web.users["county"])
    listed = {p.pk for p in client.get("/cascade/align/").context["linked"]}
    assert listed <= {p.pk for p in web.objects["plan_xs"].region.plans.all()}


class _Missing:
    pk = 987_654_321


@pytest.mark.django_db
def test_anonymous_visitors_learn_nothing_from_ids(web):
    """An object page answers an anonymous visitor the same (to the login page) for an existing and a
    missing id, so ids cannot be probed without an account."""
    client = Client()
    checked, failures = set(), []
    for entry in walk():
        rule = RULES.get(entry.name)
        if rule is None or "a" in rule.allow or not rule.kwargs:
            continue
        missing = {ref: _Missing() for ref in rule.refs()}
        urls = (url_of(entry, rule, web.objects), url_of(entry, rule, {**web.objects, **missing}))
        answers = []
        for url in urls:
            r = call(client, None, rule, url)
            answers.append((r.status_code, r.get("Location", "").split("?")[0]))
        checked.add(entry.name)
        if answers[0] != answers[1] or answers[0][0] != 302:
            failures.append(f"{entry.name}: 存在 {answers[0]}，不存在 {answers[1]}")
    assert len(checked) > 10 and "plans:task" in checked
    assert not failures, "\n".join(failures)
