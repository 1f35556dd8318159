"""`duban calendar PLAN --from 2023-03-01 --to 2023-03-31 [--json]`: every item due in a date range."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from duban.plans.lookup import PlanLookupError, find_plans
from duban.plans.periods import to_local
from duban.tracking.calendar import due_items

WEEKDAYS = "一二三四五六日"
MAX_REPORTERS = 4  # names shown per line in the table


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CommandError(f"{option} 日期格式应为 YYYY-MM-DD，收到 {value!r}") from None


def short_names(names: list[str]) -> str:
    shown = "、".join(names[:MAX_REPORTERS])
    return shown + (f" 等 {len(names)} 个单位" if len(names) > MAX_REPORTERS else "")


class Command(BaseCommand):
    help = "报送日历：列出方案在日期范围内的每一项报送/简报/通报/总结/调度（何时、做什么、哪个方案、谁报、报给谁）"

    def add_arguments(self, parser):
        parser.add_argument(
            "plan", help="方案：编号、文件名、地区名（如 沅江市）或标题中的词；可匹配多个方案"
        )
        parser.add_argument("--from", dest="start", required=True, help="起始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="截止日期 YYYY-MM-DD（含）")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, plan, start, end, **options):
        first, last = parse_day(start, "--from"), parse_day(end, "--to")
        if last < first:
            raise CommandError(f"--to {last} 早于 --from {first}")
        if (last - first).days > 366:
            raise CommandError("日期范围不能超过一年")
        try:
            plans = list(find_plans(plan))
        except PlanLookupError as e:
            raise CommandError(str(e)) from None
        items = due_items(plans, first, last)
        if options["json"]:
            out = {
                "plans": [{"id": p.pk, "title": p.title} for p in plans],
                "from": first.isoformat(),
                "to": last.isoformat(),
                "items": [i.as_json() for i in items],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"报送日历 {first} 至 {last}：{len(plans)} 个方案，{len(items)} 项")
        for p in plans:
            self.stdout.write(f"  #{p.pk} {p.title}")
        day = None
        for i in items:
            due = to_local(i.due)
            if due.date() != day:
                day = due.date()
                self.stdout.write(f"\n{day:%Y-%m-%d} 星期{WEEKDAYS[day.weekday()]}")
            who = short_names(i.reporters)
            to = f" → {i.report_to}" if i.report_to else ""
            origin = "" if i.origin == "文件" else f"［{i.origin}］"
            source = f"L{i.cadence_line}" if i.cadence_line else "默认"
            self.stdout.write(
                f"  {due:%H:%M}  每{i.every}{i.action}（{i.period.label}）{origin}  "
                f"#{i.plan.pk} {i.campaign.name if i.campaign else i.plan.title}  {who}{to}  [{source}]"
            )
