"""The 督办 check on every bundled sample and every hand-written fixture, each on a fresh database.

A task whose only unit is a group (各成员单位, 各县市区人民政府) owes reports from the group's members;
the check must address its notices to exactly those members, never crash on them (issue 24: sample
003's 各成员单位 task made the check refuse the member it had found overdue).
"""

from datetime import date, timedelta
from pathlib import Path

import pytest

from duban.ingest import IngestError
from duban.plans.actions import do_ingest_file
from duban.plans.members import members_of
from duban.plans.models import Plan, TaskUnit, Unit
from duban.supervision import actions
from duban.supervision.models import NOTICE, Notice

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PLAN_SUFFIXES = {".txt", ".md", ".html", ".docx", ".xlsx", ".pdf"}
# the bundled samples, the hand-written fixtures, and the corpus of other plans when there is one
DOCUMENTS = [
    p
    for folder in ("duban/data/samples", "tests/fixtures", "tests/corpus")
    for p in sorted((ROOT / folder).glob("*"))
    if p.suffix in PLAN_SUFFIXES
]


def _check_day(plans) -> date:
    """A day some 100 days into the programme of ``plans``: a first quarter has come due by then."""
    programme = plans[0].source_document.programme
    return min(programme.period_start + timedelta(days=100), programme.period_end)


def _really_responsible(task) -> set[int]:
    """The units a task names plus the members of its group units, read group by group (creating
    a missing county government, which a later check would then chase too)."""
    out = set()
    for a in TaskUnit.objects.filter(task=task).select_related("unit", "task__plan"):
        out |= {u.pk for u in members_of(a.unit, plan=a.task.plan)} if a.unit.is_group else {a.unit_id}
    return out


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_the_check_runs_on_every_document_and_addresses_only_responsible_units(path):
    try:
        do_ingest_file(str(path))
    except IngestError as e:  # a corpus may hold files that are no plan: they are refused, not checked
        pytest.skip(f"不是可导入的方案：{e}")
    plans = list(Plan.objects.select_related("source_document__programme"))
    if not TaskUnit.objects.filter(task__active=True, unit__is_group=False).exists():
        pytest.skip("没有写明责任单位的任务（如只有目标的计划）：没有可督办的对象")
    day = _check_day(plans)
    report = actions.do_generate_notices(plans, day)
    assert report.issued, "a quarter without any report must be chased"
    again = actions.do_generate_notices(plans, day)
    assert not again.issued  # the same day twice issues nothing new
    notices = Notice.objects.filter(kind=NOTICE).prefetch_related("units").select_related("task__plan")
    for n in notices:
        named = {u.pk for u in n.units.all()}
        assert named, n.number
        assert named <= _really_responsible(n.task), (n.number, n.reason)
        assert not any(u.is_group for u in n.units.all())


def test_a_task_of_the_task_force_members_only_is_chased_at_its_members():
    do_ingest_file(str(DOCUMENTS[[p.name[:3] for p in DOCUMENTS].index("003")]))
    task = next(
        t
        for t in actions.plan_tasks(list(Plan.objects.all()))
        if [a.unit.name for a in t.assignments.all()] == ["各成员单位"]
    )
    members = _really_responsible(task)
    assert len(members) > 3  # the task force's member units
    plans = list(Plan.objects.select_related("source_document__programme"))
    actions.do_generate_notices(plans, _check_day(plans))
    chased = {u.pk for n in Notice.objects.filter(task=task, kind=NOTICE) for u in n.units.all()}
    assert chased == members  # nothing reported: every member is red


def test_a_member_of_a_group_unit_has_its_own_ledger():
    """A unit that reports only as one of 各成员单位 is a responsible unit of the plan for the ledger
    export too (``duban export --kind 台账 --unit``), as for the check that chases it."""
    from duban.briefs.ledger import find_plan_unit
    from duban.tracking.schedule import PlanTree

    do_ingest_file(str(DOCUMENTS[[p.name[:3] for p in DOCUMENTS].index("003")]))
    task = next(
        t
        for t in actions.plan_tasks(list(Plan.objects.all()))
        if [a.unit.name for a in t.assignments.all()] == ["各成员单位"]
    )
    below = PlanTree.load().down(task.plan_id)
    only_as_member = [
        pk
        for pk in _really_responsible(task)
        if not TaskUnit.objects.filter(task__plan_id__in=below, unit_id=pk).exists()
    ]
    assert only_as_member
    for pk in only_as_member:
        unit = Unit.objects.get(pk=pk)
        assert find_plan_unit(task.plan, unit.name) == unit
