"""`duban import_actuals PLAN FILE.xlsx`: target actual values from a spreadsheet, all rows or none."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from duban.plans.lookup import PlanLookupError, find_plans
from duban.tracking.actions import TrackingError
from duban.tracking.imports import import_actuals


class Command(BaseCommand):
    help = "从 .xlsx 导入指标实际值（列：指标、地区或单位、期间、数值）；有一行出错则整表不导入"

    def add_arguments(self, parser):
        parser.add_argument("plan", help="方案：编号、文件名、地区名或标题中的词（指标在这些方案中查找）")
        parser.add_argument("file", help=".xlsx 文件")

    def handle(self, *args, plan, file, **options):
        try:
            plans = list(find_plans(plan))
            written = import_actuals(file, plans)
        except PlanLookupError as e:
            raise CommandError(str(e)) from None
        except TrackingError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"已导入指标实际值 {len(written)} 条")
