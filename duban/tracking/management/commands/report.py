"""`duban report TASK --unit 市发改委 --period 2023-03 --percent 40 --status 正常推进 --text ...`."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from duban.plans.periods import to_local
from duban.tracking.actions import TrackingError, do_submit_report
from duban.tracking.lookup import TaskLookupError, find_task, find_task_unit
from duban.tracking.models import SELF_STATUSES
from duban.tracking.timeline import format_duration


def parse_at(value: str | None) -> datetime | None:
    """'2023-03-15 17:30' / '2023-03-15T17:30' (Asia/Shanghai)."""
    if not value:
        return None
    try:
        return to_local(datetime.fromisoformat(value))
    except ValueError:
        raise CommandError(f"--at 时间格式应为 'YYYY-MM-DD HH:MM'，收到 {value!r}") from None


def parse_actual(value: str) -> tuple[str, str]:
    target, sep, number = value.partition("=")
    if not sep:
        raise CommandError(f"--actual 应写成 指标编号=数值（如 12=6.8），收到 {value!r}")
    return target.strip().lstrip("#"), number.strip()


class Command(BaseCommand):
    help = "以某责任单位身份报送任务进展（每次报送都保存为新版本）"

    def add_arguments(self, parser):
        parser.add_argument("task", help="任务编号或标识（key）")
        parser.add_argument("--unit", required=True, help="报送单位（规范名称、方案中的写法或别名）")
        parser.add_argument(
            "--period", required=True, help="期间：2023-03、2023-03上旬、2023Q1、2023-03-15 …"
        )
        parser.add_argument("--percent", required=True, help="完成进度 0–100")
        parser.add_argument("--status", required=True, choices=SELF_STATUSES, help="自评状态")
        parser.add_argument("--text", required=True, help="工作进展")
        parser.add_argument("--problems", default="", help="存在问题")
        parser.add_argument("--needs", default="", help="需协调事项")
        parser.add_argument("--actual", action="append", default=[], help="指标实际值：指标编号=数值，可重复")
        parser.add_argument("--attach", action="append", default=[], help="附件文件路径，可重复")
        parser.add_argument("--consolidated", action="store_true", help="牵头单位汇总报送")
        parser.add_argument("--at", help="报送时间（模拟用），默认现在，如 '2023-03-16 09:00'")

    def handle(self, *args, **o):
        try:
            task = find_task(o["task"])
            unit = find_task_unit(task, o["unit"])
        except TaskLookupError as e:
            raise CommandError(str(e)) from None
        files = []
        for path in o["attach"]:
            try:
                with open(path, "rb") as f:
                    files.append((path, f.read()))
            except OSError as e:
                raise CommandError(f"无法读取附件 {path}：{e.strerror}") from None
        try:
            report = do_submit_report(
                unit,
                task,
                o["period"],
                narrative=o["text"],
                percent=o["percent"],
                status=o["status"],
                problems=o["problems"],
                needs=o["needs"],
                actuals=dict(parse_actual(a) for a in o["actual"]),
                attachments=files,
                at=parse_at(o["at"]),
                consolidated=o["consolidated"],
            )
        except TrackingError as e:
            raise CommandError(str(e)) from None
        late = f"，逾期 {format_duration(report.late_by)}" if report.late_by else "，按时"
        due = f"（时限 {to_local(report.due_at):%Y-%m-%d %H:%M}{late}）" if report.due_at else ""
        self.stdout.write(
            f"已报送：任务 #{task.pk} {report.unit.name} {report.period_obj.label} "
            f"第{report.version}版 {report.percent:g}% {report.self_status}{due}"
        )
