"""Which rhythms bind which tasks: the cadences of a plan (and of the plans above it) as due rules.

Rules (docs/tracking.md):

* A cadence of plan P applies to P's tasks and to the tasks of every plan under P (a 总体方案's
  '旬简报、月通报、季总结' covers its 工作方案 and 责任分解表). Removed cadences (``active=False``) do not.
* An item is a *reporting* item (报送类) when its action starts with 报送/上报/报告/填报: the responsible
  units of the tasks in scope report. Any other item (简报/通报/总结/调度/点评 …) is *produced* by one
  body: the office of the plan's task force (nearest up the plan tree), else the cadence's
  report_to, else 督查室.
* A task with no reporting item in its plan or above gets the default rhythm :data:`DEFAULT_EVERY`
  报送, due at the end of each period; the office overrides it by adding a 手工 cadence.
* A task's report for a period is due at the earliest due instant its reporting items give that period.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from duban.audit.cache import STRUCTURE, cached
from duban.plans.models import Cadence, Plan, TaskForce
from duban.plans.periods import Period
from duban.plans.programmes import plan_windows
from duban.tracking.due_rules import DueRule, cadence_rules, due_rule
from duban.tracking.validity import Window, admit

REPORT_PREFIXES = ("报送", "上报", "报告", "填报")
DEFAULT_EVERY = "月"
DEFAULT_ACTION = "报送"
DEFAULT_ORIGIN = "默认"
DEFAULT_TEXT = "方案未规定报送周期：默认每月报送，月末 23:59 前"
OFFICE_FALLBACK = "督查室"


def is_reporting(action: str) -> bool:
    """Whether units report under this item (报送类) rather than one body producing it."""
    return (action or "").startswith(REPORT_PREFIXES)


@dataclass(frozen=True)
class Rhythm:
    """One item of a cadence as it applies: every ``every`` do ``action`` by ``rule``."""

    every: str
    action: str
    rule: DueRule
    report_to: str
    plan_id: int
    cadence_id: int | None = None  # None: the default rhythm
    line: int | None = None
    text: str = DEFAULT_TEXT
    origin: str = DEFAULT_ORIGIN

    @property
    def reporting(self) -> bool:
        return is_reporting(self.action)


def default_rhythm(plan_id: int) -> Rhythm:
    return Rhythm(DEFAULT_EVERY, DEFAULT_ACTION, due_rule(DEFAULT_EVERY), "", plan_id)


def cadence_rhythms(cadence: Cadence) -> list[Rhythm]:
    """The rhythms of a stored cadence (its items must be loaded: prefetch ``items``)."""
    view = {
        "due": cadence.due,
        "report_to": cadence.report_to,
        "items": [{"every": i.every, "action": i.action} for i in cadence.items.all()],
    }
    return [
        Rhythm(
            kind,
            action,
            rule,
            cadence.report_to,
            cadence.plan_id,
            cadence.pk,
            cadence.line,
            cadence.text,
            cadence.origin,
        )
        for kind, action, rule in cadence_rules(view)
    ]


class PlanTree:
    """Parent links of every plan (one query), to walk up and down the plan tree."""

    def __init__(self, parents: dict[int, int | None]):
        self.parents = parents
        self.children: dict[int, list[int]] = defaultdict(list)
        for pk, parent in parents.items():
            if parent is not None:
                self.children[parent].append(pk)

    @classmethod
    def load(cls) -> PlanTree:
        """The current tree (shared, read-only: once per process and structure version)."""
        return cached(("plan_tree",), STRUCTURE, lambda: cls(dict(Plan.objects.values_list("id", "parent_id"))))

    def up(self, plan_id: int) -> list[int]:
        """The plan and its ancestors, nearest first."""
        out, seen = [], set()
        while plan_id is not None and plan_id not in seen:
            out.append(plan_id)
            seen.add(plan_id)
            plan_id = self.parents.get(plan_id)
        return out

    def down(self, plan_id: int) -> set[int]:
        """The plan and every plan under it."""
        out, todo = set(), [plan_id]
        while todo:
            pk = todo.pop()
            if pk not in out:
                out.add(pk)
                todo.extend(self.children.get(pk, ()))
        return out


def _all_rhythms() -> dict[int, tuple[Rhythm, ...]]:
    out: dict[int, list[Rhythm]] = defaultdict(list)
    cadences = Cadence.objects.filter(active=True).prefetch_related("items")
    for c in cadences.order_by("plan_id", "order", "id"):
        out[c.plan_id].extend(cadence_rhythms(c))
    return {pk: tuple(rs) for pk, rs in out.items()}


def load_rhythms(plan_ids) -> dict[int, list[Rhythm]]:
    """{plan id: rhythms of its own active cadences}: those of every plan are read once per process
    and structure version (a province has a few hundred cadences), then picked from memory."""
    every = cached(("rhythms",), STRUCTURE, _all_rhythms)
    out: dict[int, list[Rhythm]] = defaultdict(list)
    for pk in set(plan_ids):
        if pk in every:
            out[pk] = list(every[pk])
    return out


def reporting_rhythms(plan_id: int, tree: PlanTree, rhythms: dict[int, list[Rhythm]]) -> list[Rhythm]:
    """The reporting rhythms binding the tasks of a plan (its own and its ancestors'), or the default."""
    found = [r for pk in tree.up(plan_id) for r in rhythms.get(pk, ()) if r.reporting]
    return found or [default_rhythm(plan_id)]


class TaskSchedule:
    """When a task's reports are due: the reporting rhythms of its plan, by period kind, inside its
    programme's period ``window`` (:mod:`duban.tracking.validity`; None: no programme)."""

    def __init__(self, rhythms: list[Rhythm], window: Window | None = None):
        self.rhythms = rhythms
        self.kinds = tuple(dict.fromkeys(r.every for r in rhythms))
        self.window = window

    def due(self, rhythm: Rhythm, period: Period) -> datetime | None:
        """When ``rhythm`` makes ``period`` due, inside the programme (None: not due)."""
        return admit(self.window, period, rhythm.rule.due_at(period))

    def due_at(self, period: Period) -> datetime | None:
        """The earliest due instant for ``period`` (None: no rhythm of that kind, or outside the programme)."""
        dues = [d for r in self.rhythms if r.every == period.kind for d in [self.due(r, period)] if d]
        return min(dues) if dues else None


def task_schedules(plan_ids, tree: PlanTree | None = None) -> dict[int, TaskSchedule]:
    """{plan id: the schedule its tasks report by} for the given plans (three queries)."""
    tree = tree or PlanTree.load()
    plan_ids = set(plan_ids)
    rhythms = load_rhythms({a for pk in plan_ids for a in tree.up(pk)})
    windows = plan_windows()
    return {pk: TaskSchedule(reporting_rhythms(pk, tree, rhythms), windows.get(pk)) for pk in plan_ids}


def schedule_for(task) -> TaskSchedule:
    """The schedule of one task (for single-task actions)."""
    return task_schedules([task.plan_id])[task.plan_id]


def producer_names(plan_ids, tree: PlanTree) -> dict[int, tuple[str, int | None]]:
    """{plan id: (office name, office unit id)} from the nearest task force with an office up the tree."""
    offices: dict[int, tuple[str, int | None]] = {}
    forces = TaskForce.objects.filter(plan_id__in={a for pk in plan_ids for a in tree.up(pk)})
    for tf in forces.select_related("office_unit").order_by("plan_id", "order"):
        if not (tf.office_unit_id or tf.office_text):
            continue
        name = tf.office_unit.name if tf.office_unit else tf.office_text
        best = offices.get(tf.plan_id)
        if best is None or ("专班" in tf.name and not best[2]):
            offices[tf.plan_id] = (name, tf.office_unit_id, "专班" in tf.name)
    out = {}
    for pk in plan_ids:
        for a in tree.up(pk):
            if a in offices:
                out[pk] = offices[a][:2]
                break
    return out
