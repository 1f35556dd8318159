"""Briefs built from the stored data: the simulated quarter of the real 沅江市 plan (sample 001), each kind of
brief generated, opened with python-docx, and every figure compared with the database counted here.

The reporting figures are counted from the season's own schedule (which report was owed when) and the
stored reports; statuses from the tracking rule at the period's end; problems from their recorded steps.
"""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.accounts.actions import Scope, do_add_user
from duban.accounts.roles import OFFICE, REPORTER
from duban.assessment.scoring import competition_ranks
from duban.briefs.collect import collect
from duban.briefs.content import STATUSES, BriefError, BriefRequest
from duban.briefs.pdf import soffice
from duban.briefs.render_docx import render
from duban.plans.actions import do_ingest_file
from duban.plans.lookup import find_plans, find_programme
from duban.plans.models import Campaign, Plan, Target, Task
from duban.plans.periods import parse_period
from duban.plans.programmes import programme_plans, programme_subject
from duban.supervision import lifecycle
from duban.supervision.actions import do_close_problem, do_record_problems, plan_tasks
from duban.supervision.models import Problem
from duban.supervision.simulate import SILENT, simulate
from duban.tracking.actions import do_record_actuals, do_submit_report
from duban.tracking.models import LAGGING, OVERDUE, ProgressReport
from duban.tracking.progress import LIGHT_LABELS, target_progress
from duban.tracking.status import task_states
from tests.conftest import sample_path
from tests.tracking_helpers import at

pytestmark = pytest.mark.django_db

START, END = date(2023, 1, 1), date(2023, 3, 31)
PLAN = "科技创新"  # 沅江市打好科技创新攻坚仗工作方案: monthly reports, 9 tasks, 7 targets
PASSWORD = "Duban-督办-2025!"
KINDS = [("旬简报", "2023-02上旬"), ("月通报", "2023-03"), ("季总结", "2023Q1"), ("年总结", "2023")]


@pytest.fixture
def season():
    do_ingest_file(sample_path("001"))
    (plan,) = find_plans(PLAN)
    targets = list(Target.objects.filter(plan=plan).order_by("order"))
    # one target with a figure entered in time for March, one only after March was over
    do_record_actuals([(targets[0], None, parse_period("2023-02"), 1.0)], at=at(2023, 3, 5))
    do_record_actuals([(targets[1], None, parse_period("2023-03"), 3.0)], at=at(2023, 4, 6))
    return plan, simulate([plan], START, END, seed=7)


def brief(plan, kind, period, tmp_path, number=1):
    data = collect(BriefRequest.parse(kind, period, [plan.pk], number))
    path = render(data).save(str(tmp_path / f"{kind}-{period}.docx"))
    return data, docx.Document(path)


def all_text(d) -> str:
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.append("|".join(c.text for c in row.cells))
    return "\n".join(parts)


def table(d, *header) -> list[list[str]] | None:
    """The body rows of the table whose header starts with ``header`` (None when there is none)."""
    for t in d.tables:
        cells = [c.text for c in t.rows[0].cells]
        if cells[: len(header)] == list(header):
            return [[c.text for c in row.cells] for row in t.rows[1:]]
    return None


def section(d, heading: str) -> list[str]:
    """The paragraphs under the level-1 heading that ends with ``heading``, up to the next one."""
    out, inside = [], False
    for p in d.paragraphs:
        if re.match(r"^[一二三四五六七八九十]+、", p.text):
            inside = p.text.endswith(heading)
            continue
        if inside and p.text.strip():
            out.append(p.text)
    return out


def period_end(code: str):
    p = parse_period(code)
    return p, p.end_at - timedelta(microseconds=1)


def plan_task_ids(plan) -> list[int]:
    return [t.pk for t in plan_tasks(plan)]


def expected_statuses(plan, end) -> Counter:
    return Counter(s.status for s in task_states(plan_task_ids(plan), end).values())


