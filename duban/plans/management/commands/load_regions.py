"""`duban load_regions [FILE]`: load a region list (default: Hunan's 市州 and 县市区)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from duban.plans.hunan import HUNAN
from duban.plans.regions import load_region_list


class Command(BaseCommand):
    help = "载入地区清单（默认湖南省 14 个市州及其县市区）；文件格式见 duban/plans/hunan.py"

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", help="地区清单文件（UTF-8）：首行为省，其余每行“市州：县市区 县市区 …”"
        )

    def handle(self, file=None, **options):
        text = HUNAN
        if file:
            try:
                with open(file, encoding="utf-8") as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError) as e:
                raise CommandError(
                    f"{file}: 无法读取地区清单（{e.__class__.__name__}）", returncode=2
                ) from None
        try:
            created = load_region_list(text)
        except ValueError as e:
            raise CommandError(f"{file or '内置清单'}: {e}", returncode=2) from None
        self.stdout.write(f"地区清单已载入：新增 {created} 个地区")
