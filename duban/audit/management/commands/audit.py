"""`duban audit [--since DATE] [--object plans.Task:12] [--action …] [--actor …] [--json]`: the trail."""

from __future__ import annotations

import json
from datetime import date, datetime, time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from duban.audit.models import AuditEntry


def parse_since(text: str) -> datetime:
    """'2023-03-01' (from local midnight) or '2023-03-01T08:00' / '2023-03-01 08:00' (local)."""
    try:
        if len(text.strip()) <= 10:
            day = datetime.combine(date.fromisoformat(text.strip()), time(0))
            return timezone.make_aware(day)
        moment = datetime.fromisoformat(text.strip())
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    except ValueError as e:
        raise CommandError(f"无法识别的日期“{text}”（例：2023-03-01 或 2023-03-01T08:00）") from e


def parse_object(text: str) -> tuple[str, str]:
    """'plans.Task:12' → ('plans.Task', '12'); the model must exist, the id may be gone (deleted)."""
    label, sep, pk = text.partition(":")
    if not sep or not pk.strip():
        raise CommandError(f"对象“{text}”格式应为 应用.模型:编号，如 plans.Task:12")
    try:
        model = apps.get_model(label.strip())
    except (LookupError, ValueError) as e:
        raise CommandError(f"没有模型“{label}”（例：plans.Task、auth.User、accounts.UserProfile）") from e
    return model._meta.label, pk.strip()


def entry_json(e: AuditEntry) -> dict:
    return {
        "id": e.pk,
        "at": timezone.localtime(e.at).isoformat(timespec="seconds"),
        "actor": e.actor_name,
        "action": e.action,
        "object": f"{e.object_type}:{e.object_id}" if e.object_type else None,
        "summary": e.summary,
        "before": e.before,
        "after": e.after,
    }


class Command(BaseCommand):
    help = "查看审计记录（谁、何时、改了什么、改前改后），按时间先后列出"

    def add_arguments(self, parser):
        parser.add_argument("--since", help="从此日期/时间起（本地时间），如 2023-03-01")
        parser.add_argument("--object", help="只看某个对象，如 plans.Task:12、auth.User:3")
        parser.add_argument("--action", help="只看某类操作（前缀），如 account、ingest")
        parser.add_argument("--actor", help="只看某个操作人")
        parser.add_argument("--limit", type=int, default=200, help="最多列出多少条（最新的；默认 200）")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, since=None, object=None, action=None, actor=None, limit=200, **options):
        entries = AuditEntry.objects.all()
        if since:
            entries = entries.filter(at__gte=parse_since(since))
        if object:
            object_type, object_id = parse_object(object)
            entries = entries.filter(object_type=object_type, object_id=object_id)
        if action:
            entries = entries.filter(action__startswith=action)
        if actor:
            entries = entries.filter(actor_name=actor)
        if limit < 1:
            raise CommandError("--limit 必须是正整数")
        rows = list(entries.order_by("-at", "-id")[:limit])[::-1]  # the newest ones, oldest first
        if options["json"]:
            self.stdout.write(json.dumps([entry_json(e) for e in rows], ensure_ascii=False, indent=1))
            return
        if not rows:
            self.stdout.write("没有符合条件的审计记录")
            return
        for e in rows:
            target = f" {e.object_type}:{e.object_id}" if e.object_type else ""
            self.stdout.write(
                f"{timezone.localtime(e.at):%Y-%m-%d %H:%M:%S} {e.actor_name:<10} {e.action}{target}"
            )
            if e.summary:
                self.stdout.write("    " + e.summary.replace("\n", "\n    "))