def expected_reporting(s, period, end) -> dict[str, tuple[int, int, int, int]]:
    """{unit: (due, on time, late, missing)} of the units late or missing, from the season's schedule."""
    first = {}
    rows = ProgressReport.objects.filter(task_id__in=s.task_ids, submitted_at__lte=end)
    for task_id, unit_id, code, when in rows.values_list("task_id", "unit_id", "period", "submitted_at"):
        key = (task_id, unit_id, code)
        first[key] = min(first.get(key, when), when)
    counts = defaultdict(lambda: [0, 0, 0, 0])
    for p in s.planned:
        if not period.start_at <= p.due <= end:
            continue
        c = counts[s.unit_names[p.unit_id]]
        c[0] += 1
        made = first.get((p.task_id, p.unit_id, p.period_code))
        c[1 if made is not None and made <= p.due else 2 if made is not None else 3] += 1
    return {u: tuple(c) for u, c in counts.items() if c[2] or c[3]}


def open_problems(plan, end) -> list[Problem]:
    out = []
    for p in Problem.objects.filter(task_id__in=plan_task_ids(plan), raised_at__lte=end).order_by("raised_at", "id"):
        steps = [e for e in p.events.order_by("at", "id") if e.at <= end]
        if steps[-1].state in (lifecycle.PENDING, lifecycle.COORDINATING):
            out.append(p)
    return out


