"""`duban export PLAN --kind 责任分解表|台账 [--unit 单位] --out FILE.xlsx`: a plan's tables as Excel, in the offices' layout."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError

from duban.briefs.exports import responsibility_workbook
from duban.briefs.ledger import LedgerError, find_plan_unit, ledger_workbook
from duban.plans.lookup import PlanLookupError, find_plan, find_plans

KINDS = ("责任分解表", "台账")


class Command(BaseCommand):
    help = (
        "导出方案的责任分解表或进展台账（.xlsx）：PLAN 为方案编号、文件名、地区或标题中的词；"
        "责任分解表匹配多个方案时每个方案一页；台账可用 --unit 只导出一个单位的报送"
    )

    def add_arguments(self, parser):
        parser.add_argument("plan", help="方案：编号、文件名、地区名或标题中的词（见 duban plans）")
        parser.add_argument("--kind", default="责任分解表", help="导出内容：责任分解表（默认）或 台账（进展台账）")
        parser.add_argument("--unit", help="台账：只导出这个责任单位的报送（规范名称、方案中的写法或别名）")
        parser.add_argument("--out", help="输出文件（.xlsx），默认 导出内容-方案编号.xlsx")

    def handle(self, *args, plan, kind, unit=None, out=None, **options):
        if kind not in KINDS:
            raise CommandError(f"不支持的导出类型“{kind}”，可选：{'、'.join(KINDS)}")
        if unit and kind != "台账":
            raise CommandError("--unit 只用于进展台账（--kind 台账）")
        try:
            plans = [find_plan(plan)] if kind == "台账" else list(find_plans(plan))
        except PlanLookupError as e:
            raise CommandError(str(e)) from None
        out = out or f"{kind}-{plans[0].pk}.xlsx"
        if not out.lower().endswith(".xlsx"):
            raise CommandError(f"输出文件须以 .xlsx 结尾：{out}")
        folder = os.path.dirname(os.path.abspath(out))
        if not os.path.isdir(folder):
            raise CommandError(f"输出目录不存在：{folder}")
        if kind == "台账":
            try:
                who = find_plan_unit(plans[0], unit) if unit else None
            except LedgerError as e:
                raise CommandError(str(e)) from None
            wb, count = ledger_workbook(plans[0], who)
            wb.save(out)
            whose = f"{who.name}的" if who else ""
            self.stdout.write(f"已导出进展台账：{plans[0].title}，{whose}报送 {count} 条 → {out}")
            return
        try:
            wb, count = responsibility_workbook(plans)
        except ValueError as e:
            raise CommandError(f"{e}（{plan}）") from None
        wb.save(out)
        self.stdout.write(f"已导出 {kind}：{len(wb.worksheets)} 个方案、{count} 项任务 → {out}")
