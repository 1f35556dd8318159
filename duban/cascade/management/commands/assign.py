"""`duban assign TASK --unit 各县市区人民政府 [--role 责任|牵头] [--remove]`: give a task to a unit by hand."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from duban.cascade.assign import ROLE_LABELS, do_assign_unit, do_unassign_unit
from duban.cascade.plantree import CascadeError
from duban.plans.models import TaskUnit
from duban.tracking.lookup import TaskLookupError, find_task


class Command(BaseCommand):
    help = (
        "手工分配任务的责任单位（重新导入方案文件后仍保留）：duban assign 任务编号 --unit 各县市区人民政府 "
        "[--role 责任|牵头]；--remove 移除手工分配"
    )

    def add_arguments(self, parser):
        parser.add_argument("task", help="任务编号（或任务标识 key）")
        parser.add_argument(
            "--unit", required=True, help="单位名称或别名；泛指单位如 各县市区人民政府、各乡镇（街道）"
        )
        parser.add_argument("--role", default="责任", choices=["责任", "牵头"], help="角色（默认 责任）")
        parser.add_argument("--remove", action="store_true", help="移除此前手工分配的该单位")

    def handle(self, *args, task: str, unit: str, role: str, remove: bool, **options):
        try:
            found = find_task(task)
            if remove:
                row = do_unassign_unit(found, unit)
            else:
                row = do_assign_unit(found, unit, role)
        except (TaskLookupError, CascadeError) as e:
            raise CommandError(str(e), returncode=2) from None
        verb = "已移除" if remove else "已分配"
        self.stdout.write(
            f"{verb}：任务 #{found.pk}「{found.title[:40]}」的{ROLE_LABELS[row.role]}单位“{row.unit.name}”"
            f"（{row.unit.region.name}）"
        )
        rows = TaskUnit.objects.filter(task_id=found.pk).select_related("unit").order_by("order")
        listed = "、".join(f"{a.unit.name}（{ROLE_LABELS[a.role]}，{a.origin}）" for a in rows)
        self.stdout.write(f"现在的责任单位：{listed or '（无）'}")