@pytest.mark.parametrize("kind,period", KINDS)
def test_every_figure_matches_the_database(season, tmp_path, client, kind, period):
    plan, s = season
    p, end = period_end(period)
    data, d = brief(plan, kind, period, tmp_path, number=4)
    text = all_text(d)
    assert all(line in text for line in data.title_lines) and data.subject == "打好科技创新攻坚仗"
    assert data.issuer == "沅江市打好科技创新攻坚仗工作专班办公室"
    assert data.issued_on == p.end + timedelta(days=1)

    # 一、总体情况: tasks by status at the period's end
    statuses = expected_statuses(plan, end)
    tasks = Task.objects.filter(plan=plan, active=True).count()
    m = re.search(r"截至(\d+)年(\d+)月(\d+)日，纳入调度的(\d+)项重点任务中，([^。]+)。", text)
    assert date(*map(int, m.groups()[:3])) == p.end
    assert int(m.group(4)) == tasks == sum(statuses.values())
    said = {k: int(n) for k, n in re.findall(r"(已完成|正常推进|滞后|逾期未报|未启动)(\d+)项", m.group(5))}
    assert said == {k: n for k, n in statuses.items() if n}

    # 主要目标: 7 targets; figures entered on 5 March (for February) and 6 April (for March) count
    # only in the briefs whose period had ended after they were entered; no figure is 尚无数据, never 红灯
    targets = list(Target.objects.filter(plan=plan, active=True).order_by("order"))
    with_figure = (end >= at(2023, 3, 5)) + (end >= at(2023, 4, 6))
    if with_figure:
        assert f"{len(targets)}个主要目标中，已报送数据的{with_figure}个" in text
        assert f"其余{len(targets) - with_figure}个尚无数据" in text
    else:
        assert f"{len(targets)}个主要目标均尚无数据报送" in text
    assert data.headline.targets_with_data == with_figure
    assert [t.light for t in data.targets].count("") == len(targets) - with_figure
    rows = table(d, "序号", "仗（行动）", "指标")
    if kind == "旬简报":
        assert rows is None  # a 简报 says it in a sentence; the list is in the 通报's 附件
    else:
        assert [r[2] for r in rows] == [t.indicator for t in targets]
        assert sum(1 for r in rows if r[4] == "未报") == len(targets) - with_figure
        assert {r[7] for r in rows if r[4] == "未报"} == {"尚无数据"}
        first = targets[0]
        progress = target_progress(first.measure, first.value, first.measure_unit, first.qualifier,
                                   1.0 if with_figure else None, end)
        assert rows[0][7] == (LIGHT_LABELS[progress.light] if with_figure else "尚无数据")

    # 各仗: one campaign, its counts by status (the 简报's table and the 总结's 附件)
    rows = table(d, "仗（行动）", "任务")
    if kind != "月通报":
        (campaign,) = rows
        assert campaign[0] == "科技创新攻坚仗" and int(campaign[1]) == tasks
        assert [int(n) for n in campaign[2:7]] == [statuses[k] for k in STATUSES]

    # 滞后和逾期任务: exactly the tasks 滞后 or 逾期未报 at the end, with their units; the text says how many
    states = task_states(plan_task_ids(plan), end)
    bad = {t.title for t in Task.objects.filter(pk__in=[k for k, v in states.items() if v.status in (LAGGING, OVERDUE)])}
    assert {t.title for t in data.lagging} == bad
    if bad:
        said = re.search(r"逾期未报(\d+)项、滞后(\d+)项", text)
        assert (int(said[1]), int(said[2])) == (statuses[OVERDUE], statuses[LAGGING])
    rows = table(d, "序号", "仗（行动）", "任务") or []
    if kind != "旬简报" and bad:
        assert {r[2] for r in rows} == bad
        assert all(r[3] for r in rows)  # every lagging task names its responsible unit
        assert all(r[5] == "未报" for r in rows if r[4] == "逾期未报")

    # 需协调解决的问题: raised by the end and not yet resolved then
    problems = open_problems(plan, end)
    assert [(p_.unit.name, p_.text) for p_ in problems] == [(p_.unit, p_.text) for p_ in data.problems]
    if problems:
        assert f"需协调解决的问题{len(problems)}个" in text
    rows = table(d, "序号", "类别", "提出单位")
    if kind == "月通报" and problems:
        assert len(rows) == len(problems)

    # 报送情况: due / on time / late / missing per unit, counted from the schedule (not for the year: the
    # simulated season ends in March, the year's schedule does not); in the text per task, never per item
    shown = {r.unit: (r.due, r.on_time, r.late, r.missing) for r in data.reporting}
    if kind != "年总结":
        assert shown == expected_reporting(s, p, end)
    silent = {s.unit_names[u] for u in s.units_with(SILENT)}
    if kind in ("月通报", "季总结"):
        assert silent & set(shown), "units that never report are named"
        worst = data.reporting[0]
        assert f"{worst.unit}{worst.missing_tasks}项任务" in text and "次）" not in text
    if kind == "月通报":
        rows = table(d, "序号", "单位", "应报")
        assert {r[1]: tuple(int(x) for x in r[2:6]) for r in rows} == shown

    # 考核排名: the assessment page's ranking for the same period and instant, group by group
    office = do_add_user(f"o{kind}", OFFICE, Scope(region=plan.region), password=PASSWORD)
    client.force_login(office)
    page = client.get("/assessment/", {"plan": plan.pk, "period": period, "as_of": p.end.isoformat()})
    result = page.context["result"]
    ranked = [[g.group, str(x.rank), x.unit, f"{x.total:.2f}"] for g in result.groups for x in g.scores]
    assert [[r.group, str(r.rank), r.unit, f"{r.score:.2f}"] for r in data.ranking] == ranked and ranked
    rows = table(d, "组别", "名次", "单位")
    if kind != "旬简报":
        assert [r[:4] for r in rows] == ranked
        for g in result.groups:
            scores = [x.total for x in g.scores]
            assert [x.rank for x in g.scores] == competition_ranks(scores)
            assert len(g.red) <= 3 and all(x.total >= 90 for x in g.red)
            assert len(g.black) <= 3 and all(x.total < 60 for x in g.black)
        assert {r[2] for r in rows if r[4] == "红榜"} == {x.unit for x in result.red}

    # 旬简报 has the red 报头 with its number; the others the 版头 with the 发文字号 and are signed
    if kind == "旬简报":
        assert "打好科技创新攻坚仗工作简报" in text and "第4期" in text
    else:
        assert data.issuer in [p_.text for p_ in d.paragraphs]
        assert "沅科技办〔2023〕4号" in text


