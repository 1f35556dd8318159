"""`duban partition_reports [--status] [--years 2023-2027]`: yearly partitions of reports (PostgreSQL)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from duban.tracking.partition import PartitionError, do_partition_reports, state


def parse_years(text: str) -> range:
    try:
        first, _, last = text.partition("-")
        a, b = int(first), int(last or first)
    except ValueError:
        raise CommandError(f"无法识别的年份范围“{text}”（例：2023-2027）") from None
    if not 2000 <= a <= b <= 2100:
        raise CommandError(f"年份范围“{text}”无效")
    return range(a, b + 1)


class Command(BaseCommand):
    help = "PostgreSQL：把进展报送表改为按年分区（已分区时补建缺少的年度分区）；--status 只查看"

    def add_arguments(self, parser):
        parser.add_argument("--status", action="store_true", help="只显示是否已分区及各分区行数")
        parser.add_argument("--years", help="要建的年度分区，如 2023-2027（默认：已有报送的年份至明年）")

    def handle(self, *args, status=False, years=None, **options):
        try:
            result = state() if status else do_partition_reports(parse_years(years) if years else None)
        except PartitionError as e:
            raise CommandError(str(e)) from None
        except DatabaseError as e:
            raise CommandError(f"分区失败，数据库未改变：{e}") from None
        if not result.partitioned:
            self.stdout.write("进展报送表未分区（运行 duban partition_reports 分区）")
            return
        self.stdout.write("进展报送表已按年分区：")
        for name, bounds, rows in result.partitions:
            self.stdout.write(f"  {name}  {bounds}  {rows} 行")
