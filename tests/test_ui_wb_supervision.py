"""Calendar, 督办单 and 问题清单 pages (web): scope per role, the lifecycle as POST forms calling the
supervision actions (签收 → 反馈 → 办结), refused steps changing nothing, the check button."""

from __future__ import annotations

import re
from datetime import date

import pytest

from duban.accounts.roles import LEADER, OFFICE, REPORTER, TASKFORCE
from duban.audit.models import AuditEntry
from duban.supervision import lifecycle
from duban.supervision.actions import do_generate_notices, do_issue_notice, do_record_problems
from duban.supervision.models import Notice, NoticeEvent, Problem
from duban.tracking.calendar import due_items
from tests.tracking_helpers import at
from tests.ui_wb_support import as_user, query_count, report, yuanjiang

pytestmark = pytest.mark.django_db


def test_calendar_by_month_and_dekad_per_role(client):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    month = client.get("/calendar/", {"month": "2023-03"})
    assert month.status_code == 200
    plans = [p.pk for p in w.task.plan.region.plans.filter(active=True)]
    expected = due_items(plans, date(2023, 3, 1), date(2023, 3, 31))
    assert month.context["count"] == len(expected) > 0
    dekad = client.get("/calendar/", {"month": "2023-03", "dekad": "中旬"})
    days = [d["day"] for d in dekad.context["days"]]
    assert days and all(date(2023, 3, 11) <= d <= date(2023, 3, 20) for d in days)
    assert date(2023, 3, 15) in days  # 每季度末月中旬: the quarterly report is due on 15 March
    # a reporter sees only what its own unit owes, with its tasks listed
    mine = as_user(client, w.users[REPORTER]).get("/calendar/", {"month": "2023-03"})
    rows = [r for d in mine.context["days"] for r in d["rows"]]
    assert rows and all(r["item"].reporting and w.lead.pk in r["item"].unit_tasks for r in rows)
    assert any(w.task.pk == pk for r in rows for pk, _ in r["my_tasks"])
    assert mine.context["count"] < month.context["count"]
    bad = client.get("/calendar/", {"month": "2023-13"})
    assert bad.status_code == 200 and "格式不对" in bad.content.decode()


def test_notice_lifecycle_through_the_pages(client):
    w = yuanjiang()
    notice = do_issue_notice(
        w.task, color="red", reason="2023年第一季度进展逾期未报", units=[w.lead], user=w.users[OFFICE]
    )
    url = f"/notices/{notice.pk}/"
    # the addressed unit sees it; a unit not addressed does not; the leader reads it
    as_user(client, w.users[REPORTER])
    listed = client.get("/notices/")
    assert notice in list(listed.context["page"])
    page = client.get(url)
    assert page.context["can_sign"] and not page.context["can_close"]
    # 反馈 before 签收 is refused with the action's message, nothing written
    events = NoticeEvent.objects.count()
    early = client.post(url + "feedback/", {"text": "已组织整改"})
    assert early.status_code == 400 and "尚未签收" in early.content.decode()
    assert NoticeEvent.objects.count() == events
    # an empty 反馈 re-renders the form
    assert client.post(url + "sign/").status_code == 302
    empty = client.post(url + "feedback/", {"text": ""})
    assert empty.status_code == 400 and "请检查填写的内容" in empty.content.decode()
    assert client.post(url + "feedback/", {"text": "已组织整改，3月20日补报"}).status_code == 302
    notice.refresh_from_db()
    assert notice.state == lifecycle.ANSWERED
    # the reporter cannot 办结; the office can
    assert client.post(url + "close/", {"note": ""}).status_code == 403
    as_user(client, w.users[LEADER])
    assert client.get(url).status_code == 200 and not client.get(url).context["can_sign"]
    as_user(client, w.users[OFFICE])
    assert client.post(url + "close/", {"note": "已补报，办结"}).status_code == 302
    notice.refresh_from_db()
    assert notice.state == lifecycle.CLOSED
    steps = list(notice.events.order_by("at", "id").values_list("step", flat=True))
    assert steps == ["issue", "sign", "feedback", "close"]
    assert (
        AuditEntry.objects.filter(action="notice.close", object_id=str(notice.pk)).get().actor
        == w.users[OFFICE]
    )
    again = client.post(url + "close/", {"note": "再办结"})
    assert again.status_code == 400 and "已办结" in again.content.decode()