def test_a_past_brief_is_reproducible(season, tmp_path):
    plan, s = season
    period, end = period_end("2023-02上旬")
    old, doc = brief(plan, "旬简报", "2023-02上旬", tmp_path)
    before = all_text(doc)
    # the problems of that 旬 have been resolved since, but the brief lists them as they stood then
    assert Problem.objects.filter(state=lifecycle.RESOLVED).exists()
    assert {p_.status for p_ in old.problems} & {"待协调", "协调中"}
    assert f"需协调解决的问题{len(old.problems)}个" in before
    # later: a silent unit reports February at last, a figure arrives, a problem is closed
    silent = s.units_with(SILENT)[0]
    task = Task.objects.filter(pk__in=s.task_ids, assignments__unit_id=silent).first()
    unit = task.assignments.get(unit_id=silent).unit
    do_submit_report(unit, task, "2023-02", narrative="补报", percent=15, status="正常推进",
                     problems="补报中提出的新问题", at=at(2023, 4, 20))
    target = Target.objects.filter(plan=plan).order_by("order")[2]
    do_record_actuals([(target, None, parse_period("2023-02"), 2.0)], at=at(2023, 4, 21))
    do_close_problem(Problem.objects.first(), note="已并入年度问题清单", actor_name="督查室", at=at(2023, 4, 22))
    again = all_text(brief(plan, "旬简报", "2023-02上旬", tmp_path)[1])
    assert again == before
    # … while a brief for a period that includes the new data does see it
    then = collect(BriefRequest.parse("旬简报", "2023-02上旬", [plan.pk]))
    now = collect(BriefRequest.parse("季总结", "2023Q2", [plan.pk]))
    assert then.targets[2].actual == "" and now.targets[2].actual.startswith("2")
    assert ProgressReport.objects.filter(unit=unit, task=task, period="2023-02").exists()


def test_the_web_page_shows_the_same_brief(season, client):
    plan, s = season
    task = Task.objects.filter(pk__in=s.task_ids).first()
    lead = task.assignments.filter(role="lead").first().unit
    r = do_submit_report(lead, task, "2023-03", narrative="进展", percent=30, status="正常推进",
                         problems="<b>资金</b>未到位", at=at(2023, 3, 30))
    do_record_problems(r)  # what the office's next check sweeps into the 问题清单
    office = do_add_user("duchashi", OFFICE, Scope(region=plan.region), password=PASSWORD)
    client.force_login(office)
    query = {"kind": "月通报", "period": "2023-03", "plan": plan.pk, "number": 2}
    page = client.get("/downloads/brief/view/", query)
    assert page.status_code == 200
    html = page.content.decode()
    data = collect(BriefRequest.parse("月通报", "2023-03", [plan.pk], 2))
    assert data.title in html
    from duban.briefs.render_docx import headline_sentence

    assert headline_sentence(data) in html
    assert "&lt;b&gt;资金&lt;/b&gt;未到位" in html and "<b>资金</b>" not in html
    for r in data.ranking:
        assert f"<td>{r.unit}</td><td class=\"r\">{r.score:.2f}</td>" in html
    for r in data.reporting:
        assert f"<td>{r.unit}</td><td class=\"r\">{r.due}</td><td class=\"r\">{r.on_time}</td>" in html
    assert html.count("data:image/png;base64,") == len(data.charts) >= 1
    assert "/downloads/brief/?" in html  # the .docx of the same brief
    downloads = client.get("/downloads/").content.decode()
    assert 'formaction="/downloads/brief/view/"' in downloads
    # errors as on the download: a period that does not fit, a plan out of scope, a reporter
    wrong = client.get("/downloads/brief/view/", {**query, "period": "2023Q1"})
    assert wrong.status_code == 400 and "月通报的期间须为一个月" in wrong.content.decode()
    reporter = do_add_user("tianbao", REPORTER, Scope(unit=lead), password=PASSWORD)
    client.force_login(reporter)
    assert client.get("/downloads/brief/view/", query).status_code == 403


