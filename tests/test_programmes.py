"""Programmes (年度工作): the year read from the document, one programme per region and year, next
year's plan beside this year's, obligations inside the programme's period, archive, and the upgrade
of a database made by the previous release."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from duban.ingest import parse_file
from duban.ingest.year import detect_year
from duban.plans.actions import do_ingest_file
from duban.plans.models import Campaign, Plan, Programme, SourceDocument, Task
from duban.tracking.actions import TrackingError, do_submit_report
from duban.tracking.calendar import due_items
from duban.tracking.models import OVERDUE, ProgressReport
from duban.tracking.status import task_states
from tests.conftest import sample_path
from tests.tracking_helpers import at, lead_and_co

FIXTURES = Path(__file__).parent / "fixtures"


def year_of(path: str):
    result = parse_file(path)
    return detect_year(result.source_lines, [d.title for d in result.documents])


# ---------------------------------------------------------------- the year in the text


@pytest.mark.parametrize(
    "path, years, issued, first",
    [
        (
            sample_path("000"),
            (2023, 2023),
            date(2023, 2, 20),
            date(2023, 2, 20),
        ),  # 2023年2月20日 under the notice
        (sample_path("001"), (2023, 2023), None, date(2023, 1, 1)),  # annexes only: 2023年4月23日印发
        (
            sample_path("003"),
            (2024, 2024),
            date(2024, 3, 18),
            date(2024, 3, 18),
        ),  # 〔20242 and a scraped 2024318
        (str(FIXTURES / "unseen_lengshuijiang.txt"), (2024, 2024), date(2024, 3, 5), date(2024, 3, 5)),
        (str(FIXTURES / "unseen_lianyuan.txt"), (2024, 2024), date(2024, 2, 20), date(2024, 2, 20)),
    ],
)
def test_the_year_and_period_of_each_sample(path, years, issued, first):
    found = year_of(path)
    assert (found.start_year, found.end_year) == years
    assert found.issued == issued
    assert found.period() == (first, date(years[1], 12, 31))


def test_a_span_a_stated_period_a_december_issue_and_citations():
    span = detect_year(["正文"], ["某县打造三个高地三年行动方案（2023—2025年）"])
    assert (span.start_year, span.end_year, span.period()) == (
        2023,
        2025,
        (date(2023, 1, 1), date(2025, 12, 31)),
    )
    stated = detect_year(["一、实施期限：2023年3月至2025年6月"], ["某县优化营商环境行动方案"])
    assert stated.period() == (date(2023, 3, 1), date(2025, 6, 30))
    december = detect_year(
        ["某政办发〔2023〕31号", "2023年12月28日", "2024年，地区生产总值增长6%"], ["某县方案"]
    )
    assert (december.start_year, december.period()[0]) == (2024, date(2024, 1, 1))
    # a cited document's year and number are not the plan's
    cited = detect_year(
        ["根据《三年行动计划（2022-2024年）》（湘政办发〔2022〕18号）", "2025年，实现增长"], ["方案"]
    )
    assert cited.start_year == 2025
    assert detect_year(["没有年份"], ["某县方案"]) is None


# ---------------------------------------------------------------- one programme per region and year


def ingest(*paths, **options) -> str:
    out = io.StringIO()
    call_command("ingest", *paths, stdout=out, **options)
    return out.getvalue()


def next_year_copy(tmp_path, year: int) -> str:
    """The 新邵县 2024 file with every 2024 made ``year`` (what an office imports a year later)."""
    text = Path(sample_path("003")).read_text(encoding="utf-8").replace("2024", str(year))
    path = tmp_path / f"新邵县{year}.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_ingest_names_the_programme_and_its_campaigns():
    out = ingest(sample_path("003"))
    programme = Programme.objects.get()
    assert programme.name == "新邵县2024年实施八大行动"
    assert (programme.period_start, programme.period_end) == (date(2024, 3, 18), date(2024, 12, 31))
    assert "年度工作：新邵县2024年实施八大行动（2024年03月18日至2024年12月31日" in out
    assert SourceDocument.objects.get().programme == programme
    assert Campaign.objects.filter(programme=programme).count() == 8
    ingest(sample_path("000"))
    assert Programme.objects.get(region__name="邵阳市").name == "邵阳市2023年打好发展六仗"


@pytest.mark.django_db
def test_next_years_plan_is_a_new_programme_and_leaves_last_years_as_it_was(tmp_path):
    do_ingest_file(sample_path("003"))
    task = Task.objects.filter(active=True, assignments__role="lead").order_by("id").first()
    lead, _ = lead_and_co(task)
    period = "2024-04" if "月" in do_submit_kinds(task) else "2024Q2"
    do_submit_report(
        lead, task, period, narrative="按计划推进", percent=30, status="正常推进", at=at(2024, 4, 28)
    )
    as_of = at(2024, 11, 30)
    before_tasks = list(Task.objects.order_by("id").values_list("id", "key", "title", "active", "plan_id"))
    before_reports = list(ProgressReport.objects.values_list("id", "task_id", "period", "percent"))
    before_states = {
        k: (s.status, s.percent) for k, s in task_states([t[0] for t in before_tasks], as_of).items()
    }

    out = ingest(next_year_copy(tmp_path, 2025))

    assert "新导入" in out and "新邵县2025年实施八大行动" in out
    assert [p.start_year for p in Programme.objects.order_by("start_year")] == [2024, 2025]
    assert SourceDocument.objects.count() == 2
    old = Programme.objects.get(start_year=2024)
    assert list(Task.objects.filter(plan__source_document__programme=old).order_by("id").values_list(
        "id", "key", "title", "active", "plan_id")) == before_tasks  # fmt: skip
    assert list(ProgressReport.objects.values_list("id", "task_id", "period", "percent")) == before_reports
    after_states = {k: (s.status, s.percent) for k, s in task_states(list(before_states), as_of).items()}
    assert after_states == before_states
    new_tasks = Task.objects.filter(plan__source_document__programme__start_year=2025, active=True)
    assert new_tasks.count() == len(before_tasks)
    # year over year: both programmes side by side, the 2024 report on 2024's side only
    shown = io.StringIO()
    call_command("compare", "新邵县", "2024", "2025", "--json", stdout=shown)
    sides = json.loads(shown.getvalue())["programmes"]
    assert [s["name"] for s in sides] == ["新邵县2024年实施八大行动", "新邵县2025年实施八大行动"]
    assert sides[0]["tasks"] == sides[1]["tasks"] == len(before_tasks)
    assert sides[0]["units"] == {lead.name: {"reports": 1, "late": 0}} and sides[1]["units"] == {}
    assert sides[0]["campaigns"] == sides[1]["campaigns"] and len(sides[0]["campaigns"]) == 8
    text = io.StringIO()
    call_command("compare", "新邵县", "2024", "2025", stdout=text)
    assert "产业培塑行动：" in text.getvalue() and "新邵县2024年实施八大行动（截至 2024-12-31）" in text.getvalue()
    with pytest.raises(CommandError, match="新邵县没有2023年度的工作（已有：2024年、2025年）"):
        call_command("compare", "新邵县", "2023", "2024", stdout=io.StringIO())
    # each year its own 产业培塑行动
    assert sorted(Campaign.objects.filter(name="产业培塑行动").values_list("programme__start_year", flat=True)) == [
        2024, 2025,
    ]  # fmt: skip


def do_submit_kinds(task) -> tuple[str, ...]:
    from duban.tracking.schedule import schedule_for

    return schedule_for(task).kinds


@pytest.mark.django_db
def test_a_revision_of_the_same_year_updates_in_place_and_year_overrides(tmp_path):
    do_ingest_file(sample_path("003"))
    text = (
        Path(sample_path("003"))
        .read_text(encoding="utf-8")
        .replace("全县产业总体规模达到380亿元", "全县产业总体规模达到390亿元")
    )
    revised = tmp_path / "新邵县修订.txt"
    revised.write_text(text, encoding="utf-8")
    out = ingest(str(revised))
    assert "更新已导入的文件" in out
    assert (Programme.objects.count(), SourceDocument.objects.count()) == (1, 1)
    out = ingest(str(revised), year=2026)  # the office says it is the 2026 plan
    assert "新邵县2026年实施八大行动" in out and "人工指定 2026 年" in out
    assert sorted(Programme.objects.values_list("start_year", flat=True)) == [2024, 2026]


# ---------------------------------------------------------------- obligations inside the period


@pytest.mark.django_db
def test_no_item_outside_the_programme_year():
    do_ingest_file(sample_path("001"))  # 沅江市 2023
    do_ingest_file(sample_path("003"))  # 新邵县 2024
    yuanjiang = list(Plan.objects.filter(region__name="沅江市"))
    xinshao = list(Plan.objects.filter(region__name="新邵县"))
    assert due_items(yuanjiang, date(2024, 1, 1), date(2024, 1, 31)) == []
    assert due_items(xinshao, date(2023, 12, 1), date(2023, 12, 31)) == []
    # the year's last reports fall due on its last day, not in the next year
    december = due_items(yuanjiang, date(2023, 12, 1), date(2023, 12, 31))
    assert december and max(i.due for i in december).date() == date(2023, 12, 31)
    assert {i.period.code for i in december if i.every == "月"} >= {"2023-12"}
    # 新邵县 was issued on 18 March 2024: nothing due before, the March items from then on
    march = due_items(xinshao, date(2024, 3, 1), date(2024, 3, 31))
    assert march and min(i.due for i in march).date() >= date(2024, 3, 18)


@pytest.mark.django_db
def test_a_plan_issued_on_20_february_is_never_overdue_for_january():
    do_ingest_file(sample_path("000"))  # 邵阳市, issued 2023-02-20
    plans = list(Plan.objects.filter(region__name="邵阳市"))
    assert due_items(plans, date(2023, 1, 1), date(2023, 2, 19)) == []
    tasks = list(Task.objects.filter(active=True, plan__region__name="邵阳市"))
    states = task_states(tasks, at(2023, 3, 10))
    missed = {m.period.code for s in states.values() for m in s.missing}
    assert missed and not any(code.startswith("2023-01") or code.startswith("2023-W0") for code in missed)
    assert not any(s.reason.startswith("2023年1月") for s in states.values() if s.status == OVERDUE)
    # the same tasks in 2026 are measured against 2023: nothing falls due in 2026
    later = task_states(tasks, at(2026, 11, 30))
    assert not any(m.period.start.year > 2023 for s in later.values() for m in s.missing)


@pytest.mark.django_db
def test_an_archived_programme_refuses_reports_with_a_clear_message():
    do_ingest_file(sample_path("003"))
    task = Task.objects.filter(active=True, assignments__role="lead").order_by("id").first()
    lead, _ = lead_and_co(task)
    with pytest.raises(TrackingError, match="已于 2024年12月31日 结束并归档"):
        do_submit_report(lead, task, "2024-12" if "月" in do_submit_kinds(task) else "2024Q4",
                         narrative="补报", percent=90, status="正常推进", at=at(2025, 1, 8))  # fmt: skip
    with pytest.raises(TrackingError, match="不在“新邵县2024年实施八大行动”的工作期内"):
        do_submit_report(lead, task, "2024-01" if "月" in do_submit_kinds(task) else "2024Q1",
                         narrative="补报", percent=5, status="正常推进", at=at(2024, 4, 8))  # fmt: skip
    assert not ProgressReport.objects.exists()


# ---------------------------------------------------------------- upgrade of the previous release


def test_migrating_a_database_of_the_previous_release(tmp_path):
    """tests/fixtures/release_7529043.sqlite3.gz: made by the release before programmes (commit 7529043)
    with 新邵县 (003) and 沅江市 (001) ingested and one report on task #11."""
    home = tmp_path / "home"
    home.mkdir()
    with gzip.open(FIXTURES / "release_7529043.sqlite3.gz") as src, open(home / "duban.sqlite3", "wb") as dst:
        shutil.copyfileobj(src, dst)
    env = {**os.environ, "DUBAN_HOME": str(home), "DJANGO_SETTINGS_MODULE": "duban.web.settings"}
    env.pop("DATABASE_URL", None)
    run = [sys.executable, "-m", "django"]
    done = subprocess.run([*run, "migrate", "-v0"], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    script = """
import json, django
django.setup()
from duban.plans.models import Campaign, Programme, SourceDocument, Task
from duban.tracking.models import ProgressReport
r = ProgressReport.objects.get()
print(json.dumps({
    "programmes": sorted((p.name, str(p.period_start), str(p.period_end)) for p in Programme.objects.all()),
    "documents_without": SourceDocument.objects.filter(programme__isnull=True).count(),
    "campaigns_without": Campaign.objects.filter(programme__isnull=True).count(),
    "tasks": Task.objects.count(),
    "report": [r.task_id, r.task.key, r.period, r.percent, r.task.plan.source_document.programme.name],
}, ensure_ascii=False))
"""
    shown = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600
    )
    assert shown.returncode == 0, shown.stderr
    facts = json.loads(shown.stdout)
    assert facts["programmes"] == [
        ["新邵县2024年实施八大行动", "2024-03-18", "2024-12-31"],
        ["沅江市2023年度工作", "2023-01-01", "2023-12-31"],
    ]
    assert facts["documents_without"] == facts["campaigns_without"] == 0
    assert facts["tasks"] == 485
    assert facts["report"] == [11, "f2bf6a6d58674344", "2024-04", 30.0, "新邵县2024年实施八大行动"]


