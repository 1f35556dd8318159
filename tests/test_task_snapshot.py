"""The task status snapshot (duban.tracking.snapshot) gives the same states as reading every report.

A simulated quarter on the real 沅江市 plan (sample 001) writes reports, late reports, corrections
and status refreshes through the real actions; the states read from the snapshot rows must equal
the states recomputed from the reports at every moment asked, including moments in the past and
after a report written behind the actions' back.
"""

from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command

from duban.plans.actions import do_ingest_file
from duban.plans.lookup import find_plans
from duban.plans.models import Task, TaskUnit
from duban.supervision.simulate import simulate
from duban.tracking.models import ProgressReport, TaskSnapshot
from duban.tracking.snapshot import compute_facts, lead_units, read_tasks
from duban.tracking.status import task_states
from tests.conftest import sample_path
from tests.tracking_helpers import at

pytestmark = pytest.mark.django_db

START, END = date(2023, 1, 1), date(2023, 3, 31)
PLANS = ("科技创新", "重点工作任务清单")  # monthly and quarterly reports, co-units, a lead-less task or two


@pytest.fixture
def quarter():
    do_ingest_file(sample_path("001"))
    plans = [p for words in PLANS for p in find_plans(words)]
    simulate(plans, START, END, seed=7)
    tasks = list(Task.objects.filter(plan__in=plans, active=True).values_list("id", flat=True))
    assert ProgressReport.objects.filter(task_id__in=tasks).count() > 20, "the quarter wrote reports"
    return tasks


def comparable(states) -> dict:
    return {
        t: (
            s.status,
            s.light,
            s.percent,
            round(s.expected, 9),
            s.reason,
            s.late_count,
            s.last_report.pk if s.last_report else None,
            [(m.period.code, m.due, m.reporter_unit_ids) for m in s.missing],
            s.missing_reporters(),
        )
        for t, s in states.items()
    }


def recomputed(tasks, as_of) -> dict:
    """The states with no snapshot at all (every task falls back to its reports), then rows restored."""
    rows = list(TaskSnapshot.objects.filter(task_id__in=tasks))
    TaskSnapshot.objects.filter(task_id__in=tasks).delete()
    try:
        return comparable(task_states(tasks, as_of))
    finally:
        TaskSnapshot.objects.bulk_create(rows)


MOMENTS = [
    at(2023, 1, 20),
    at(2023, 2, 28, 23, 59),
    at(2023, 3, 16, 9),
    at(2023, 3, 31, 23, 59),
    at(2023, 5, 5),
]


def test_snapshot_equals_recomputation_after_a_simulated_quarter(quarter):
    tasks = quarter
    _, found = read_tasks(tasks)
    with_reports = [t for t in tasks if found[t][0]]
    assert with_reports, "some tasks were reported on"
    # do_submit_report kept every row in step with the reports: the rows are the facts of all reports
    stored = {s.task_id: s for s in TaskSnapshot.objects.filter(task_id__in=with_reports)}
    assert set(stored) == set(with_reports)
    for t, facts in compute_facts(lead_units(with_reports)).items():
        row = stored[t]
        assert (row.report_count, row.max_report_id, row.last_report_id, row.late_count) == (
            facts.count,
            facts.max_id,
            facts.last_id,
            facts.late_count,
        )
        assert {k: set(v) for k, v in row.reported.items()} == facts.reported
        assert (row.done_at, row.last_percent, row.last_status) == (
            facts.done_at,
            facts.last_percent,
            facts.last_status,
        )
    statuses = set()
    for moment in MOMENTS:  # in the quarter (rows younger than the moment: recomputed) and after it
        from_snapshot = comparable(task_states(tasks, moment))
        assert from_snapshot == recomputed(tasks, moment), moment
        statuses |= {v[0] for v in from_snapshot.values()}
    assert {"逾期未报", "正常推进"} <= statuses, "the comparison covered more than one status"


def test_a_report_written_behind_the_actions_back_is_still_counted(quarter):
    tasks = quarter
    task = Task.objects.filter(pk__in=tasks, assignments__role=TaskUnit.LEAD).first()
    lead = task.assignments.filter(role=TaskUnit.LEAD).first().unit
    moment = at(2023, 4, 20)
    before = task_states([task.pk], moment)[task.pk]
    ProgressReport.objects.bulk_create(  # a bulk load: no snapshot refresh
        [
            ProgressReport(
                task=task, unit=lead, version=99, narrative="补录", percent=100, self_status="已完成",
                submitted_at=moment - timedelta(days=1), period="2023-04", period_start=date(2023, 4, 1),
                period_end=date(2023, 4, 30),
            )
        ]
    )  # fmt: skip
    after = task_states([task.pk], moment)[task.pk]
    assert before.status != "已完成" and after.status == "已完成" and after.percent == 100
    assert comparable({task.pk: after}) == recomputed([task.pk], moment)
    # duban refresh_statuses rewrites the row, which is then valid again
    call_command("refresh_statuses", "--snapshots-only", stdout=open("/dev/null", "w"))
    row = TaskSnapshot.objects.get(task=task)
    assert (row.report_count, row.last_percent) == (ProgressReport.objects.filter(task=task).count(), 100)


def test_refresh_statuses_command_rebuilds_every_row_and_records_changes(quarter, capsys):
    TaskSnapshot.objects.all().delete()
    call_command("refresh_statuses", "--as-of", "2023-04-30")
    out = capsys.readouterr().out
    assert "项任务已重建" in out and "状态有变化" in out
    assert TaskSnapshot.objects.count() == Task.objects.count()