def test_the_command_end_to_end(season, tmp_path):
    plan, _ = season
    out = tmp_path / "月通报.docx"
    call_command("brief", PLAN, kind="月通报", period="2023-03", out=str(out), number=3, stdout=io.StringIO())
    d = docx.Document(str(out))
    text = all_text(d)
    assert "关于2023年3月打好科技创新攻坚仗" in text and "工作推进情况的通报" in text and "沅科技办〔2023〕3号" in text
    data = collect(BriefRequest.parse("月通报", "2023-03", [plan.pk], 3))
    assert text == all_text(docx.Document(render(data).save(str(tmp_path / "again.docx"))))

    def run(*args) -> tuple[int, str]:
        """The exit code `duban brief` ends with (CommandError.returncode) and its message."""
        with pytest.raises(CommandError) as error:
            call_command("brief", *args, stdout=io.StringIO())
        return error.value.returncode, str(error.value)

    bad = tmp_path / "bad.docx"
    cases = [
        ((PLAN, "--kind", "旬简报", "--period", "2023-03", "--out", str(bad)), "旬简报的期间须为一个旬"),
        ((PLAN, "--kind", "周报", "--period", "2023-03", "--out", str(bad)), "不支持的简报类型"),
        (("没有这个方案", "--kind", "月通报", "--period", "2023-03", "--out", str(bad)), "找不到方案"),
        (("打好", "--kind", "月通报", "--period", "2023-03", "--out", str(bad)), "请用编号指定其一"),
        (("沅江市2025", "--kind", "月通报", "--period", "2023-03", "--out", str(bad)), "沅江市没有2025年度的工作"),
        ((PLAN, "--kind", "月通报", "--period", "2023-03", "--out", str(tmp_path / "x.pdf")), "须以 .docx 结尾"),
        ((PLAN, "--kind", "月通报", "--period", "2023-13", "--out", str(bad)), "无法识别的期间"),
        ((PLAN, "--kind", "年总结", "--period", "2099", "--out", str(bad)), "尚未开始"),
    ]
    if not soffice():
        cases.append(((PLAN, "--kind", "月通报", "--period", "2023-03", "--out", str(bad), "--pdf"), "LibreOffice"))
    for args, message in cases:
        code, err = run(*args)
        assert code == 2 and message in err, (args, err)
        assert not bad.exists()
    said = io.StringIO()
    call_command("brief", str(plan.pk), "--kind", "季总结", "--period", "2023Q1", "--out", str(bad), stdout=said)
    assert "已生成季总结《2023年第一季度打好科技创新攻坚仗工作总结》" in said.getvalue()
    assert bad.exists()


def test_one_brief_over_a_programme_without_a_general_plan(season, tmp_path):
    """沅江市's file has six battles and no 总体方案: `duban brief 沅江市` covers the whole programme."""
    out = tmp_path / "沅江市.docx"
    said = io.StringIO()
    call_command("brief", "沅江市", "--kind", "月通报", "--period", "2023-03", "--out", str(out), stdout=said)
    text = all_text(docx.Document(str(out)))
    assert "关于2023年3月打好“六仗”工作推进情况的通报" in text.replace("\n", "")  # the title breaks by meaning
    assert "沅六仗办〔2023〕" in text
    every = Task.objects.filter(plan__region__name="沅江市", active=True).count()
    assert f"任务 {every} 项" in said.getvalue()
    for campaign in Campaign.objects.filter(region__name="沅江市"):
        assert campaign.name in text
    again = tmp_path / "again.docx"
    call_command("brief", "沅江", "--year", "2023", "--kind", "月通报", "--period", "2023-03", "--out", str(again),
                 stdout=io.StringIO())  # fmt: skip
    assert all_text(docx.Document(str(again))) == text


def test_the_sections_of_a_programme_brief_agree(season):
    """沅江市's whole programme (six 仗): each section is built on its own (duban.briefs.collect.SECTIONS),
    and each task and target is counted once across them, by 仗 and in total."""
    programme = find_programme("沅江市")
    ids = [p.pk for p in programme_plans(programme)]
    data = collect(BriefRequest.parse("季总结", "2023Q1", ids, subject=programme_subject(programme)))
    h = data.headline
    assert {c.name for c in data.campaigns} >= {c.name for c in Campaign.objects.filter(region__name="沅江市")}
    assert sum((Counter(c.tasks_by_status) for c in data.campaigns), Counter()) == +Counter(h.tasks_by_status)
    assert h.tasks == Task.objects.filter(plan_id__in=ids, active=True).count()
    assert Counter(t.status for t in data.lagging) == +Counter({s: h.tasks_by_status[s] for s in (LAGGING, OVERDUE)})
    # one target has a figure entered by the end of March (the other only on 6 April): counted once, in its 仗
    assert (h.targets, h.targets_with_data) == (len(data.targets), 1)
    (with_figure,) = [t for t in data.targets if t.actual]
    assert [(c.name, c.targets_on + c.targets_behind) for c in data.campaigns if c.targets_on + c.targets_behind] == [
        (with_figure.campaign, 1)]
    assert (sum(c.targets_on for c in data.campaigns), h.targets_on) == ((with_figure.light == "green"),) * 2
    assert data.previous.label == "2022年第四季度" and sum(data.previous.tasks_by_status.values()) == h.tasks
    assert data.issue == "沅六仗办〔2023〕1号"
    assert [c.title for c in data.charts] == ["任务推进状态", "各仗（行动）平均进度与序时进度"]


