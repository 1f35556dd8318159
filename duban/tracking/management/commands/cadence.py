"""`duban cadence`: the office's editing of reporting rhythms — list, add, edit, remove (all audited)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from duban.plans.lookup import PlanLookupError, find_plans
from duban.plans.models import Cadence
from duban.tracking.actions import TrackingError, do_add_cadence, do_edit_cadence, do_remove_cadence

ITEM_HELP = "事项 周期:动作，如 月:报送、旬:简报（可重复）"


def _items(values: list[str] | None) -> list[tuple[str, str]] | None:
    if not values:
        return None
    out = []
    for value in values:
        every, sep, action = value.replace("：", ":").partition(":")
        if not sep or not every.strip() or not action.strip():
            raise CommandError(f"事项“{value}”应写成 周期:动作，如 月:报送")
        out.append((every.strip(), action.strip()))
    return out


def _cadence(pk: int) -> Cadence:
    found = Cadence.objects.filter(pk=pk).select_related("plan").first()
    if found is None:
        raise CommandError(f"没有编号为 {pk} 的调度机制")
    return found


class Command(BaseCommand):
    help = "调度机制：list 列出方案的调度机制，add 添加（手工），edit 修改，remove 移除；每次写审计记录"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        listing = sub.add_parser("list", help="列出方案（及其下级方案）的调度机制")
        listing.add_argument("plan", help="方案：编号、文件名、地区名或标题中的词")
        add = sub.add_parser("add", help="给一份方案添加手工调度机制")
        add.add_argument("plan", help="方案：编号、文件名、地区名或标题中的词（须只匹配一份）")
        add.add_argument("--item", action="append", required=True, help=ITEM_HELP)
        edit = sub.add_parser("edit", help="修改调度机制（文件中的机制改后变为手工，重新导入不再覆盖）")
        edit.add_argument("cadence", type=int, help="调度机制编号（见 list）")
        edit.add_argument("--item", action="append", help=ITEM_HELP + "；给出时替换全部事项")
        for p in (add, edit):
            p.add_argument("--due", help="时限，如 每月25日前")
            p.add_argument("--report-to", help="报送对象，如 市发改局")
            p.add_argument("--text", help="机制原文（缺省按事项生成）")
        remove = sub.add_parser("remove", help="移除调度机制（软删除，重新导入不恢复）")
        remove.add_argument("cadence", type=int, help="调度机制编号（见 list）")

    def handle(self, *args, verb, **options):
        try:
            if verb == "list":
                self._list(options["plan"])
            elif verb == "add":
                plans = list(find_plans(options["plan"]))
                if len(plans) != 1:
                    names = "、".join(f"#{p.pk} {p.title}" for p in plans[:5])
                    raise CommandError(f"“{options['plan']}”匹配 {len(plans)} 份方案（{names}），请用方案编号")
                cadence = do_add_cadence(
                    plans[0], items=_items(options["item"]), due=options["due"] or "",
                    report_to=options["report_to"] or "", text=options["text"] or "",
                )  # fmt: skip
                self.stdout.write(f"已添加调度机制 #{cadence.pk}：{cadence.text}")
            elif verb == "edit":
                cadence = do_edit_cadence(
                    _cadence(options["cadence"]), items=_items(options["item"]), due=options["due"],
                    report_to=options["report_to"], text=options["text"],
                )  # fmt: skip
                self.stdout.write(f"已修改调度机制 #{cadence.pk}：{cadence.text}")
            else:
                cadence = do_remove_cadence(_cadence(options["cadence"]))
                self.stdout.write(f"已移除调度机制 #{cadence.pk}：{cadence.text}")
        except (PlanLookupError, TrackingError) as e:
            raise CommandError(str(e)) from None

    def _list(self, plan: str) -> None:
        plans = list(find_plans(plan))
        cadences = Cadence.objects.filter(plan__in=plans).select_related("plan").order_by("plan_id", "order")
        for c in cadences:
            state = "" if c.active else "（已移除）"
            self.stdout.write(f"#{c.pk}\t{c.origin}\t{c.plan.title}\t{c.text}{state}")
        if not cadences:
            self.stdout.write("这些方案没有调度机制")
