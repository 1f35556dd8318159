"""`duban ingest FILE... [--region 邵阳市] [--year 2024]`: parse plan files and store them, one transaction
per file, each in its region's programme (年度工作) of the year the document states or ``--year`` says."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from duban.ingest import IngestError
from duban.ops.schema import ensure_migrated
from duban.plans.actions import do_ingest_file


class Command(BaseCommand):
    help = "解析方案文件并入库；每个文件一个事务，全部成功或全部不变；重复导入按原任务更新"

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help="方案文件：.txt .md .html .docx .xlsx .pdf"
        )
        parser.add_argument("--region", help="发文地区（如 邵阳市），默认取解析出的发文机关")
        parser.add_argument(
            "--year", type=int, help="年度（如 2024），默认取文件标题、文号、发文日期中的年份"
        )

    def handle(self, *args, files: list[str], region: str | None = None, year: int | None = None, **options):
        if not ensure_migrated(self.stderr.write):
            sys.exit(2)
        failed = 0
        for path in files:
            try:
                report = do_ingest_file(path, region, year=year)
            except IngestError as e:
                self.stderr.write(f"错误：{e}")
                failed += 1
                continue
            self.stdout.write("\n".join(report.lines()))
        if failed:
            if len(files) > 1:
                self.stderr.write(f"{failed} 个文件导入失败，数据库中这些文件的内容未作改动")
            sys.exit(2)  # one line per bad file, no traceback