def test_subject_comes_from_the_plan_and_queries_are_fixed(tmp_path):
    do_ingest_file(sample_path("003"), year=2023)  # 新邵县实施“八大行动”, read as a 2023 plan
    plans = Plan.objects.filter(region__name="新邵县", active=True).exclude(tasks=None)
    small = min(plans, key=lambda p: p.tasks.count())
    big = max(plans, key=lambda p: p.tasks.count())

    def queries(plan) -> int:
        with CaptureQueriesContext(connection) as ctx:
            data = collect(BriefRequest.parse("季总结", "2023Q1", [plan.pk]))
        assert data.title == "2023年第一季度实施八大行动工作总结"
        assert data.issuer == "新邵县实施八大行动工作专班办公室"
        return len(ctx.captured_queries)

    assert big.tasks.count() > 5 * small.tasks.count()
    queries(small)  # fills this process's structure cache (duban.audit.cache): both counts below are warm
    # +2 at most: tasks naming a group unit (各乡镇人民政府…) load the region tree once to expand it
    assert 0 <= queries(big) - queries(small) <= 2
    tasks = list(big.tasks.filter(active=True).prefetch_related("assignments__unit")[:20])

    def report(batch):
        for task in batch:
            unit = next(a.unit for a in task.assignments.all() if not a.unit.is_group)
            do_submit_report(unit, task, "2023-02", narrative="进展", percent=20, status="正常推进",
                             problems="缺资金", at=at(2023, 3, 20))

    # once there are reports (the 较上期 states read them back for an earlier instant: one query), more
    # reports cost nothing more
    report(tasks[:2])
    before = queries(big)
    report(tasks[2:])
    assert queries(big) == before  # more reports, the same queries
    with pytest.raises(BriefError, match="没有纳入调度的任务"):
        names = Plan.objects.get(region__name="新邵县", kind="名单")  # 领导小组人员名单
        collect(BriefRequest.parse("月通报", "2023-03", [names.pk]))


def test_the_ledger_per_unit_from_the_command_and_the_web(season, tmp_path, client):
    plan, s = season
    reports = ProgressReport.objects.filter(task_id__in=s.task_ids)
    unit = Counter(reports.values_list("unit__name", flat=True)).most_common(1)[0][0]
    mine = reports.filter(unit__name=unit)
    assert 0 < mine.count() < reports.count()

    def rows(path_or_bytes):
        ws = openpyxl.load_workbook(path_or_bytes).active
        return ws["A1"].value, [r for r in ws.iter_rows(min_row=3, values_only=True) if r[0]]

    out = tmp_path / "台账.xlsx"
    msg = io.StringIO()
    call_command("export", PLAN, kind="台账", unit=unit, out=str(out), stdout=msg)
    assert f"{unit}的报送 {mine.count()} 条" in msg.getvalue()
    title, body = rows(out)
    assert title == f"{plan.title} {unit} 进展台账"
    assert len(body) == mine.count() and {r[3] for r in body} == {unit}
    assert sorted((r[4], int(r[5])) for r in body) == sorted(
        (parse_period(p).label, v) for p, v in mine.values_list("period", "version")
    )
    call_command("export", PLAN, kind="台账", out=str(out), stdout=io.StringIO())
    assert len(rows(out)[1]) == reports.count()
    with pytest.raises(CommandError, match="只用于进展台账"):
        call_command("export", PLAN, unit=unit, out=str(out), stdout=io.StringIO())

    office = do_add_user("duchashi", OFFICE, Scope(region=plan.region), password=PASSWORD)
    client.force_login(office)
    got = client.get("/downloads/export/", {"plan": plan.pk, "kind": "台账", "unit": unit})
    assert got.status_code == 200
    title, body = rows(io.BytesIO(b"".join(got.streaming_content)))
    assert len(body) == mine.count() and {r[3] for r in body} == {unit}
    bad = client.get("/downloads/export/", {"plan": plan.pk, "kind": "台账", "unit": "不存在的单位"})
    assert bad.status_code == 400 and "不是方案" in bad.content.decode()
