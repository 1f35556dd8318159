"""`duban notices PLAN [--as-of DATE] [--generate] [--json]`: list (or first generate) 督办单 and 提示单."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from duban.plans import clock
from duban.plans.lookup import PlanLookupError, find_plans
from duban.plans.periods import to_local
from duban.supervision import lifecycle
from duban.supervision.actions import SupervisionError, do_generate_notices, plan_tasks
from duban.supervision.models import Notice
from duban.supervision.numbering import NumberingError
from duban.supervision.rules import short


def parse_day(text: str | None) -> date:
    if not text:
        return clock.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”无效，应写作 2023-03-31") from None


def notice_json(n: Notice) -> dict:
    return {
        "number": n.number,
        "kind": n.get_kind_display(),
        "color": n.get_color_display(),
        "state": n.get_state_display(),
        "task": {"id": n.task_id, "title": n.task.title},
        "units": [u.name for u in n.units.all()],
        "leaders": n.leaders,
        "reason": n.reason,
        "auto": n.auto,
        "as_of": n.as_of.isoformat(),
        "issued_at": to_local(n.issued_at).isoformat(),
        "closed_at": to_local(n.closed_at).isoformat() if n.closed_at else None,
        "events": [
            {
                "step": e.get_step_display(),
                "at": to_local(e.at).isoformat(),
                "by": e.actor_name,
                "unit": e.unit.name if e.unit_id else None,
                "note": e.note,
            }
            for e in n.events.all()
        ],
    }


class Command(BaseCommand):
    help = "列出方案的督办单、提示单（--generate 先按检查日期自动生成）"

    def add_arguments(self, parser):
        parser.add_argument("plan", help="方案：编号、文件名、地区名或标题中的词")
        parser.add_argument("--as-of", dest="as_of", help="检查日期（默认今天），如 2023-03-31")
        parser.add_argument(
            "--generate", action="store_true", help="先自动生成督办单（同一天重复运行不会重复下发）"
        )
        parser.add_argument("--open", dest="only_open", action="store_true", help="只列未办结的")
        parser.add_argument("--json", dest="as_json", action="store_true", help="输出 JSON")

    def handle(self, *args, plan, as_of=None, generate=False, only_open=False, as_json=False, **options):
        day = parse_day(as_of)
        try:
            plans = list(find_plans(plan))
        except PlanLookupError as e:
            raise CommandError(str(e)) from None
        check = None
        if generate:
            try:
                check = do_generate_notices(plans, day)
            except (SupervisionError, NumberingError) as e:
                raise CommandError(f"生成失败，数据库未改动：{e}") from None
        tasks = plan_tasks(plans)
        notices = (
            Notice.objects.filter(task__in=tasks, as_of__lte=day)
            .filter(Q(closed_at__isnull=True) | Q(as_of__year=day.year))
            .select_related("task")
            .prefetch_related("units", "events__unit")
            .order_by("kind", "seq")
        )
        if only_open:
            notices = notices.filter(state__in=lifecycle.OPEN_NOTICE_STATES)
        rows = list(notices)
        if as_json:
            data = {"as_of": day.isoformat(), "notices": [notice_json(n) for n in rows]}
            if check is not None:
                data["generated"] = {
                    "issued": [n.number for n in check.issued],
                    "closed": [n.number for n in check.closed],
                    "prompts": [n.number for n in check.prompts],
                    "kept": check.kept,
                }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        if check is not None:
            self.stdout.write(
                f"督办检查 {day}：新下发督办单 {len(check.issued)} 份、提示单 {len(check.prompts)} 份，"
                f"已有未办结 {check.kept} 份未重复下发，自动办结 {len(check.closed)} 份"
            )
        self.stdout.write(f"督办单 {len(rows)} 份（截至 {day}）：")
        for n in rows:
            to = (
                "、".join(u.name for u in n.units.all())
                if n.kind == "notice"
                else "、".join(n.leaders) or "责任领导"
            )
            self.stdout.write(
                f"  {n.number:<12} {n.get_color_display()}{n.get_kind_display()}  {n.get_state_display()}  "
                f"{n.as_of}  {short(n.task.title, 24)}  → {to}"
            )
            self.stdout.write(f"      {n.reason}")
