"""Every change the cascade makes: plan links, task-link suggestions and decisions, government units.

Each function writes its rows and its audit entry in one transaction, and refuses bad input with a
:class:`~duban.cascade.plantree.CascadeError` before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from duban.audit.trail import current_actor, record, system_user
from duban.cascade.models import TaskLink
from duban.cascade.plantree import (
    CascadeError,
    document_root,
    document_subtree_ids,
    is_document_root,
    linked_parent,
    place_names,
    region_ancestors,
)
from duban.cascade.similarity import clean_text, similar_pairs
from duban.plans.groups import region_group_words
from duban.plans.members import members_of
from duban.plans.models import Plan, Task, Unit


def ensure_group_governments(plan: Plan) -> list[Unit]:
    """Create the missing government units the child-region groups of ``plan``'s document stand for.

    Linking a county plan to the city plan is when the city's 各县市区人民政府 tasks become the
    counties' to report on: each county needs its 人民政府 unit for its reporters to act as.
    """
    groups = Unit.objects.filter(
        is_group=True,
        assignments__task__plan_id__in=document_subtree_ids([plan]),
        assignments__task__active=True,
    ).distinct()
    out: list[Unit] = []
    for group in groups.order_by("pk"):
        if region_group_words(group.name):
            out.extend(members_of(group))
    return out


@transaction.atomic
def do_link_plans(child: Plan, parent: Plan, *, actor=None) -> Plan:
    """Link the lower-level plan ``child`` to the upper-level plan ``parent`` it implements.

    Only a document's root plan (通知, or a 总体方案 without one) is linked, because the plans inside
    a document already hang on it; the parent's region must be above the child's.
    """
    child = Plan.objects.select_related("region", "parent").get(pk=child.pk)
    parent = Plan.objects.select_related("region").get(pk=parent.pk)
    if child.source_document_id == parent.source_document_id:
        raise CascadeError(f"方案 #{child.pk} 与 #{parent.pk} 出自同一文件，不能作为上下级方案链接")
    if not is_document_root(child):
        root = document_root(child)
        raise CascadeError(
            f"方案 #{child.pk}“{child.title}”是文件内的附属方案，请链接该文件的顶层方案 #{root.pk}“{root.title}”"
        )
    if child.region is None or parent.region is None:
        raise CascadeError("方案没有地区，无法链接：请用 duban ingest 文件 --region 地区 重新导入")
    if parent.region not in region_ancestors(child.region):
        raise CascadeError(
            f"上级方案的地区“{parent.region.name}”不是“{child.region.name}”的上级地区，不能链接"
        )
    before = child.parent_id
    if before == parent.pk:
        ensure_group_governments(parent)
        return child
    child.parent = parent
    child.save(update_fields=["parent"])
    ensure_group_governments(parent)
    record(
        "link_plans",
        child,
        summary=f"方案 #{child.pk}“{child.title}”链接到上级方案 #{parent.pk}“{parent.title}”",
        before={"parent": before},
        after={"parent": parent.pk},
        actor=actor,
    )
    return child


@dataclass
class SuggestReport:
    """What a run of :func:`do_suggest_task_links` changed."""

    parent: Plan
    created: list[TaskLink] = field(default_factory=list)
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    decided: int = 0  # confirmed or rejected links, never touched

    def counts(self) -> dict:
        return {
            "created": len(self.created),
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "decided": self.decided,
        }


def _task_text(task: Task) -> str:
    return task.text or task.title


@transaction.atomic
def do_suggest_task_links(child_plan: Plan, *, actor=None) -> SuggestReport:
    """Suggest, for each task of ``child_plan``'s document tree, the parent-plan tasks it implements.

    Idempotent: a second run changes nothing; suggestions that no longer qualify are removed;
    confirmed and rejected links are never changed.
    """
    child_plan = Plan.objects.select_related("region", "parent").get(pk=child_plan.pk)
    parent = linked_parent(child_plan)
    if parent is None:
        raise CascadeError(
            f"方案 #{child_plan.pk}“{child_plan.title}”还没有链接上级方案：先运行 duban link_plans 下级 上级"
        )
    child_tasks = list(
        Task.objects.filter(plan_id__in=document_subtree_ids([child_plan]), active=True).order_by(
            "plan_id", "order"
        )
    )
    parent_tasks = list(
        Task.objects.filter(plan_id__in=document_subtree_ids([parent]), active=True).order_by(
            "plan_id", "order"
        )
    )
    places = place_names(child_plan.region, parent.region)
    pairs = similar_pairs(
        [clean_text(_task_text(t), places) for t in child_tasks],
        [clean_text(_task_text(t), places) for t in parent_tasks],
    )
    wanted = {(child_tasks[i].pk, parent_tasks[j].pk): score for i, j, score in pairs}
    existing = {
        (link.child_task_id, link.parent_task_id): link
        for link in TaskLink.objects.filter(child_task__in=child_tasks)
    }
    report = SuggestReport(parent=parent)
    stale = []
    for key, link in existing.items():
        if link.state != TaskLink.SUGGESTED:
            report.decided += 1
        elif key not in wanted:
            stale.append(link.pk)
        elif abs(link.score - wanted[key]) > 1e-6:
            link.score = wanted[key]
            link.save(update_fields=["score"])
            report.updated += 1
        else:
            report.unchanged += 1
    if stale:
        report.removed = TaskLink.objects.filter(pk__in=stale).delete()[0]
    report.created = TaskLink.objects.bulk_create(
        TaskLink(child_task_id=c, parent_task_id=p, score=score)
        for (c, p), score in wanted.items()
        if (c, p) not in existing
    )
    if report.created or report.updated or report.removed:
        record(
            "suggest_task_links",
            child_plan,
            summary=(
                f"方案 #{child_plan.pk} 对照上级方案 #{parent.pk} 生成任务衔接建议：新增 {len(report.created)}，"
                f"更新 {report.updated}，移除 {report.removed}（已确认/否决的 {report.decided} 条不变）"
            ),
            after=report.counts(),
            actor=actor,
        )
    return report


def _decide(link: TaskLink, state: str, action: str, verb: str, actor) -> TaskLink:
    link = TaskLink.objects.select_for_update().select_related("child_task", "parent_task").get(pk=link.pk)
    if link.state == state:
        return link
    actor = actor if actor is not None else current_actor()
    before = link.state
    link.state = state
    link.decided_by = actor
    link.decided_by_name = actor.get_username() if actor else system_user()
    link.decided_at = timezone.now()
    link.save(update_fields=["state", "decided_by", "decided_by_name", "decided_at"])
    record(
        action,
        link,
        summary=f"{verb}任务衔接：下级任务 #{link.child_task_id}“{link.child_task.title[:30]}” → "
        f"上级任务 #{link.parent_task_id}“{link.parent_task.title[:30]}”",
        before={"state": before},
        after={"state": state},
        actor=actor,
    )
    return link


@transaction.atomic
def do_confirm_link(link: TaskLink, *, actor=None) -> TaskLink:
    """A person agrees the child task implements the parent task (kept across re-suggestions)."""
    return _decide(link, TaskLink.CONFIRMED, "confirm_task_link", "确认", actor)


@transaction.atomic
def do_reject_link(link: TaskLink, *, actor=None) -> TaskLink:
    """A person says the suggestion is wrong; it is never suggested again."""
    return _decide(link, TaskLink.REJECTED, "reject_task_link", "否决", actor)
