"""`duban regions [--load FILE] [--check] [REGION]`: the region tree — load a table, check, show."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError

from duban.cascade.checks import level_counts, region_problems
from duban.cascade.regionfile import RegionFileError, find_region_path, load_region_table, parse_region_table
from duban.plans.models import Region


class Command(BaseCommand):
    help = (
        "地区树：--load 文件 载入 CSV/JSON 地区表（其他省份、乡镇）；--check 检查地区树和单位归属；"
        "给出地区名则列出其下级"
    )

    def add_arguments(self, parser):
        parser.add_argument("region", nargs="?", help="列出该地区的下级（名称或路径，如 湖南省/邵阳市）")
        parser.add_argument(
            "--load", metavar="FILE", help="载入地区表（.csv 或 .json，格式见 docs/cascade.md）"
        )
        parser.add_argument(
            "--check", action="store_true", help="检查：层级是否自上而下、单位是否都有所属地区"
        )

    def handle(self, *args, region=None, load=None, check=False, **options):
        if load:
            self._load(load)
        if region:
            found = find_region_path(region)
            if found is None:
                raise CommandError(
                    f"找不到地区“{region}”（或有重名：请写路径，如 湖南省/邵阳市）", returncode=2
                )
            children = list(Region.objects.filter(parent=found).order_by("id"))
            self.stdout.write(f"{found.name}（{found.level}）下级 {len(children)} 个：")
            for c in children:
                self.stdout.write(
                    f"  {c.name}（{c.level}）{'  简称 ' + c.short_name if c.short_name else ''}"
                )
        counts = level_counts()
        self.stdout.write("地区：" + "，".join(f"{level} {n}" for level, n in counts.items()))
        if check:
            problems = region_problems()
            for p in problems:
                self.stdout.write(f"  问题：{p}")
            if problems:
                raise CommandError(f"地区检查发现 {len(problems)} 个问题", returncode=1)
            self.stdout.write("检查通过：地区层级自上而下，每个单位都属于已识别的地区")

    def _load(self, path: str) -> None:
        fmt = os.path.splitext(path)[1].lower().lstrip(".")
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as e:
            raise CommandError(f"{path}: 无法读取地区表（{e.__class__.__name__}）", returncode=2) from None
        try:
            created, existing = load_region_table(parse_region_table(text, fmt))
        except RegionFileError as e:
            raise CommandError(f"{path}: {e}（未做任何修改）", returncode=2) from None
        self.stdout.write(f"{path}：新增 {created} 个地区，已有 {existing} 个")
