"""`duban bench [--json] [--quick] [--users 50] [--seconds 30] [--workers 4] [--check]`."""

from __future__ import annotations

import json
import platform
import tempfile
import time
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from duban.ops.router import replica_configured
from duban.plans.models import Region, Task
from duban.plans.periods import LOCAL_TZ
from duban.scale import figures as f
from duban.scale.loadtest import LoadSpec, load_figures, missing_tools
from duban.tracking.models import ProgressReport

EVERY_FIGURE = (
    "parse_mb_s", "ingest_s", "page_unit_home_p99_ms", "page_dashboard_city_p99_ms",
    "page_dashboard_province_p99_ms", "page_plans_city_p99_ms", "page_plans_province_p99_ms",
    "submit_per_s", "submit_lost", "server_memory_peak_mb", "brief_city_s", "brief_province_s",
    "remind_province_s", "memory_peak_mb",
)  # fmt: skip


def _reports_year() -> int:
    first = ProgressReport.objects.order_by("period_start").values_list("period_start", flat=True).first()
    return first.year if first else datetime.now(LOCAL_TZ).year


class Command(BaseCommand):
    help = "性能基准：解析、导入、页面延迟与报送吞吐（gunicorn + locust）、月通报、催报、内存；每项附同次运行的基线比值"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument("--quick", action="store_true", help="缩小规模的冒烟运行（CI 用，约 1 分钟）")
        parser.add_argument("--users", type=int, help="并发用户数（默认 50；--quick 为 10）")
        parser.add_argument("--seconds", type=int, help="每轮压测秒数（默认 30；--quick 为 5）")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn worker 数（默认 4）")
        parser.add_argument("--as-of", help="催报和简报按此时间（默认：报送年份的 6 月 29 日 09:00）")
        parser.add_argument(
            "--workdir", help="压测文件（gunicorn 日志、locust 统计）存放目录（默认临时目录）"
        )
        parser.add_argument("--check", action="store_true", help="有数字缺失或报送丢失时退出码 1（不看目标）")

    def handle(self, *args, **o):
        quick = o["quick"]
        users = o["users"] or (10 if quick else 50)
        seconds = o["seconds"] or (5 if quick else 30)
        if users < 1 or seconds < 1 or o["workers"] < 1:
            raise CommandError("--users、--seconds、--workers 须为正整数")
        if problem := missing_tools():
            raise CommandError(problem)
        if not Task.objects.exists():
            raise CommandError("库中没有任务：先运行 duban synth（或 duban demo --no-serve）")
        year = _reports_year()
        if o["as_of"]:
            try:
                as_of = datetime.fromisoformat(o["as_of"]).replace(tzinfo=LOCAL_TZ)
            except ValueError:
                raise CommandError(f"无法识别的时间“{o['as_of']}”（例：2023-06-29 09:00）") from None
        else:
            as_of = datetime(year, 6, 29, 9, 0, tzinfo=LOCAL_TZ)
        month = f"{as_of.year}-{as_of.month - 1 or 1:02d}"  # the 月通报 of the month before
        city = Region.objects.filter(level="市", plans__tasks__isnull=False).order_by("id").distinct().first()
        say = (lambda s: None) if o["json"] else self.stdout.write
        started = time.perf_counter()
        out: list[f.Figure] = []

        def step(fn, *a):
            fig = fn(*a)
            figs = fig if isinstance(fig, list) else [fig]
            for x in figs:
                say(x.line())
            out.extend(figs)

        say(f"数据库：{connection.vendor}（{connection.settings_dict['NAME']}），任务 {Task.objects.count()}，"
            f"报送 {ProgressReport.objects.count()}{'，只读副本已配置' if replica_configured() else ''}")  # fmt: skip
        step(f.parse_throughput, 1 if quick else 3)
        step(f.ingest_largest)
        workdir = Path(o["workdir"] or tempfile.mkdtemp(prefix="duban-bench-"))
        workdir.mkdir(parents=True, exist_ok=True)
        say(f"压测文件：{workdir}")
        step(load_figures, LoadSpec(users, seconds, o["workers"]), workdir)
        step(f.brief_time, city, month, 5)
        step(f.brief_time, None, month, 60)
        step(f.remind_time, as_of)
        step(f.memory_peak)
        result = {
            "machine": {
                "cpus": _cpus(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "database": connection.vendor,
            "quick": quick,
            "users": users,
            "seconds": seconds,
            "tasks": Task.objects.count(),
            "reports": ProgressReport.objects.count(),
            "as_of": as_of.isoformat(),
            "workdir": str(workdir),
            "wall_s": round(time.perf_counter() - started, 1),
            "figures": {x.key: x.as_json() for x in out},
        }
        if o["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"用时 {result['wall_s']} 秒")
        if o["check"]:
            missing = [k for k in EVERY_FIGURE if k not in result["figures"]]
            lost = result["figures"].get("submit_lost", {}).get("value")
            if missing or lost:
                raise CommandError(f"缺少数字：{missing}；丢失报送：{lost}")


def _cpus() -> int:
    import os

    return os.cpu_count() or 0
