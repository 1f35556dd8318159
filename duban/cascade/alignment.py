"""The alignment report of a lower-level plan against the upper-level plan it implements.

For targets: every distinct upper-level target (the same target repeated in the 总体方案, the
工作方案 and the 责任分解表 counts once) with its counterparts below, matched by indicator
(:mod:`duban.cascade.indicators`), and a verdict — no counterpart, weaker, equal, stronger, or not
comparable (a total, or a different measure such as a growth rate above and a total below).
For tasks: the upper-level tasks with their counterparts below — text-similarity suggestions
(:mod:`duban.cascade.similarity`) overlaid with the links a person confirmed or rejected — and
those with none. Each side is a set of plans (every plan of 新邵县, say) with their descendants in
the same document. A fixed number of queries, whatever the size of the plans.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from duban.cascade import indicators as ind
from duban.cascade.models import TaskLink
from duban.cascade.plantree import CascadeError, document_subtree_ids, place_names
from duban.cascade.similarity import clean_text, similar_pairs
from duban.plans.groups import region_group_words
from duban.plans.models import Plan, Region, Target, Task, TaskUnit

VERDICTS = {
    "missing": "下级无对应目标",
    "weaker": "下级目标低于上级",
    "equal": "与上级持平",
    "stronger": "下级目标高于上级",
    "other_measure": "口径不同，不比较",
    "totals": "总量指标，不比较",
}
CLASS_LABELS = {"rate": "增长率", "level": "比率", "points": "百分点", "total": "总量"}


def target_text(t: Target) -> str:
    """'地区生产总值 增长 7.5% 左右' — a target in one short line."""
    value = f"{t.value:g}"
    return f"{t.indicator} {t.measure} {value}{t.measure_unit}{(' ' + t.qualifier) if t.qualifier else ''}"


@dataclass
class TargetRow:
    """One distinct upper-level target and what the lower level set for the same indicator."""

    parent: Target
    key: str
    klass: str
    children: list[Target] = field(default_factory=list)
    verdict: str = "missing"
    note: str = ""

    def to_dict(self) -> dict:
        return {
            "indicator": self.parent.indicator,
            "key": self.key,
            "measure_class": self.klass,
            "parent": _target_dict(self.parent),
            "children": [_target_dict(t) for t in self.children],
            "verdict": self.verdict,
            "verdict_text": VERDICTS[self.verdict],
            "note": self.note,
        }


def _target_dict(t: Target) -> dict:
    return {
        "id": t.pk,
        "plan": t.plan_id,
        "line": t.line,
        "indicator": t.indicator,
        "measure": t.measure,
        "value": t.value,
        "unit": t.measure_unit,
        "qualifier": t.qualifier,
        "text": target_text(t),
    }


@dataclass
class Counterpart:
    task: Task
    score: float
    state: str  # suggested (computed or stored) | confirmed

    def to_dict(self) -> dict:
        return {
            "id": self.task.pk,
            "plan": self.task.plan_id,
            "line": self.task.line,
            "title": self.task.title,
            "score": round(self.score, 3),
            "state": self.state,
        }


@dataclass
class TaskRow:
    task: Task
    assigned_below: bool  # the upper plan assigns it to a group that includes the lower region
    counterparts: list[Counterpart] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "id": self.task.pk,
            "plan": self.task.plan_id,
            "line": self.task.line,
            "title": self.task.title,
            "units": self.task.unit_names,
            "assigned_below": self.assigned_below,
            "counterparts": [c.to_dict() for c in self.counterparts],
        }


@dataclass
class Alignment:
    child_plans: list[Plan]
    parent_plans: list[Plan]
    targets: list[TargetRow]
    child_only_targets: list[Target]
    tasks: list[TaskRow]
    child_task_count: int

    def rows(self, verdict: str) -> list[TargetRow]:
        return [r for r in self.targets if r.verdict == verdict]

    @property
    def matched_tasks(self) -> list[TaskRow]:
        return [r for r in self.tasks if r.counterparts]

    @property
    def unmatched_tasks(self) -> list[TaskRow]:
        return [r for r in self.tasks if not r.counterparts]

    def to_dict(self) -> dict:
        return {
            "child_plans": [{"id": p.pk, "title": p.title, "region": _region(p)} for p in self.child_plans],
            "parent_plans": [{"id": p.pk, "title": p.title, "region": _region(p)} for p in self.parent_plans],
            "targets": [r.to_dict() for r in self.targets],
            "child_only_targets": [_target_dict(t) for t in self.child_only_targets],
            "tasks": {
                "parent_count": len(self.tasks),
                "child_count": self.child_task_count,
                "matched": [r.to_dict() for r in self.matched_tasks],
                "unmatched": [r.to_dict() for r in self.unmatched_tasks],
            },
        }


def _region(p: Plan) -> str:
    return p.region.name if p.region else ""


def _distinct(targets: list[Target], places: tuple[str, ...]) -> list[tuple[Target, str, str]]:
    """(target, indicator key, measure class), the first of each repeated target, in document order."""
    seen, out = set(), []
    for t in targets:
        key = ind.indicator_key(t.indicator, places)
        klass = ind.measure_class(t.measure, t.measure_unit)
        sig = (key, klass, t.measure, round(t.value, 6), t.measure_unit)
        if sig not in seen:
            seen.add(sig)
            out.append((t, key, klass))
    return out


def _judge(row: TargetRow, child: list[tuple[Target, str, str]]) -> None:
    """Set the verdict of ``row`` from the lower-level targets of the same indicator."""
    if not child:
        row.verdict = "missing"
        return
    row.children = [t for t, _k, _c in child]
    same = [t for t, _k, c in child if c == row.klass]
    if row.klass == "total":
        row.verdict = "totals"
        row.note = "总量指标：下级总量是上级的一部分，不与上级比较高低"
        return
    if not same:
        row.verdict = "other_measure"
        others = "；".join(f"{CLASS_LABELS[c]}：{target_text(t)}" for t, _k, c in child)
        row.note = f"上级为{CLASS_LABELS[row.klass]}目标，下级只有其他口径（{others}），不可比较"
        return
    lower_better = ind.lower_is_better(row.parent.qualifier, row.parent.measure)
    verdicts = [ind.compare(t.value, row.parent.value, lower_better) for t in same]
    order = ["weaker", "equal", "stronger"]
    row.verdict = min(verdicts, key=order.index)
    weakest = same[verdicts.index(row.verdict)]
    unit = row.parent.measure_unit
    row.note = f"下级 {weakest.value:g}{unit}，上级 {row.parent.value:g}{unit}" + (
        "（控制性指标，越低越好）" if lower_better else ""
    )


def _assigned_below(task: Task, child_regions: set[Region]) -> bool:
    for a in task.assignments.all():
        words = region_group_words(a.unit.name) if a.unit.is_group else ()
        if words and any(r.parent_id == a.unit.region_id and r.name.endswith(words) for r in child_regions):
            return True
    return False


def _check_levels(child_plans: list[Plan], parent_plans: list[Plan]) -> None:
    """Every parent plan's region must be above every child plan's (one query for the region tree)."""
    regions = {r.pk: r for r in Region.objects.all()}

    def above(region_id):
        out, node = set(), regions.get(regions[region_id].parent_id) if region_id in regions else None
        while node is not None and node.pk not in out:
            out.add(node.pk)
            node = regions.get(node.parent_id)
        return out

    for c in child_plans:
        ancestors = above(c.region_id)
        for p in parent_plans:
            if p.region_id not in ancestors:
                raise CascadeError(
                    f"上级方案 #{p.pk} 的地区“{_region(p) or '未识别'}”不是下级方案 #{c.pk} 的地区"
                    f"“{_region(c) or '未识别'}”的上级：请检查参数顺序（下级在前，上级在后）"
                )


def _tasks(plan_ids: list[int], with_units: bool) -> list[Task]:
    tasks = Task.objects.filter(plan_id__in=plan_ids, active=True).order_by(
        "plan__source_document_id", "plan__order", "order"
    )
    if with_units:
        tasks = tasks.prefetch_related(
            Prefetch("assignments", queryset=TaskUnit.objects.select_related("unit"))
        )
    return list(tasks)


def build_alignment(child_plans, parent_plans) -> Alignment:
    """The alignment report of the plans ``child_plans`` against ``parent_plans`` (plans or querysets)."""
    child_plans, parent_plans = list(child_plans), list(parent_plans)
    if not child_plans or not parent_plans:
        raise CascadeError("下级方案和上级方案都至少要有一个")
    _check_levels(child_plans, parent_plans)
    child_ids = document_subtree_ids(child_plans)
    parent_ids = document_subtree_ids(parent_plans)
    child_regions = {p.region for p in child_plans}
    places = place_names(*child_regions, *{p.region for p in parent_plans})
    order = ("plan__source_document_id", "plan__order", "order")
    parent_targets = _distinct(list(Target.objects.filter(plan_id__in=parent_ids).order_by(*order)), places)
    child_targets = _distinct(list(Target.objects.filter(plan_id__in=child_ids).order_by(*order)), places)
    position = {c[0].pk: i for i, c in enumerate(child_targets)}
    by_key: dict[str, list[tuple[Target, str, str]]] = {}
    for c in child_targets:
        by_key.setdefault(c[1], []).append(c)
    rows, used = [], set()
    for t, key, klass in parent_targets:
        row = TargetRow(parent=t, key=key, klass=klass)
        same = [c for k, group in by_key.items() if ind.same_indicator(k, key) for c in group]
        same.sort(key=lambda c: position[c[0].pk])
        used.update(c[0].pk for c in same)
        _judge(row, same)
        rows.append(row)
    child_only = [t for t, _k, _c in child_targets if t.pk not in used]

    parent_tasks, child_tasks = _tasks(parent_ids, with_units=True), _tasks(child_ids, with_units=False)
    task_rows = [TaskRow(task=t, assigned_below=_assigned_below(t, child_regions)) for t in parent_tasks]
    found: dict[tuple[int, int], Counterpart] = {}
    pairs = similar_pairs(
        [clean_text(t.text or t.title, places) for t in child_tasks],
        [clean_text(t.text or t.title, places) for t in parent_tasks],
    )
    for i, j, score in pairs:
        found[(i, j)] = Counterpart(child_tasks[i], score, TaskLink.SUGGESTED)
    child_index = {t.pk: i for i, t in enumerate(child_tasks)}
    parent_index = {t.pk: j for j, t in enumerate(parent_tasks)}
    links = TaskLink.objects.filter(child_task_id__in=child_index, parent_task_id__in=parent_index).exclude(
        state=TaskLink.SUGGESTED
    )
    for link in links:
        key = (child_index[link.child_task_id], parent_index[link.parent_task_id])
        if link.state == TaskLink.REJECTED:
            found.pop(key, None)
        else:
            found[key] = Counterpart(child_tasks[key[0]], link.score, TaskLink.CONFIRMED)
    for (_i, j), cp in found.items():
        task_rows[j].counterparts.append(cp)
    for row in task_rows:
        row.counterparts.sort(key=lambda c: (c.state != TaskLink.CONFIRMED, -c.score))
    return Alignment(child_plans, parent_plans, rows, child_only, task_rows, len(child_tasks))


def _side(plans: list[Plan]) -> str:
    regions = sorted({_region(p) or "未识别地区" for p in plans})
    return f"{'、'.join(regions)}（{len(plans)} 个方案：{'、'.join(f'#{p.pk}' for p in plans[:6])}{'…' if len(plans) > 6 else ''}）"


def _where(t) -> str:
    return f"#{t.plan_id} 第 {t.line} 行"


def text_report(a: Alignment) -> list[str]:
    """The report as lines of Chinese text (``duban align``)."""
    out = [f"下级：{_side(a.child_plans)}", f"上级：{_side(a.parent_plans)}", ""]
    counts = "，".join(f"{VERDICTS[v]} {len(a.rows(v))}" for v in VERDICTS)
    out.append(
        f"一、目标对照：上级目标 {len(a.targets)} 项（{counts}）；下级自设目标 {len(a.child_only_targets)} 项"
    )
    for verdict in ("weaker", "missing", "other_measure", "totals", "equal", "stronger"):
        rows = a.rows(verdict)
        if not rows:
            continue
        out.append(f"  【{VERDICTS[verdict]}】")
        for r in rows:
            below = "；".join(f"{target_text(t)}（{_where(t)}）" for t in r.children)
            line = f"    - {target_text(r.parent)}（{_where(r.parent)}）"
            if below:
                line += f" ⇢ 下级：{below}"
            if r.note and verdict not in ("missing",):
                line += f"。{r.note}"
            out.append(line)
    assigned = [r for r in a.tasks if r.assigned_below]
    out.append("")
    out.append(
        f"二、任务对照：上级任务 {len(a.tasks)} 项，下级有对应 {len(a.matched_tasks)} 项，无对应 "
        f"{len(a.unmatched_tasks)} 项（其中分配给下级的 {len(assigned)} 项中无对应 "
        f"{sum(1 for r in assigned if not r.counterparts)} 项）；下级任务 {a.child_task_count} 项"
    )
    out.append("  【有对应的上级任务】（相似度；已确认的在前）")
    for r in a.matched_tasks:
        out.append(f"    - 上级 #{r.task.pk} {r.task.title[:40]}（{_where(r.task)}）")
        for c in r.counterparts:
            state = "已确认" if c.state == TaskLink.CONFIRMED else "建议"
            out.append(
                f"        ⇢ 下级 #{c.task.pk} {c.task.title[:40]}（{_where(c.task)}，{c.score:.2f}，{state}）"
            )
    out.append("  【下级无对应的上级任务】（★ 分配给下级政府的）")
    for r in sorted(a.unmatched_tasks, key=lambda r: not r.assigned_below):
        star = "★ " if r.assigned_below else ""
        out.append(f"    - {star}上级 #{r.task.pk} {r.task.title[:50]}（{_where(r.task)}）")
    return out
