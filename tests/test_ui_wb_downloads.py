"""Downloads and assessment (web): streamed .xlsx / .docx with RFC 5987 Chinese file names, formula
-safe cells, scope checks, the brief form's errors, and the ranking page with its rules and export."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from duban.accounts.roles import LEADER, OFFICE, REPORTER
from duban.plans.models import Plan, Task
from duban.supervision.actions import do_generate_notices
from tests.tracking_helpers import at
from tests.ui_wb_support import as_user, query_count, report, yuanjiang

pytestmark = pytest.mark.django_db


def workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def disposition_name(response) -> str:
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename*=utf-8''"), header
    return unquote(header.split("''", 1)[1])


def test_exports_stream_with_chinese_names(client):
    w = yuanjiang()
    report(w, narrative="=cmd|' /C calc'!A0", problems="+1+1")
    plan = w.task.plan
    as_user(client, w.users[OFFICE])
    table = client.get("/downloads/export/", {"plan": plan.pk, "kind": "责任分解表"})
    assert table.status_code == 200 and table.streaming
    assert disposition_name(table) == f"{plan.title}-责任分解表.xlsx"
    ws = workbook(table).active
    titles = {c.value for row in ws.iter_rows() for c in row if c.value}
    assert w.task.title in titles
    ledger = client.get("/downloads/export/", {"plan": plan.pk, "kind": "台账"})
    assert disposition_name(ledger) == f"{plan.title}-进展台账.xlsx"
    ws = workbook(ledger).active
    cells = [c for row in ws.iter_rows(min_row=3) for c in row]
    injected = next(c for c in cells if c.value == "=cmd|' /C calc'!A0")
    assert injected.data_type == "s" and injected.quotePrefix  # text, never a formula
    assert sum(1 for row in ws.iter_rows(min_row=3) if row[0].value) == 1  # one report, one row


def test_export_scope_and_errors(client):
    w = yuanjiang()
    plan = w.task.plan
    assert as_user(client, w.users[REPORTER]).get("/downloads/").status_code == 403
    assert as_user(client, w.users[LEADER]).get("/downloads/").status_code == 200
    bad_kind = client.get("/downloads/export/", {"plan": plan.pk, "kind": "工资表"})
    assert bad_kind.status_code == 400 and "不在可用的选项中" in bad_kind.content.decode()
    from duban.accounts.actions import Scope, do_add_user
    from duban.plans.actions import do_ingest_file
    from tests.conftest import sample_path

    do_ingest_file(sample_path("003"))
    foreign = Plan.objects.exclude(region=w.region).filter(tasks__active=True).first()
    refused = client.get("/downloads/export/", {"plan": foreign.pk, "kind": "责任分解表"})
    assert refused.status_code == 403
    everywhere = do_add_user("shi", OFFICE, Scope(), password="Duban-督办-2025!")
    assert (
        as_user(client, everywhere)
        .get("/downloads/export/", {"plan": foreign.pk, "kind": "责任分解表"})
        .status_code
        == 200
    )


def test_brief_form(client):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    plan = w.task.plan
    wrong = client.get(
        "/downloads/brief/", {"kind": "旬简报", "period": "2023-03", "plan": plan.pk, "number": 1}
    )
    assert wrong.status_code == 400 and "旬简报的期间须为一个旬" in wrong.content.decode()
    job = client.get(
        "/downloads/brief/", {"kind": "月通报", "period": "2023-03", "plan": plan.pk, "number": 3}
    )
    assert job.status_code == 302 and job["Location"].startswith("/jobs/")  # made by a background job
    docx = client.get(job["Location"] + "file/")
    assert docx.status_code == 200 and disposition_name(docx).endswith("工作推进情况的通报.docx")


def test_assessment_ranks_units_and_exports(client):
    w = yuanjiang()
    plan = w.task.plan
    report(w, when=at(2023, 3, 14))  # the lead unit on time, the co-unit never
    do_generate_notices([plan], date(2023, 3, 31))
    as_user(client, w.users[OFFICE])
    params = {"plan": plan.pk, "period": "2023Q1", "as_of": "2023-03-31"}
    page = client.get("/assessment/", params)
    assert page.status_code == 200
    html = page.content.decode()
    assert "按时报送 = " in html and "计分规则" in html
    result = page.context["result"]
    lead, co = result.facts[w.lead.name], result.facts[w.co.name]
    assert lead.on_time >= 1 and co.missing >= 1 and co.red >= 1
    scores = {s.unit: s for s in result.scores}
    assert scores[w.lead.name].total > scores[w.co.name].total
    ranks = [s.rank for s in result.scores if s.rank is not None]
    assert ranks == sorted(ranks)
    export = client.get("/assessment/export/", params)
    assert disposition_name(export).endswith("2023年第一季度考核排名.xlsx")
    ws = workbook(export).active
    units = [ws.cell(row=r, column=2).value for r in range(3, 3 + len(result.scores))]
    assert units == [s.unit for s in result.scores]
    bad = client.get("/assessment/", {"plan": plan.pk, "period": "明年"})
    assert bad.status_code == 400 and "无法识别" in bad.content.decode()
    assert as_user(client, w.users[REPORTER]).get("/assessment/").status_code == 403


def test_assessment_queries_are_bounded(client, django_assert_max_num_queries):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    plans = Plan.objects.filter(region=w.region, active=True).exclude(tasks=None)
    small = min(plans, key=lambda p: Task.objects.filter(plan=p).count())
    big = max(plans, key=lambda p: Task.objects.filter(plan=p).count())
    q = "&period=2023Q1&as_of=2023-03-31"
    for plan in (small, big):  # 9 and 85 tasks; the two extra queries of some plans load their cadence items
        with django_assert_max_num_queries(30):
            assert client.get(f"/assessment/?plan={plan.pk}{q}").status_code == 200
    assert query_count(client, f"/downloads/?plan={big.pk}") == query_count(
        client, f"/downloads/?plan={small.pk}"
    )


def test_assessment_year_view_averages_the_quarters(client):
    """A year asked: each quarter scored as on its own, the year score their mean (the default scheme)."""
    w = yuanjiang()
    plan = w.task.plan
    report(w, when=at(2023, 3, 14))
    as_user(client, w.users[OFFICE])
    page = client.get("/assessment/", {"plan": plan.pk, "period": "2023", "as_of": "2023-06-30"})
    assert page.status_code == 200
    year = page.context["year"]
    assert [q.code for q in year.quarters] == ["2023Q1", "2023Q2"]  # Q3, Q4 not begun on 06-30
    for q, quarter in enumerate(year.quarters):
        alone = client.get("/assessment/", {"plan": plan.pk, "period": quarter.code, "as_of": "2023-06-30"})
        for s in alone.context["result"].scores:
            assert year.by_quarter[s.unit][q] == s.total
    for s in year.scores:
        totals = [t for t in year.by_quarter[s.unit] if t is not None]
        assert s.total == (round(sum(totals) / len(totals), 2) if totals else None)
    ranked = [s.total for s in year.scores if s.total is not None]
    assert ranked == sorted(ranked, reverse=True)
    assert "年度汇总" in page.content.decode()
