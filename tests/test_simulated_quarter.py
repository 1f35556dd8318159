"""The issue's acceptance scenario: the real 沅江市 plan (sample 001), Q1 2023, units on time / late / silent.

Everything goes through the real actions (do_submit_report, do_refresh_statuses, do_generate_notices,
the notice and problem steps); the assertions compare what the database holds with what the
season's profiles say should have happened.
"""

from datetime import date, timedelta

import pytest

from duban.audit.models import AuditEntry
from duban.plans.actions import do_ingest_file
from duban.plans.lookup import find_plans
from duban.plans.models import Task, TaskUnit
from duban.supervision import lifecycle
from duban.supervision.actions import check_instant, do_generate_notices, plan_tasks
from duban.supervision.models import (
    NOTICE,
    PROMPT,
    RED,
    YELLOW,
    Notice,
    NoticeEvent,
    Problem,
    ProblemEvent,
    TaskCheck,
)
from duban.supervision.simulate import LATE, ON_TIME, SILENT, late_days, simulate, summary
from duban.tracking.models import OVERDUE, ProgressReport
from duban.tracking.status import task_states
from tests.conftest import sample_path

pytestmark = pytest.mark.django_db

START, END = date(2023, 1, 1), date(2023, 3, 31)
PLAN = "科技创新"  # 沅江市打好科技创新攻坚仗工作方案: monthly reports (每月报送), 9 tasks, 18 units


@pytest.fixture
def season():
    do_ingest_file(sample_path("001"))
    plans = list(find_plans(PLAN))
    return plans, simulate(plans, START, END, seed=7)


def test_the_quarter_chases_silent_and_late_units_and_spares_the_punctual(season):
    plans, s = season
    silent, late, punctual = s.units_with(SILENT), s.units_with(LATE), s.units_with(ON_TIME)
    assert silent and late and punctual
    end = check_instant(END)
    owed = [p for p in s.planned if p.due < end]
    assert owed, "the plan's cadence makes reports due in the quarter"

    # silent units: never a report, and a red notice on every task they owe a report on
    assert not ProgressReport.objects.filter(unit_id__in=silent).exists()
    for p in owed:
        if s.profiles[p.unit_id] == SILENT:
            red = Notice.objects.filter(kind=NOTICE, color=RED, task_id=p.task_id, units__id=p.unit_id)
            assert red.exists(), (p, s.unit_names[p.unit_id])
            assert red.filter(state=lifecycle.ISSUED).exists()  # nobody signs for a silent unit

    # late units: every first version is late by exactly the planned number of days
    late_reports = ProgressReport.objects.filter(unit_id__in=late, version=1)
    assert late_reports.exists()
    for r in late_reports:
        assert r.is_late
        assert r.late_by == timedelta(days=late_days(s.seed, r.unit_id, r.task_id, r.period))
        assert r.submitted_at - r.due_at == r.late_by
    # … and they were chased: a red notice at a check that fell inside their lateness
    assert Notice.objects.filter(kind=NOTICE, color=RED, units__id__in=late).exists()

    # punctual units: every report on time, never a red or blue notice
    on_time_reports = ProgressReport.objects.filter(unit_id__in=punctual)
    assert on_time_reports.exists()
    assert not on_time_reports.filter(late_by__isnull=False).exists()
    assert not Notice.objects.filter(units__id__in=punctual).exclude(color=YELLOW).exists()
    # a yellow notice goes only to lead units of a task that was 滞后 at that check
    for n in Notice.objects.filter(color=YELLOW).prefetch_related("units"):
        leads = set(
            TaskUnit.objects.filter(task=n.task, role=TaskUnit.LEAD).values_list("unit_id", flat=True)
        )
        assert {u.pk for u in n.units.all()} <= leads
        assert TaskCheck.objects.get(task=n.task, as_of=n.as_of).status == "滞后"

    # the summary adds up
    figures = summary(s)
    assert figures["on_time"] + figures["late"] + figures["missing"] == figures["reports_due"] == len(owed)
    assert figures["missing"] >= sum(1 for p in owed if s.profiles[p.unit_id] == SILENT)


def test_statuses_and_lights_follow_the_lead_units(season):
    plans, s = season
    now = check_instant(END) - timedelta(seconds=1)
    states = task_states(s.task_ids, now)
    for task in Task.objects.filter(pk__in=s.task_ids).prefetch_related("assignments"):
        leads = [a.unit_id for a in task.assignments.all() if a.role == TaskUnit.LEAD]
        state = states[task.pk]
        last = TaskCheck.objects.filter(task=task).latest("as_of")
        assert last.as_of == END and last.status == state.status
        if leads and all(s.profiles.get(u) == SILENT for u in leads):
            assert state.status == OVERDUE and state.light == "red" and last.color == RED
        if leads and all(s.profiles.get(u) == ON_TIME for u in leads):
            assert state.status == "正常推进" and state.light == "green"
        if state.status == OVERDUE:
            assert last.color == RED


