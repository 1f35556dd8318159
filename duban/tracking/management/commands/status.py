"""`duban status PLAN [--as-of 2023-03-31] [--json]`: tasks by status and light, targets vs 序时进度."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError

from duban.plans import clock
from duban.plans.lookup import PlanLookupError, find_plans
from duban.plans.models import Target, Task
from duban.plans.periods import local_datetime, to_local
from duban.tracking.actions import latest_actuals
from duban.tracking.models import TASK_STATUSES
from duban.tracking.progress import LIGHT_LABELS, LIGHTS, double_half, target_progress
from duban.tracking.status import task_states

MAX_LISTED = 8  # tasks listed per status in the table


def parse_as_of(value: str | None) -> datetime:
    """A date means the end of that day (23:59:59); default now."""
    if not value:
        return to_local(clock.now())
    try:
        if len(value) <= 10:
            return local_datetime(date.fromisoformat(value), time(23, 59, 59))
        return to_local(datetime.fromisoformat(value))
    except ValueError:
        raise CommandError(f"--as-of 格式应为 YYYY-MM-DD 或 'YYYY-MM-DD HH:MM'，收到 {value!r}") from None


def target_rows(plans, as_of: datetime) -> list[dict]:
    targets = list(Target.objects.filter(plan__in=plans).order_by("plan_id", "order"))
    actuals = latest_actuals([t.pk for t in targets], as_of)
    rows = []
    for t in targets:
        a = actuals.get(t.pk)
        p = target_progress(t.measure, t.value, t.measure_unit, t.qualifier, a.value if a else None, as_of)
        rows.append({"target": t, "actual": a, "progress": p})
    return rows


class Command(BaseCommand):
    help = "任务状态与灯色、指标对照序时进度、双过半检查"

    def add_arguments(self, parser):
        parser.add_argument("plan", help="方案：编号、文件名、地区名或标题中的词")
        parser.add_argument("--as-of", dest="as_of", help="截至日期（默认现在），如 2023-03-31")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, plan, as_of=None, **options):
        as_of = parse_as_of(as_of)
        try:
            plans = list(find_plans(plan))
        except PlanLookupError as e:
            raise CommandError(str(e)) from None
        tasks = {
            t.pk: t for t in Task.objects.filter(plan__in=plans, active=True).order_by("plan_id", "order")
        }
        states = task_states(list(tasks), as_of)
        targets = target_rows(plans, as_of)
        half = double_half([r["progress"] for r in targets], [s.percent for s in states.values()], as_of)
        if options["json"]:
            out = {
                "as_of": as_of.isoformat(),
                "plans": [{"id": p.pk, "title": p.title} for p in plans],
                "tasks": [{"title": tasks[k].title, **s.as_json()} for k, s in states.items()],
                "targets": [
                    {
                        "id": r["target"].pk,
                        "text": r["target"].text,
                        "actual": r["actual"].value if r["actual"] else None,
                        "period": r["actual"].period if r["actual"] else None,
                        "kind": r["progress"].kind,
                        "expected": round(r["progress"].expected * 100, 1),
                        "completion": None
                        if r["progress"].completion is None
                        else round(r["progress"].completion * 100, 1),
                        "light": r["progress"].light,
                    }
                    for r in targets
                ],
                "double_half": {
                    "time_half": half.time_half,
                    "targets_half": half.targets_half,
                    "targets": half.targets,
                    "tasks_half": half.tasks_half,
                    "tasks": half.tasks,
                    "passed": half.passed,
                },
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
            return
        w = self.stdout.write
        w(f"任务状态（截至 {as_of:%Y-%m-%d %H:%M}）：{len(plans)} 个方案，{len(states)} 项任务")
        by_status = Counter(s.status for s in states.values())
        by_light = Counter(s.light for s in states.values())
        w("  " + "  ".join(f"{k} {by_status[k]}" for k in TASK_STATUSES))
        w("  " + "  ".join(f"{LIGHT_LABELS[k]} {by_light[k]}" for k in LIGHTS))
        for status in TASK_STATUSES:
            listed = [(k, s) for k, s in states.items() if s.status == status]
            if not listed or status == "未启动" and len(listed) == len(states):
                continue
            w(f"\n{status}（{len(listed)}）")
            for k, s in listed[:MAX_LISTED]:
                pct = "—" if s.percent is None else f"{s.percent:g}%"
                title = tasks[k].title[:30]
                w(f"  #{k:<6}{LIGHT_LABELS[s.light]} {pct:>5}  {title}  {s.reason}")
            if len(listed) > MAX_LISTED:
                w(f"  ……等 {len(listed)} 项")
        if targets:
            w(f"\n指标对照序时进度（{len(targets)} 个）")
            for r in targets:
                t, a, p = r["target"], r["actual"], r["progress"]
                actual = f"实际 {a.value:g}（{a.period_obj.label}）" if a else "尚无实际值"
                done = "" if p.completion is None else f"，完成 {p.completion:.1%}"
                expect = "按年度增速比较" if p.kind == "rate" else f"序时进度 {p.expected:.1%}"
                w(f"  #{t.pk:<5}{LIGHT_LABELS[p.light]} {t.text[:36]}：{actual}{done}，{expect}")
        w(
            f"\n双过半：时间{'已' if half.time_half else '未'}过半（{half.time_share:.1%}），"
            f"指标过半 {half.targets_half}/{half.targets}，任务过半 {half.tasks_half}/{half.tasks}"
            + ("，达到双过半" if half.passed else ("，未达到双过半" if half.time_half else ""))
        )
