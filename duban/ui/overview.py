"""The figures of the dashboard (督查室/专班), the leader page and the public page, as plain dicts.

One function per page, each reading a fixed number of queries whatever the number of tasks:
task states come from ``tracking.status.task_states`` (eight queries for any number of tasks),
target progress from ``tracking.progress.target_progress`` on the latest actuals.
The dicts are what the templates print and what ``/api/dashboard/`` returns, so a chart, a table
and the API always show the same numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from django.db.models import Count

from duban.cascade.plantree import region_groups
from duban.plans.models import Plan, Target, Task
from duban.plans.periods import to_local
from duban.supervision.lifecycle import OPEN_NOTICE_STATES, OPEN_PROBLEM_STATES, PROBLEM_STATE_LABELS
from duban.supervision.models import COLOR_LABELS, Instruction, Notice, Problem
from duban.tracking.actions import latest_actuals
from duban.tracking.models import TASK_STATUSES, ProgressReport
from duban.tracking.progress import GREEN, LIGHT_LABELS, LIGHTS, RED, YELLOW, target_progress
from duban.tracking.status import task_states

OTHER = "总体方案及其他"
LIST_LIMIT = 50  # rows listed per table (counts are always complete)
GROUP_LIMIT = 60  # campaign rows beyond which the dashboard groups by region (市州) instead
TARGET_LIMIT = 200  # targets listed on a dashboard beyond which only the furthest behind are listed


def pct(x: float | None) -> float | None:
    return None if x is None else round(x * 100, 1)


def campaign_key(plan: Plan) -> tuple[int | None, str]:
    c = plan.campaign
    if c is None:
        return None, f"{OTHER}（{plan.region.name}）" if plan.region_id else OTHER
    return c.pk, f"{c.name}（{c.region.name}）" if c.region_id else c.name


def _tasks(tasks) -> list[Task]:
    """Active tasks in plan order, each with its plan (campaign, regions) read once per plan, not per task."""
    rows = list(
        tasks.filter(active=True)
        .defer("text", "progress", "persons", "section", "source_document")
        .order_by("plan_id", "order")
    )
    plans = Plan.objects.select_related("region", "campaign", "campaign__region").in_bulk(
        {t.plan_id for t in rows}
    )
    for t in rows:
        t.plan = plans[t.plan_id]
    return rows


def group_rows(tasks: list[Task], states, key_of) -> list[dict]:
    """Per group (``key_of(task)`` → (id, name)): tasks by status and light, mean percent, share done."""
    groups: dict[tuple, list] = defaultdict(list)
    for t in tasks:
        groups[key_of(t)].append(states[t.pk])
    rows = []
    for (pk, name), ss in sorted(groups.items(), key=lambda kv: (kv[0][0] is None, kv[0][1])):
        status = Counter(s.status for s in ss)
        light = Counter(s.light for s in ss)
        percents = [s.percent or 0 for s in ss]
        rows.append(
            {
                "id": pk,
                "name": name,
                "tasks": len(ss),
                "status": {k: status[k] for k in TASK_STATUSES},
                "lights": {k: light[k] for k in LIGHTS},
                "done": status["已完成"],
                "done_share": pct(status["已完成"] / len(ss)),
                "mean_percent": round(sum(percents) / len(ss), 1),
                "mean_expected": round(sum(s.expected for s in ss) / len(ss) * 100, 1),
            }
        )
    return rows


def campaign_rows(tasks: list[Task], states) -> list[dict]:
    """Per campaign (仗/行动): see :func:`group_rows`."""
    return group_rows(tasks, states, lambda t: campaign_key(t.plan))


def region_rows(tasks: list[Task], states) -> list[dict]:
    """Per region one level below what the tasks share (the 市州 of a province, a county's tasks with
    its city: :func:`duban.cascade.plantree.region_groups`, as the briefs group them), in region
    order: see :func:`group_rows`. ``id`` is None: the rows are not campaigns to filter by."""
    groups = region_groups({t.plan.region_id for t in tasks})
    rows = group_rows(tasks, states, lambda t: (None, groups[t.plan.region_id][1]))
    order = {name: key for key, name in groups.values()}
    return sorted(rows, key=lambda r: order[r["name"]])


def target_rows(plan_ids, as_of: datetime) -> list[dict]:
    targets = list(
        Target.objects.filter(plan_id__in=plan_ids, plan__active=True)
        .select_related("plan__campaign")
        .order_by("plan_id", "order")
    )
    actuals = latest_actuals([t.pk for t in targets], as_of)
    rows = []
    for t in targets:
        a = actuals.get(t.pk)
        p = target_progress(t.measure, t.value, t.measure_unit, t.qualifier, a.value if a else None, as_of)
        rows.append(
            {
                "id": t.pk,
                "indicator": t.indicator,
                "campaign": t.plan.campaign.name if t.plan.campaign else OTHER,
                "target": f"{t.measure}{t.value:g}{t.measure_unit}{t.qualifier}",
                "actual": a.value if a else None,
                "actual_period": a.period_obj.label if a else "",
                "kind": "增速" if p.kind == "rate" else "总量",
                "completion": pct(p.completion),
                "expected": None if p.kind == "rate" else pct(p.expected),
                "light": p.light,
            }
        )
    return rows


def listed_targets(rows: list[dict]) -> list[dict]:
    """All the targets of a small scope in plan order; of a big one (a province has thousands) the
    :data:`TARGET_LIMIT` furthest behind — red, then yellow, lowest completion first."""
    if len(rows) <= TARGET_LIMIT:
        return rows
    order = {light: k for k, light in enumerate((RED, YELLOW, GREEN))}
    return sorted(
        rows, key=lambda r: (order.get(r["light"], len(order)), r["completion"] is None, r["completion"] or 0)
    )[:TARGET_LIMIT]


def reporter_rows(tasks: list[Task], states, year_start: date, as_of: datetime, task_ids=None) -> dict:
    """缺报 (due and not reported, per unit) and 迟报 (reported after the due time, per unit).

    ``task_ids`` may be a subquery of the same tasks: a list of ten thousand ids is slower to send.
    """
    missing: Counter = Counter()
    for t in tasks:
        for names in states[t.pk].missing_reporters():  # no DueItem built per missed period
            for name in names:
                missing[name] += 1
    late = (
        ProgressReport.objects.filter(
            task__in=[t.pk for t in tasks] if task_ids is None else task_ids,
            late_by__isnull=False,
            submitted_at__lte=as_of,
            period_start__gte=year_start,
        )
        .values("unit__name")
        .annotate(n=Count("id"))
        .order_by("-n", "unit__name")
    )
    return {
        "missing": [{"unit": u, "count": n} for u, n in missing.most_common(LIST_LIMIT)],
        "missing_units": len(missing),
        "missing_total": sum(missing.values()),
        "late": [{"unit": r["unit__name"], "count": r["n"]} for r in late[:LIST_LIMIT]],
    }


def notice_rows(task_ids) -> dict:
    qs = Notice.objects.filter(task_id__in=task_ids, state__in=OPEN_NOTICE_STATES)
    counts = {c: 0 for c in COLOR_LABELS}
    for row in qs.values("color").annotate(n=Count("id")):
        counts[row["color"]] = row["n"]
    recent = qs.select_related("task").prefetch_related("units").order_by("-issued_at", "-id")[:LIST_LIMIT]
    return {
        "counts": counts,
        "total": sum(counts.values()),
        "recent": [
            {
                "id": n.pk,
                "number": n.number,
                "color": n.color,
                "title": n.title,
                "task_id": n.task_id,
                "task": n.task.title,
                "units": [u.name for u in n.units.all()],
                "state": n.get_state_display(),
                "issued_at": to_local(n.issued_at).strftime("%Y-%m-%d"),
            }
            for n in recent
        ],
    }


def problem_rows(task_ids) -> dict:
    qs = Problem.objects.filter(task_id__in=task_ids, state__in=OPEN_PROBLEM_STATES)
    counts = {PROBLEM_STATE_LABELS[s]: 0 for s in OPEN_PROBLEM_STATES}
    for row in qs.values("state").annotate(n=Count("id")):
        counts[PROBLEM_STATE_LABELS[row["state"]]] = row["n"]
    recent = qs.select_related("task", "unit").order_by("-raised_at", "-id")[:LIST_LIMIT]
    return {
        "counts": counts,
        "total": sum(counts.values()),
        "recent": [
            {
                "id": p.pk,
                "task_id": p.task_id,
                "task": p.task.title,
                "unit": p.unit.name if p.unit_id else "",
                "text": p.text,
                "state": p.get_state_display(),
            }
            for p in recent
        ],
    }


def grouped(rows: list[Task], states) -> dict:
    """The dashboard's progress table: per campaign, or per region (a province's 市州) when the
    campaigns are too many to read (a province's thousand); ``group_by`` names which."""
    campaigns = campaign_rows(rows, states)
    if len(campaigns) <= GROUP_LIMIT:
        return {"group_by": "仗（行动）", "campaigns": campaigns}
    return {"group_by": "地区", "campaigns": region_rows(rows, states)}


def dashboard(tasks, as_of: datetime) -> dict:
    """Everything the 督查室/专班 dashboard shows for ``tasks`` (a queryset, already permission-narrowed)."""
    as_of = to_local(as_of)
    rows = _tasks(tasks)
    states = task_states(rows, as_of)
    status = Counter(s.status for s in states.values())
    light = Counter(s.light for s in states.values())
    ids = tasks.filter(active=True).values("pk")  # as a subquery: same tasks as ``rows``
    targets = target_rows({t.plan_id for t in rows}, as_of)
    target_light = Counter(r["light"] for r in targets)
    return {
        "as_of": as_of.isoformat(timespec="minutes"),
        "tasks": len(rows),
        "status": {k: status[k] for k in TASK_STATUSES},
        "lights": {k: light[k] for k in LIGHTS},
        "light_labels": LIGHT_LABELS,
        **grouped(rows, states),
        "targets": listed_targets(targets),
        "targets_total": len(targets),
        "target_lights": {k: target_light[k] for k in LIGHTS},
        "reporters": reporter_rows(rows, states, date(as_of.year, 1, 1), as_of, ids),
        "notices": notice_rows(ids),
        "problems": problem_rows(ids),
    }


def red_items(tasks, as_of: datetime, limit: int = 200) -> tuple[list[dict], int]:
    """The leader's list: red tasks (逾期未报 / 滞后), worst first, with their open notices and 批示."""
    as_of = to_local(as_of)
    rows = _tasks(tasks)
    states = task_states(rows, as_of)
    red = [t for t in rows if states[t.pk].light == "red"]
    red.sort(
        key=lambda t: (
            states[t.pk].status != "逾期未报",
            -len(states[t.pk].missing_reporters()),
            t.plan_id,
            t.order,
        )
    )
    shown = red[:limit]
    ids = [t.pk for t in shown]
    notices: dict[int, list] = defaultdict(list)
    for n in Notice.objects.filter(task_id__in=ids, state__in=OPEN_NOTICE_STATES).order_by("issued_at"):
        notices[n.task_id].append(n)
    instructions: dict[int, list] = defaultdict(list)
    for i in Instruction.objects.filter(task_id__in=ids).order_by("-at"):
        instructions[i.task_id].append(i)
    items = []
    for t in shown:
        s = states[t.pk]
        missing_units = sorted({u for names in s.missing_reporters() for u in names})
        items.append(
            {
                "task": t,
                "state": s,
                "campaign": campaign_key(t.plan)[1],
                "missing_units": missing_units,
                "notices": notices[t.pk],
                "instructions": instructions[t.pk],
            }
        )
    return items, len(red)


def public_summary(as_of: datetime) -> dict:
    """The public page: per campaign progress and every target — no names of persons or units."""
    as_of = to_local(as_of)
    rows = _tasks(Task.objects.filter(plan__active=True))
    states = task_states(rows, as_of)
    campaigns = [
        {k: c[k] for k in ("name", "tasks", "done", "done_share", "mean_percent", "mean_expected", "lights")}
        for c in campaign_rows(rows, states)
    ]
    targets = [
        {
            k: r[k]
            for k in (
                "indicator",
                "campaign",
                "target",
                "actual",
                "actual_period",
                "completion",
                "expected",
                "light",
            )
        }
        for r in target_rows({t.plan_id for t in rows}, as_of)
    ]
    return {"as_of": as_of.date().isoformat(), "campaigns": campaigns, "targets": targets}