def test_notices_are_not_duplicated_by_a_second_run(season):
    plans, s = season
    before, steps = Notice.objects.count(), NoticeEvent.objects.count()
    open_before = Notice.objects.filter(state__in=lifecycle.OPEN_NOTICE_STATES).exclude(kind=PROMPT).count()
    again = do_generate_notices(plans, END)
    assert again.issued == [] and again.prompts == [] and again.closed == []
    assert again.kept == open_before
    assert Notice.objects.count() == before
    # the whole season replayed: nothing new submitted, nothing new issued
    months = []
    replay = simulate(plans, START, END, seed=7, progress=lambda day, played: months.append(day))
    assert replay.submitted == 0 and replay.skipped > 0
    assert months == [date(2023, 1, 31), date(2023, 2, 28), date(2023, 3, 31)]  # a console line per month
    assert Notice.objects.count() == before
    assert NoticeEvent.objects.count() == steps
    # numbers are one sequence per region and year, without gaps or repeats
    seqs = sorted(Notice.objects.filter(kind=NOTICE).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert Notice.objects.filter(kind=NOTICE, seq=1).get().number == "督〔2023〕1号"


def test_lifecycle_steps_are_recorded_with_who_and_when(season):
    plans, s = season
    closed = Notice.objects.filter(kind=NOTICE, state=lifecycle.CLOSED, color=RED)
    assert closed.exists(), "late units answer their red notices and the office closes them"
    for n in closed:
        events = list(n.events.order_by("at", "id"))
        assert [e.step for e in events] == [
            lifecycle.ISSUE,
            lifecycle.SIGN,
            lifecycle.FEEDBACK,
            lifecycle.CLOSE,
        ]
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert events[1].unit is not None and events[1].unit in n.units.all()
        assert s.profiles[events[1].unit_id] in (LATE, ON_TIME)
        assert "已报送" in events[2].note
        assert all(e.actor_name for e in events)
        assert n.closed_at == events[-1].at
    # a notice is refused a step its state does not allow
    from duban.supervision.actions import do_close, do_sign
    from duban.supervision.lifecycle import TransitionError

    n = closed.first()
    with pytest.raises(TransitionError, match="已办结"):
        do_sign(n)
    issued = Notice.objects.filter(kind=NOTICE, state=lifecycle.ISSUED).first()
    with pytest.raises(TransitionError, match="尚未反馈"):
        do_close(issued)
    assert Notice.objects.get(pk=issued.pk).state == lifecycle.ISSUED


def test_every_change_has_its_audit_entry(season):
    plans, s = season
    assert AuditEntry.objects.filter(action="submit_report").count() == ProgressReport.objects.count()
    notice_audits = AuditEntry.objects.filter(object_type="supervision.Notice")
    assert notice_audits.count() == NoticeEvent.objects.count()
    for n in Notice.objects.all():
        entry = notice_audits.get(action="notice.issue", object_id=str(n.pk))
        assert entry.after["number"] == n.number and entry.before is None
    for e in NoticeEvent.objects.exclude(step=lifecycle.ISSUE).select_related("notice")[:50]:
        entry = notice_audits.filter(action=f"notice.{e.step}", object_id=str(e.notice_id)).first()
        assert entry is not None and entry.before is not None
        assert entry.after["state"] == lifecycle.NOTICE_STATE_LABELS[e.state]
    assert (
        AuditEntry.objects.filter(object_type="supervision.Problem").count() == ProblemEvent.objects.count()
    )
    assert AuditEntry.objects.filter(action="supervision.check").count() >= len(s.checks)


def test_problems_raised_in_reports_are_listed_once(season):
    plans, s = season
    raising = ProgressReport.objects.exclude(problems="")
    assert raising.exists()
    assert raising.filter(version=2).exists(), "late units correct a report, repeating its problem"
    distinct = {(r.task_id, r.unit_id, r.problems, r.coordination_needs) for r in raising}
    problems = Problem.objects.all()
    assert problems.count() == len(distinct)
    for r in raising:
        p = problems.get(task_id=r.task_id, unit_id=r.unit_id)
        assert r.problems in p.text and r.coordination_needs in p.text
        assert p.report.version == 1 and p.report.submitted_at <= r.submitted_at
        steps = list(p.events.values_list("step", flat=True))
        assert steps[0] == lifecycle.RAISE
    # the office moved them on: assigned ones to another unit of the task
    for p in problems.exclude(assignee=None):
        assert p.assignee_id != p.unit_id
        assert TaskUnit.objects.filter(task=p.task, unit=p.assignee).exists()


def test_leaders_get_a_prompt_when_a_task_stays_red(season):
    plans, s = season
    prompts = Notice.objects.filter(kind=PROMPT)
    assert prompts.exists()
    for n in prompts:
        assert n.leaders == list(n.task.leaders)
        history = list(TaskCheck.objects.filter(task=n.task, as_of__lte=n.as_of).order_by("as_of"))
        assert [c.color for c in history[-2:]] == [RED, RED]
    # one per red streak: never two prompts for the same streak
    causes = list(prompts.values_list("cause", flat=True))
    assert len(causes) == len(set(causes))
    # every task red at two consecutive checks got one
    for task in plan_tasks(plans):
        colors = list(TaskCheck.objects.filter(task=task).order_by("as_of").values_list("color", flat=True))
        if any(a == b == RED for a, b in zip(colors, colors[1:], strict=False)):
            assert prompts.filter(task=task).exists()
