"""`duban refresh_statuses [PLAN] [--as-of 2023-03-31] [--snapshots-only]`: rebuild the task status
snapshot from the reports, then record every status change (docs/tracking.md, 状态快照)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from duban.plans.lookup import PlanLookupError, find_plans
from duban.plans.models import Plan, Task
from duban.tracking.actions import do_rebuild_snapshots, do_refresh_statuses
from duban.tracking.management.commands.status import parse_as_of


class Command(BaseCommand):
    help = "重建任务状态快照，并记录任务状态变化（默认全部方案）"

    def add_arguments(self, parser):
        parser.add_argument("plan", nargs="?", help="方案：编号、文件名、地区名或标题中的词（默认全部）")
        parser.add_argument("--as-of", dest="as_of", help="状态截至日期（默认现在），如 2023-03-31")
        parser.add_argument("--snapshots-only", action="store_true", help="只重建快照，不记录状态变化")

    def handle(self, *args, plan=None, as_of=None, snapshots_only=False, **options):
        as_of = parse_as_of(as_of)
        try:
            plans = list(find_plans(plan)) if plan else list(Plan.objects.filter(active=True))
        except PlanLookupError as e:
            raise CommandError(str(e)) from None
        tasks = list(Task.objects.filter(plan__in=plans).values_list("id", flat=True))
        n = do_rebuild_snapshots(tasks)
        self.stdout.write(f"快照：{len(plans)} 份方案，{n} 项任务已重建")
        if not snapshots_only:
            changes = do_refresh_statuses(plans, as_of)
            self.stdout.write(f"状态（截至 {as_of:%Y-%m-%d %H:%M}）：{len(changes)} 项任务状态有变化，已记录")
