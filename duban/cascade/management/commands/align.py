"""`duban align CHILD_PLAN PARENT_PLAN [--json]`: how a lower-level plan lines up with the upper one."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from duban.cascade.alignment import build_alignment, text_report
from duban.cascade.plantree import CascadeError
from duban.plans.lookup import PlanLookupError, find_plans


class Command(BaseCommand):
    help = (
        "上下级方案对照：上级目标和任务在下级有无对应、下级目标是否低于上级"
        "（如 duban align 新邵县 邵阳市；每个参数可对应多个方案）"
    )

    def add_arguments(self, parser):
        parser.add_argument("child", help="下级方案：编号、文件名、地区名或标题中的词")
        parser.add_argument("parent", help="上级方案：编号、文件名、地区名或标题中的词")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, child: str, parent: str, **options):
        try:
            alignment = build_alignment(find_plans(child), find_plans(parent))
        except (PlanLookupError, CascadeError) as e:
            raise CommandError(str(e), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(alignment.to_dict(), ensure_ascii=False, indent=1))
        else:
            self.stdout.write("\n".join(text_report(alignment)))
