"""`duban rollup REGION [--as-of 日期] [--json]`: a region's child regions side by side, ranked."""

from __future__ import annotations

import json
from datetime import date, time

from django.core.management.base import BaseCommand, CommandError

from duban.cascade.rollup import region_rollup
from duban.plans.models import Region
from duban.plans.periods import local_datetime


def find_region(name: str) -> Region:
    """A region by name or short name; a clear error when none or several match."""
    found = list(Region.objects.filter(name=name)) or list(Region.objects.filter(short_name=name))
    if not found:
        raise CommandError(f"没有名为“{name}”的地区（duban regions 列出地区）", returncode=2)
    if len(found) > 1:
        where = "、".join(f"{r.parent.name if r.parent else ''}{r.name}" for r in found)
        raise CommandError(f"“{name}”对应多个地区：{where}", returncode=2)
    return found[0]


class Command(BaseCommand):
    help = (
        "下级汇总：市看各县市区、省看各市州——共同指标的目标值、报送纪律（应报/按时/逾期/未报、按时率）和排名"
    )

    def add_arguments(self, parser):
        parser.add_argument("region", help="地区名，如 邵阳市、湖南省")
        parser.add_argument("--as-of", help="统计截至日期 YYYY-MM-DD（当天结束），默认现在")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, region: str, **options):
        as_of = None
        if options["as_of"]:
            try:
                as_of = local_datetime(date.fromisoformat(options["as_of"]), time(23, 59, 59))
            except ValueError:
                raise CommandError(
                    f"日期“{options['as_of']}”格式不对，应为 YYYY-MM-DD", returncode=2
                ) from None
        rollup = region_rollup(find_region(region), as_of)
        if options["json"]:
            self.stdout.write(json.dumps(rollup.as_json(), ensure_ascii=False, indent=1))
            return
        self.stdout.write(
            f"{rollup.region.name} 下级汇总（{rollup.since:%Y-%m-%d} 至 {rollup.as_of:%Y-%m-%d %H:%M}）"
        )
        self.stdout.write("名次  地区        方案  任务  应报  按时  逾期报送  逾期未报  按时率")
        for c in rollup.children:
            d = c.discipline
            rate = f"{d.on_time_rate:.0%}" if d.on_time_rate is not None else "—"
            self.stdout.write(
                f"{c.rank or '—':>4}  {c.region.name:<8}  {c.plans:>4}  {c.tasks:>4}  {d.owed:>4}  {d.on_time:>4}"
                f"  {d.late:>8}  {d.missing:>8}  {rate:>6}"
            )
        if rollup.indicators:
            self.stdout.write("共同指标（目标值）：")
            for key, label, own in rollup.indicators:
                values = [f"{rollup.region.name} {_value(own)}"] + [
                    f"{c.region.name} {_value(c.targets.get(key))}"
                    for c in rollup.children
                    if key in c.targets
                ]
                self.stdout.write(f"  {label}：" + "；".join(values))


def _value(t) -> str:
    return f"{t.measure}{t.value:g}{t.measure_unit}{t.qualifier}" if t is not None else "—"
