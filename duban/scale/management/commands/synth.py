"""`duban synth [--seed 1] [--cities 14] [--counties 122] [--tasks-per-plan 56] [--reports-year 2023]`."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from duban.scale.actions import do_clear_synthetic, do_synthesize
from duban.scale.synth import (
    PROVINCE_CITIES,
    PROVINCE_COUNTIES,
    TASKS_PER_PLAN,
    SynthError,
    SynthSpec,
    fingerprint,
)


class Command(BaseCommand):
    help = "生成合成省份：市州、县市区的方案（样本的形状）、任务、目标、调度机制和一年的进展报送；同一种子结果相同"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--cities", type=int, default=PROVINCE_CITIES, help="市州数（默认 14）")
        parser.add_argument("--counties", type=int, default=PROVINCE_COUNTIES, help="县市区数（默认 122）")
        parser.add_argument(
            "--tasks-per-plan", type=int, default=TASKS_PER_PLAN, help="每个工作方案的任务数（默认 56）"
        )
        parser.add_argument("--reports-year", type=int, default=2023, help="报送年份（默认 2023）")
        parser.add_argument("--until", help="只生成此日（含）之前到期的报送，如 2023-06-30（默认年底）")
        parser.add_argument("--clear", action="store_true", help="删除已生成的合成数据后退出")
        parser.add_argument("--fingerprint", action="store_true", help="生成后打印行数和抽样校验和")

    def handle(self, *args, **o):
        if o["clear"]:
            try:
                counts = do_clear_synthetic()
            except SynthError as e:
                raise CommandError(str(e)) from None
            self.stdout.write(
                f"已删除合成数据：文件 {counts['files']}，任务 {counts['tasks']}，报送 {counts['reports']}"
            )
            return
        until = None
        if o["until"]:
            try:
                until = date.fromisoformat(o["until"])
            except ValueError:
                raise CommandError(f"无法识别的日期“{o['until']}”（例：2023-06-30）") from None
            if until.year != o["reports_year"]:
                raise CommandError(f"--until {until} 不在报送年份 {o['reports_year']} 内")
        spec = SynthSpec(o["seed"], o["cities"], o["counties"], o["tasks_per_plan"], o["reports_year"], until)
        self.stdout.write(
            f"生成合成省份：种子 {spec.seed}，{spec.cities} 个市州、{spec.counties} 个县市区，"
            f"每个工作方案 {spec.tasks_per_plan} 项任务，{spec.reports_year} 年报送（至 {spec.last_day}）"
        )
        started = time.perf_counter()
        try:
            total = do_synthesize(spec, say=self.stdout.write)
        except SynthError as e:
            raise CommandError(str(e)) from None
        seconds = time.perf_counter() - started
        self.stdout.write(f"合计：{total.line()}")
        self.stdout.write(f"用时 {seconds:.1f} 秒（{total.reports / max(seconds, 1e-9):,.0f} 条报送/秒）")
        if o["fingerprint"]:
            for k, v in fingerprint(spec.seed).items():
                self.stdout.write(f"  {k}: {v}")
