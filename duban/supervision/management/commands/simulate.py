"""`duban simulate PLAN --from 2023-01-01 --to 2023-03-31 [--seed N] [--json]`: play a reporting season."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from duban.plans.lookup import PlanLookupError, find_plans
from duban.supervision.actions import SupervisionError
from duban.supervision.simulate import simulate, summary, summary_lines
from duban.tracking.actions import TrackingError


def parse_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CommandError(f"{what}“{text}”不是日期，应写作 2023-01-01") from None


class Command(BaseCommand):
    help = "模拟一个报送周期：各单位按时/迟报/不报，每旬末刷新状态、生成督办单，打印汇总"

    def add_arguments(self, parser):
        parser.add_argument("plan", help="方案：编号、文件名、地区名或标题中的词")
        parser.add_argument("--from", dest="start", required=True, help="起始日期，如 2023-01-01")
        parser.add_argument("--to", dest="end", required=True, help="截止日期，如 2023-03-31")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（决定单位画像与迟报天数，默认 1）")
        parser.add_argument("--json", dest="as_json", action="store_true", help="输出 JSON")

    def handle(self, *args, plan, start, end, seed=1, as_json=False, **options):
        first, last = parse_day(start, "起始日期"), parse_day(end, "截止日期")
        if last < first:
            raise CommandError(f"截止日期 {last} 早于起始日期 {first}")
        try:
            plans = list(find_plans(plan))
        except PlanLookupError as e:
            raise CommandError(str(e)) from None
        try:
            season = simulate(plans, first, last, seed)
        except (SupervisionError, TrackingError, ValueError) as e:
            raise CommandError(f"模拟失败，数据库未改动：{e}") from None
        figures = summary(season)
        if as_json:
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=1))
            return
        self.stdout.write("\n".join(summary_lines(figures, season.unit_names, season.profiles)))
