"""`duban move_plan PLAN REGION [--user NAME]`: move a wrongly filed plan's whole file to another region (audited)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from duban.audit.trail import system_user
from duban.cascade.moves import MoveError, do_move_document
from duban.plans.models import Plan
from duban.plans.regions import find_region


class Command(BaseCommand):
    help = (
        "把方案（连同同一来源文件的全部方案、任务和责任单位）移到另一地区；记入审计日志。"
        "指定 --user 时按该账号的权限检查（须为两地区共同上级的督查室）"
    )

    def add_arguments(self, parser):
        parser.add_argument("plan", type=int, help="方案编号（见 duban plans）")
        parser.add_argument("region", help="目标地区名称，如 新邵县")
        parser.add_argument("--user", help="以该账号的名义和权限移动（默认：服务器操作员，不限地区）")

    def handle(self, *args, plan: int, region: str, user: str | None = None, **options):
        found = Plan.objects.select_related("source_document__region").filter(pk=plan).first()
        if found is None:
            raise CommandError(f"没有编号为 {plan} 的方案")
        target = find_region(region)
        if target is None:
            raise CommandError(f"没有名为“{region}”的地区")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"没有名为“{user}”的有效账号")
        doc = found.source_document
        try:
            counts = do_move_document(doc, target, actor=actor, actor_name="" if actor else system_user())
        except MoveError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            f"已将“{doc.file_name}”移至{target.name}：方案 {counts['plans']} 个，任务 {counts['tasks']} 项，"
            f"责任单位 {counts['unit_links']} 处已改为{target.name}的单位"
        )
