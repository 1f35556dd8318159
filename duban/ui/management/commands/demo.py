"""`duban demo`: migrate, import the bundled sample plans once, print the URL and serve.

The samples are 2023 and 2024 plans, imported as the programmes of the years they state; the demo
runs inside them: its clock (duban/plans/clock.py) is set to ``--as-of`` (default 2023-06-30, half
way through 邵阳市's 2023 programme), stored in DUBAN_HOME so the worker and later commands on this
data see the same day, and every page names it (演示日期)."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from duban.ingest import IngestError
from duban.ingest.bundled import SAMPLES_DIR
from duban.plans import clock
from duban.plans.actions import do_ingest_file
from duban.plans.models import SourceDocument
from duban.ui.demo_accounts import console_lines, ensure_demo_accounts, ensure_demo_reports

DEMO_AS_OF = "2023-06-30"  # the samples' year, half way through: some work done, some lagging


def sample_files() -> list[str]:
    return sorted(os.path.join(SAMPLES_DIR, f) for f in os.listdir(SAMPLES_DIR) if f.endswith(".txt"))


def port_busy(port: int, host: str = "127.0.0.1") -> str:
    """One Chinese line when something already listens on ``host:port`` (else ""): said before the
    database is built, not after a minute of importing."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        if s.connect_ex((host, port)) != 0:
            return ""
    return f"错误：端口 {port} 已被占用（{host}:{port} 上已有服务在运行）；换一个端口：duban demo --port 8001（make demo PORT=8001）"


def sha256_of(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Command(BaseCommand):
    help = "演示：建库（默认 ./var/duban.sqlite3），导入内置样本方案，在 http://127.0.0.1:8000/ 启动网页"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument(
            "--as-of", default=DEMO_AS_OF, metavar="YYYY-MM-DD",
            help=f"演示日期：系统按这一天计算应报、逾期和督办（默认 {DEMO_AS_OF}，样本方案的年度内）",
        )  # fmt: skip
        parser.add_argument("--no-serve", action="store_true", help="只建库和导入，不启动网页")
        parser.add_argument(
            "--simulate", action="store_true", help="也生成一段模拟报送和督办（启动网页时总会生成，只做一次）"
        )

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()  # progress lines show at once, also through a pipe (make)

    def handle(self, *args, port: int = 8000, no_serve: bool = False, as_of: str = DEMO_AS_OF, **options):
        try:
            day = clock.parse_day(as_of)
        except clock.ClockError as e:
            self.stderr.write(f"错误：{e}")
            sys.exit(2)
        if not no_serve and (busy := port_busy(port)):
            self.stderr.write(busy)
            sys.exit(2)
        clock.set_demo_date(day)
        self.say(f"演示日期：{day:%Y年%m月%d日}（--as-of 更改；存于 {settings.DATA_DIR}/{clock.DEMO_DATE_FILE}）")
        db = settings.DATABASES["default"]
        self.say(f"数据库：{db['NAME']}")
        call_command("migrate", interactive=False, verbosity=0)
        files = sample_files()
        for k, path in enumerate(files, 1):
            name = os.path.basename(path)
            if SourceDocument.objects.filter(sha256=sha256_of(path)).exists():
                self.say(f"样本 {k}/{len(files)} {name}：已导入，跳过")
                continue
            self.say(f"样本 {k}/{len(files)} {name}：导入中…")
            try:
                report = do_ingest_file(path)  # the programme of the year the file states
            except IngestError as e:
                self.stderr.write(f"错误：{e}")
                sys.exit(2)
            self.stdout.write("\n".join(report.lines()[:7]))

        self.stdout.write("\n".join(console_lines(ensure_demo_accounts())))  # demo only (docs/ui.md)
        if not no_serve or options.get("simulate"):
            self.say(ensure_demo_reports(say=self.say))
        url = f"http://127.0.0.1:{port}/"
        self.stdout.write(f"\n网页：{url}    （管理后台 {url}admin/，先用 duban createsuperuser 建账号）")
        if no_serve:
            return
        self.stdout.write("按 Ctrl+C 停止。")
        # the task queue's worker beside the web server (督办检查, briefs, figures, reminders: docs/jobs.md)
        worker = subprocess.Popen([sys.executable, "-m", "duban.cli", "run_huey", "--quiet"])
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopped by a service manager: the worker too
        try:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, insecure_serving=True)
        finally:
            worker.terminate()
            worker.wait(30)
