"""`duban compare 新邵县 2024 2025 [--json]`: two (or more) programmes of a region side by side."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from duban.plans.lookup import PlanLookupError, find_region_word
from duban.plans.programmes import ProgrammeError
from duban.tracking.compare import as_json, compare, lines


class Command(BaseCommand):
    help = "年度对比：同一地区两个（或多个）年度工作的目标、各仗任务数、完成率和各单位报送情况"

    def add_arguments(self, parser):
        parser.add_argument("region", help="地区，如 新邵县")
        parser.add_argument("years", nargs="+", type=int, help="年度，如 2024 2025")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, region, years, json=False, **options):
        found = find_region_word(region)
        if found is None:
            raise CommandError(f"找不到地区“{region}”", returncode=2)
        try:
            sides = compare(found, years)
        except (ProgrammeError, PlanLookupError) as e:
            raise CommandError(str(e), returncode=2) from None
        if json:
            self.stdout.write(_dumps(as_json(sides)))
        else:
            self.stdout.write("\n".join(lines(sides)))


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
