"""督办 on a task's timeline: notices and their steps, problems and their steps, 批示.

Registered with the tracking app's timeline registry from :class:`SupervisionConfig.ready`, so the
task page shows them among its reports and status changes without tracking importing supervision.
"""

from __future__ import annotations

from duban.supervision import lifecycle
from duban.supervision.assignments import is_assignment_plan
from duban.supervision.models import Assignment, Instruction, NoticeEvent, ProblemEvent, ReportReturn
from duban.tracking.timeline import TimelineEvent, register_source


def notice_events(task) -> list:
    out = []
    rows = NoticeEvent.objects.filter(notice__task=task).select_related("notice", "unit").order_by("at", "id")
    for e in rows:
        n = e.notice
        step = lifecycle.NOTICE_STEP_LABELS[e.step]
        by = e.unit.name if e.unit_id else e.actor_name
        detail = n.reason if e.step == lifecycle.ISSUE else e.note
        out.append(TimelineEvent(e.at, "督办", f"{n.title} {step}（{by}）", detail, e))
    return out


def problem_events(task) -> list:
    out = []
    rows = ProblemEvent.objects.filter(problem__task=task).select_related("problem", "problem__unit")
    for e in rows.order_by("at", "id"):
        p = e.problem
        step = lifecycle.PROBLEM_STEP_LABELS[e.step]
        state = lifecycle.PROBLEM_STATE_LABELS[e.state]
        detail = p.text if e.step == lifecycle.RAISE else e.note
        out.append(TimelineEvent(e.at, "问题", f"问题 #{p.pk}（{p.unit.name}）{step} → {state}", detail, e))
    return out


def instruction_events(task) -> list:
    return [
        TimelineEvent(i.at, "批示", f"{i.author_name}批示", i.text, i)
        for i in Instruction.objects.filter(task=task).order_by("at", "id")
    ]


def assignment_events(task) -> list:
    """交办 and 签收 of a 督办事项 (read only for a task of a 督办事项 plan), and 退回 of its reports."""

    out = [
        TimelineEvent(r.at, "退回", f"退回 {r.unit.name} {r.period} 报送（{r.actor_name}）", r.reason, r)
        for r in ReportReturn.objects.filter(task=task).select_related("unit")
    ]
    if is_assignment_plan(task.plan):
        a = Assignment.objects.filter(task=task).prefetch_related("receipts__unit").first()
        if a is not None:
            ref = f"（{a.source_ref}）" if a.source_ref else ""
            out.append(TimelineEvent(a.created_at, "交办", f"{a.created_by_name}交办（{a.source}{ref}）", a.task.deadline, a))
            out += [TimelineEvent(r.at, "签收", f"{r.unit.name}签收（{r.actor_name}）", "", r) for r in a.receipts.all()]
    return out


def register() -> None:
    """Add the four sources to the tracking timeline."""
    register_source("supervision.notices", notice_events)
    register_source("supervision.problems", problem_events)
    register_source("supervision.instructions", instruction_events)
    register_source("supervision.assignments", assignment_events)
