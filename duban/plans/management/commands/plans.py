"""`duban plans [WORDS] [--json]`: the stored plans with the ids other commands take as PLAN."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from duban.plans.lookup import PlanLookupError, find_plans
from duban.plans.models import Plan


class Command(BaseCommand):
    help = "列出已导入的方案（编号、地区、类别、标题、任务数）；编号可用于 calendar、brief 等命令的 PLAN 参数"

    def add_arguments(self, parser):
        parser.add_argument("words", nargs="?", help="只列出匹配的方案：编号、文件名、地区或标题中的词")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, words=None, **options):
        try:
            plans = find_plans(words) if words else Plan.objects.filter(active=True)
        except PlanLookupError as e:
            raise CommandError(str(e)) from None
        plans = (
            plans.select_related("region", "source_document")
            .annotate(task_count=Count("tasks", filter=Q(tasks__active=True)))
            .order_by("source_document_id", "order")
        )
        rows = [
            {
                "id": p.pk,
                "region": p.region.name if p.region else "",
                "kind": p.kind,
                "title": p.title,
                "tasks": p.task_count,
                "file": p.source_document.file_name,
            }
            for p in plans
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        if not rows:
            self.stdout.write("尚未导入方案：duban ingest FILE")
            return
        for r in rows:
            self.stdout.write(f"#{r['id']:<5} {r['region']:<8} {r['kind']:<6} {r['tasks']:>4} 项  {r['title']}")