@pytest.mark.django_db
def test_the_supervision_check_stays_inside_the_programme():
    from duban.supervision.actions import do_generate_notices

    do_ingest_file(sample_path("000"))  # 邵阳市, issued 2023-02-20
    plans = list(Plan.objects.filter(region__name="邵阳市", kind="总体方案"))
    before = do_generate_notices(plans, date(2023, 2, 10))  # not yet issued: nothing to check
    assert (before.issued, before.colors) == ([], {})
    during = do_generate_notices(plans, date(2023, 4, 10))
    assert during.issued and not any("2023年1月" in n.reason for n in during.issued)
    after = do_generate_notices(plans, date(2024, 1, 10))  # archived: no new 督办单
    assert (after.issued, after.colors) == ([], {})


# ---------------------------------------------------------------- the web: programme, compare, scope


def _office_of(client, region_name: str):
    from duban.accounts.actions import Scope, do_add_user

    region = Programme.objects.filter(region__name=region_name).first().region
    client.force_login(do_add_user(f"office_{region.pk}", "office", Scope(region=region)))
    return client


@pytest.mark.django_db
def test_programme_page_compare_page_and_the_general_plan_lists_the_programmes_tasks(tmp_path, client):
    from django.urls import reverse

    do_ingest_file(sample_path("003"))
    task = Task.objects.filter(active=True, assignments__role="lead").order_by("id").first()
    lead, _ = lead_and_co(task)
    period = "2024-04" if "月" in do_submit_kinds(task) else "2024Q2"
    do_submit_report(lead, task, period, narrative="按计划推进", percent=30, status="正常推进", at=at(2024, 4, 28))
    ingest(next_year_copy(tmp_path, 2025))
    old, new = Programme.objects.order_by("start_year")
    _office_of(client, "新邵县")

    page = client.get(reverse("plans:programme", args=[old.pk])).content.decode()
    assert "新邵县2024年实施八大行动" in page and "产业培塑行动" in page
    compare_url = reverse("plans:programme_compare", args=[old.pk])
    assert f"{compare_url}?with={new.pk}" in page  # linked from the programme page

    r = client.get(compare_url)
    assert r.status_code == 200
    html = r.content.decode()
    summary = html.split('id="compare-summary"', 1)[1].split("</table>", 1)[0]
    assert summary.index("新邵县2024年实施八大行动") < summary.index("新邵县2025年实施八大行动")
    n = Task.objects.filter(plan__source_document__programme=old, active=True).count()
    assert summary.count(f"{n} 项") == 2  # the same tasks each year
    campaigns = html.split('id="compare-campaigns"', 1)[1].split("</table>", 1)[0]
    assert "产业培塑行动" in campaigns
    units = html.split('id="compare-units"', 1)[1].split("</table>", 1)[0]
    row = units.split(f"<td>{lead.name}</td>", 1)[1].split("</tr>", 1)[0]
    assert row.split("</td>")[0].endswith("1 / 0") and "—" in row  # 2024: one report, none late; 2025: none

    general = Plan.objects.get(source_document__programme=old, kind="总体方案")
    assert not general.tasks.filter(active=True).exists()
    html = client.get(reverse("plans:plan", args=[general.pk])).content.decode()
    assert 'id="programme-wide"' in html and f"共 {n} 项任务" in html  # not "共 0 项任务"


@pytest.mark.django_db
def test_the_dashboard_shows_the_current_programme_and_offers_the_others(client, settings):
    from django.urls import reverse

    do_ingest_file(sample_path("000"))  # 邵阳市 2023
    do_ingest_file(sample_path("003"))  # 新邵县 2024, a county of 邵阳市
    city, county = Programme.objects.order_by("start_year")
    settings.DUBAN_AS_OF = "2023-06-30"
    _office_of(client, "邵阳市")

    def tasks_shown(query=""):
        return client.get(reverse("ui:api_dashboard") + query).json()["tasks"]

    in_city = Task.objects.filter(plan__source_document__programme=city, active=True).count()
    in_county = Task.objects.filter(plan__source_document__programme=county, active=True).count()
    assert tasks_shown() == in_city  # the office's own region's programme of the demo date
    assert tasks_shown(f"?programme={county.pk}") == in_county
    assert tasks_shown("?programme=all") == in_city + in_county
    html = client.get(reverse("ui:dashboard")).content.decode()
    assert "演示日期：2023年6月30日" in html
    picker = html.split('id="programme-select"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{city.pk}" selected>' in picker and str(county.pk) in picker
