"""`duban remind [--as-of DATETIME] [--soon-hours 48] [--overdue-days 7] [--dry-run]`: chase the reports.

Cron-friendly: quiet apart from one summary line (and one line per failure), exit code 0 even
when a channel failed (failures are retried by the next run), 2 on bad arguments.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError

from duban.notify.reminders import KIND_LABELS, OVERDUE_DAYS, SOON_HOURS, do_send_reminders, when
from duban.plans import clock
from duban.plans.periods import LOCAL_TZ, to_local


def parse_as_of(text: str) -> datetime:
    """'2023-03-14 09:00' / '2023-03-14T09:00' (local time) or '2023-03-14' (local 09:00)."""
    s = text.strip()
    try:
        if len(s) <= 10:
            return datetime.combine(date.fromisoformat(s), time(9), tzinfo=LOCAL_TZ)
        return to_local(datetime.fromisoformat(s))
    except ValueError as e:
        raise CommandError(f"无法识别的时间“{text}”（例：2023-03-14 09:00）") from e


class Command(BaseCommand):
    help = "催报提醒：找出即将到期和逾期未报的报送，按单位设置发站内消息、邮件、企业微信/钉钉；重复运行不重发"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="按此时间计算（本地时间，默认现在），如 2023-03-14 09:00")
        parser.add_argument(
            "--soon-hours", type=float, default=SOON_HOURS, help="多少小时内到期算“即将到期”（默认 48）"
        )
        parser.add_argument(
            "--overdue-days", type=float, default=OVERDUE_DAYS, help="逾期多少天内仍催报（默认 7）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只列出将发送的提醒，不发送、不写库")

    def handle(
        self, *args, as_of=None, soon_hours=SOON_HOURS, overdue_days=OVERDUE_DAYS, dry_run=False, **options
    ):
        moment = parse_as_of(as_of) if as_of else clock.now()
        if soon_hours < 0 or overdue_days < 0:
            raise CommandError("--soon-hours 和 --overdue-days 不能为负数")
        result = do_send_reminders(moment, soon_hours=soon_hours, overdue_days=overdue_days, dry_run=dry_run)
        verbose = options.get("verbosity", 1) > 1 or dry_run
        if verbose:
            for r in result.reminders:
                self.stdout.write(
                    f"{KIND_LABELS[r.kind]} {r.unit.name} {r.period.label} {r.action} 截止 {when(r.due)} "
                    f"任务 {len(r.tasks)} 项"
                )
        for error in result.counts.errors:
            self.stderr.write(f"失败：{error}")
        c = result.counts
        head = "（试运行，未发送）" if dry_run else ""
        gave_up = f"，已放弃 {c.gave_up}" if c.gave_up else ""
        self.stdout.write(
            f"{head}截至 {when(moment)}：提醒 {len(result.reminders)} 条；发送 {c.sent}，"
            f"已发送跳过 {c.skipped}，失败 {c.failed}{gave_up}"
        )
