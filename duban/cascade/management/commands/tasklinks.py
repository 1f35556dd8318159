"""`duban tasklinks`: suggest, list, confirm and reject links from lower-level tasks to upper-level ones."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from duban.cascade.actions import do_confirm_link, do_reject_link, do_suggest_task_links
from duban.cascade.models import TaskLink
from duban.cascade.plantree import CascadeError, document_subtree_ids, pick_child_root
from duban.plans.lookup import PlanLookupError, find_plans

STATE_NAMES = {"建议": TaskLink.SUGGESTED, "已确认": TaskLink.CONFIRMED, "已否决": TaskLink.REJECTED}


class Command(BaseCommand):
    help = (
        "任务衔接：duban tasklinks 新邵县 --suggest 按文本相似度生成建议；duban tasklinks 新邵县 列出；"
        "duban tasklinks --confirm 编号… --reject 编号… 确认或否决"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "child", nargs="?", help="下级方案：编号、文件名或地区名（须已用 link_plans 链接上级）"
        )
        parser.add_argument("--suggest", action="store_true", help="按文本相似度生成（或刷新）建议")
        parser.add_argument("--confirm", nargs="+", type=int, default=[], metavar="编号", help="确认这些衔接")
        parser.add_argument("--reject", nargs="+", type=int, default=[], metavar="编号", help="否决这些衔接")
        parser.add_argument("--state", choices=[*STATE_NAMES, *STATE_NAMES.values()], help="只列出某一状态")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, child=None, suggest=False, confirm=(), reject=(), state=None, **options):
        if confirm or reject:
            self._decide(confirm, reject)
            if not child:
                return
        if not child:
            raise CommandError(
                "请指定下级方案（编号、文件名或地区名），或用 --confirm/--reject 编号", returncode=2
            )
        try:
            plan = pick_child_root(find_plans(child), child)
            if suggest:
                report = do_suggest_task_links(plan)
                c = report.counts()
                self.stdout.write(
                    f"对照上级方案 #{report.parent.pk}“{report.parent.title}”：新增建议 {c['created']}，"
                    f"更新 {c['updated']}，移除 {c['removed']}，未变 {c['unchanged']}，已确认/否决 {c['decided']}"
                )
        except (PlanLookupError, CascadeError) as e:
            raise CommandError(str(e), returncode=2) from None
        links = TaskLink.objects.filter(child_task__plan_id__in=document_subtree_ids([plan])).select_related(
            "child_task", "parent_task"
        )
        if state:
            links = links.filter(state=STATE_NAMES.get(state, state))
        links = links.order_by("child_task__plan_id", "child_task__order", "-score")
        if options["json"]:
            rows = [
                {
                    "id": link.pk,
                    "state": link.state,
                    "score": link.score,
                    "child_task": {"id": link.child_task_id, "title": link.child_task.title},
                    "parent_task": {"id": link.parent_task_id, "title": link.parent_task.title},
                    "decided_by": link.decided_by_name,
                    "decided_at": link.decided_at.isoformat() if link.decided_at else None,
                }
                for link in links
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        n = 0
        for link in links:
            n += 1
            self.stdout.write(
                f"[{link.pk}] {link.get_state_display()} {link.score:.2f}  "
                f"下级 #{link.child_task_id} {link.child_task.title[:30]}  →  上级 #{link.parent_task_id} "
                f"{link.parent_task.title[:30]}"
            )
        if not n:
            self.stdout.write("没有任务衔接：先运行 duban tasklinks 下级方案 --suggest")

    def _decide(self, confirm, reject) -> None:
        both = set(confirm) & set(reject)
        if both:
            raise CommandError(f"同一衔接不能既确认又否决：{'、'.join(map(str, sorted(both)))}", returncode=2)
        wanted = [*confirm, *reject]
        found = TaskLink.objects.in_bulk(wanted)
        missing = [i for i in wanted if i not in found]
        if missing:
            raise CommandError(
                f"没有这些编号的任务衔接：{'、'.join(map(str, missing))}（未做任何修改）", returncode=2
            )
        with transaction.atomic():
            for pk in confirm:
                do_confirm_link(found[pk])
            for pk in reject:
                do_reject_link(found[pk])
        self.stdout.write(f"已确认 {len(confirm)} 条，已否决 {len(reject)} 条")
