"""`duban link_plans CHILD PARENT`: link a lower-level plan to the upper-level plan it implements."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from duban.cascade.actions import do_link_plans
from duban.cascade.plantree import CascadeError, pick_child_root, pick_parent_plan
from duban.plans.lookup import PlanLookupError, find_plans


class Command(BaseCommand):
    help = "把下级方案链接到它所落实的上级方案（如 duban link_plans 新邵县 邵阳市）"

    def add_arguments(self, parser):
        parser.add_argument("child", help="下级方案：编号、文件名或地区名（取该文件的顶层方案）")
        parser.add_argument("parent", help="上级方案：编号、文件名或地区名（有总体方案时取总体方案）")

    def handle(self, *args, child: str, parent: str, **options):
        try:
            child_plan = pick_child_root(find_plans(child), child)
            parent_plan = pick_parent_plan(find_plans(parent), parent)
            child_plan = do_link_plans(child_plan, parent_plan)
        except (PlanLookupError, CascadeError) as e:
            raise CommandError(str(e), returncode=2) from None
        self.stdout.write(
            f"已链接：下级方案 #{child_plan.pk}“{child_plan.title}”（{child_plan.region}）"
            f" → 上级方案 #{parent_plan.pk}“{parent_plan.title}”（{parent_plan.region}）"
        )
        self.stdout.write(f"下一步：duban tasklinks {child_plan.pk} --suggest 生成任务衔接建议")