def test_each_report_is_added_to_the_row_without_rereading_and_equals_a_recomputation(settings, tmp_path):
    """do_submit_report adds a new report to the task's row (snapshot.add_report) instead of reading
    every report of the task; after every kind of report — co-unit, lead, consolidated, correction,
    a later period, a late first report of an earlier period, 100 % — the row holds exactly what a
    recomputation from all the reports gives (every column, the last report's rank included). A
    report older than the newest one, or a row that no longer describes the reports, is refreshed
    from all of them instead."""
    from duban.tracking import snapshot
    from duban.tracking.actions import do_submit_report
    from tests.tracking_helpers import ingest_yuanjiang, lead_and_co, plan_titled, task_with_co_units

    settings.MEDIA_ROOT = str(tmp_path)
    ingest_yuanjiang()
    task = task_with_co_units(plan_titled("重点工作任务清单"))  # reports 每季度, due mid last month
    lead, co = lead_and_co(task)
    taken = []
    real = snapshot.add_report

    def spy(report, leads, before):
        taken.append(real(report, leads, before))
        return taken[-1]

    def report(unit, period, when, percent=30, status="正常推进", **kw):
        from unittest import mock

        with mock.patch("duban.tracking.actions.add_report", spy):
            do_submit_report(unit, task, period, narrative="进展", percent=percent, status=status, at=when, **kw)
        facts = compute_facts(lead_units([task.pk]))[task.pk]
        row = TaskSnapshot.objects.get(task=task)
        assert {f: getattr(row, f) for f in ROW_COLUMNS} == {
            f: (c if f != "reported" else {k: sorted(v) for k, v in c.items()})
            for f, c in snapshot._columns(facts).items()
        }

    report(co, "2023Q1", at(2023, 3, 10))
    report(lead, "2023Q1", at(2023, 3, 11))  # the lead's report speaks for the task
    report(co, "2023Q1", at(2023, 3, 12), percent=35)  # a correction by the co-unit: the lead still speaks
    report(lead, "2023Q1", at(2023, 3, 13), percent=40, consolidated=True)
    report(co, "2023Q2", at(2023, 6, 20), percent=50)  # a later period, late: speaks, one more late report
    report(lead, "2023Q1", at(2023, 6, 21), percent=45)  # an earlier period: the Q2 report keeps speaking
    report(lead, "2023Q2", at(2023, 6, 22), percent=100, status="已完成")  # done
    assert taken == [False] + [True] * 6  # no row before the task's first report: written from the reports
    report(co, "2023Q2", at(2023, 6, 1))  # submitted before the newest report: recomputed
    assert taken[-1] is False
    ProgressReport.objects.filter(task=task).order_by("-id").first().delete()  # behind the actions' back
    report(co, "2023Q3", at(2023, 9, 1))  # the row no longer describes the reports: recomputed
    assert taken[-1] is False
    report(lead, "2023Q3", at(2023, 9, 2))  # and is kept up to date again
    assert taken[-1] is True
    assert TaskSnapshot.objects.get(task=task).report_count == ProgressReport.objects.filter(task=task).count()


ROW_COLUMNS = (
    "report_count", "max_report_id", "max_submitted_at", "leads", "last_report_id", "last_unit_id",
    "last_percent", "last_status", "done_at", "late_count", "reported", "last_period_end", "last_kind",
    "last_submitted_at", "last_version",
)  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_reports_on_one_task_at_once_are_numbered_once_and_all_counted(settings, tmp_path):
    """Four writers report on the same task at the same moment, starting before the task has a
    snapshot row: every version number is given once, and the row counts every report exactly as a
    recomputation does (PostgreSQL: row and task locks of snapshot.before_report)."""
    import threading

    from django.db import connection

    from duban.tracking.actions import do_submit_report
    from duban.tracking.snapshot import _columns
    from tests.tracking_helpers import ingest_yuanjiang, lead_and_co, plan_titled, task_with_co_units

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE (tests/test_sqlite_settings.py)")
    settings.MEDIA_ROOT = str(tmp_path)
    ingest_yuanjiang()
    task = task_with_co_units(plan_titled("重点工作任务清单"))
    lead, co = lead_and_co(task)
    assert not TaskSnapshot.objects.filter(task=task).exists()
    start, errors = threading.Barrier(4), []

    from django.utils import timezone

    at = timezone.make_aware(datetime(2023, 3, 20, 9))

    def writer(unit, k):
        try:
            start.wait()
            for n in range(5):
                do_submit_report(unit, task, "2023Q1", narrative=f"{k}-{n}", percent=10 + n, status="正常推进",
                                 at=at)  # inside 沅江市's 2023 programme
        except Exception as e:  # noqa: BLE001 — reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(u, k)) for k, u in enumerate((lead, lead, co, co))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for unit in (lead, co):
        versions = sorted(ProgressReport.objects.filter(task=task, unit=unit).values_list("version", flat=True))
        assert versions == list(range(1, 11))
    row = TaskSnapshot.objects.get(task=task)
    facts = compute_facts(lead_units([task.pk]))[task.pk]
    expected = _columns(facts)
    expected["reported"] = {k: sorted(v) for k, v in expected["reported"].items()}
    assert {f: getattr(row, f) for f in ROW_COLUMNS} == expected and row.report_count == 20
