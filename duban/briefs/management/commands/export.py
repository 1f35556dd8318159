"""`duban export PLAN --kind 责任分解表 --out FILE.xlsx`: a plan's tables as Excel, in the offices' layout."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError

from duban.briefs.exports import responsibility_workbook
from duban.plans.lookup import PlanLookupError, find_plans

KINDS = ("责任分解表",)


class Command(BaseCommand):
    help = "导出方案的责任分解表（.xlsx）：PLAN 为方案编号、文件名、地区或标题中的词；匹配多个方案时每个方案一页"

    def add_arguments(self, parser):
        parser.add_argument("plan", help="方案：编号、文件名、地区名或标题中的词（见 duban plans）")
        parser.add_argument("--kind", default="责任分解表", help="导出内容，目前支持：责任分解表")
        parser.add_argument("--out", help="输出文件（.xlsx），默认 责任分解表-方案编号.xlsx")

    def handle(self, *args, plan, kind, out=None, **options):
        if kind not in KINDS:
            raise CommandError(f"不支持的导出类型“{kind}”，可选：{'、'.join(KINDS)}")
        try:
            plans = list(find_plans(plan))
        except PlanLookupError as e:
            raise CommandError(str(e)) from None
        out = out or f"{kind}-{plans[0].pk}.xlsx"
        if not out.lower().endswith(".xlsx"):
            raise CommandError(f"输出文件须以 .xlsx 结尾：{out}")
        folder = os.path.dirname(os.path.abspath(out))
        if not os.path.isdir(folder):
            raise CommandError(f"输出目录不存在：{folder}")
        try:
            wb, count = responsibility_workbook(plans)
        except ValueError as e:
            raise CommandError(f"{e}（{plan}）") from None
        wb.save(out)
        self.stdout.write(f"已导出 {kind}：{len(wb.worksheets)} 个方案、{count} 项任务 → {out}")