def test_generate_button_is_for_the_office_and_idempotent(client):
    w = yuanjiang()
    for role in (REPORTER, LEADER, TASKFORCE):
        assert (
            as_user(client, w.users[role]).post("/notices/generate/", {"as_of": "2023-03-31"}).status_code
            == 403
        )
    assert Notice.objects.count() == 0
    as_user(client, w.users[OFFICE])
    form = client.get("/notices/").content.decode()
    assert re.search(r'<input type="date" name="as_of" value="\d{4}-\d{2}-\d{2}"', form)  # ISO, as browsers need
    assert client.post("/notices/generate/", {"as_of": "2023-03-31"}).status_code == 302
    issued = Notice.objects.count()
    assert issued > 0
    client.post("/notices/generate/", {"as_of": "2023-03-31"})
    assert Notice.objects.count() == issued
    bad = client.post("/notices/generate/", {"as_of": "31/03/2023"}, follow=True)
    assert "检查日期" in bad.content.decode()
    # reporters see only the notices addressed to their unit
    reporter_page = as_user(client, w.users[REPORTER]).get("/notices/", {"state": ""})
    shown = list(reporter_page.context["page"])
    assert shown and all(w.lead in n.units.all() for n in shown)


def test_problem_list_assign_resolve_close(client):
    w = yuanjiang()
    raised = report(w, unit=w.co, problems="征地拆迁资金缺口较大", needs="请市财政局协调资金")
    problem = do_record_problems(raised)
    url = f"/problems/{problem.pk}/"
    as_user(client, w.users[REPORTER])
    assert problem in list(client.get("/problems/").context["page"])
    assert not client.get(url).context["can_assign"]
    assert client.post(url + "resolve/", {"note": "x"}).status_code == 403
    as_user(client, w.users[OFFICE])
    missing = client.post(url + "assign/", {"note": "请协调"})
    assert missing.status_code == 400 and Problem.objects.get(pk=problem.pk).state == lifecycle.PENDING
    assert client.post(url + "assign/", {"assignee": w.lead.pk, "note": "请牵头单位协调"}).status_code == 302
    problem.refresh_from_db()
    assert (problem.state, problem.assignee) == (lifecycle.COORDINATING, w.lead)
    assert client.post(url + "resolve/", {"note": "已拨付资金"}).status_code == 302
    assert client.post(url + "close/", {"note": ""}).status_code == 302
    problem.refresh_from_db()
    assert problem.state == lifecycle.PROBLEM_CLOSED
    assert client.get("/problems/").context["page"].paginator.count == 0  # closed ones leave the open list
    assert client.get("/problems/", {"state": "closed"}).context["page"].paginator.count == 1


def test_list_pages_run_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    do_generate_notices(list(w.region.plans.all()), date(2023, 3, 10))
    first = Notice.objects.count()
    query_count(client, "/notices/?state=")  # warm: the user and the structure are read once per process
    few = query_count(client, "/notices/?state=")
    do_generate_notices(list(w.region.plans.all()), date(2023, 3, 31))
    assert Notice.objects.count() > max(100, first) and first > 0
    assert query_count(client, "/notices/?state=") == few
    notice = Notice.objects.first()
    for url in ("/notices/", f"/notices/{notice.pk}/", "/problems/", "/calendar/?month=2023-03"):
        with django_assert_max_num_queries(15):  # +3: group-unit membership (plans.members)
            assert client.get(url).status_code == 200
    assert at  # the helper module's clock is the one the reports use
