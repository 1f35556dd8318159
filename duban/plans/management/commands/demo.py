"""`duban demo`: migrate, import the bundled sample plans once, print the URL and serve."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from duban.cli import SAMPLES_DIR
from duban.ingest import IngestError
from duban.plans.actions import do_ingest_file
from duban.plans.models import SourceDocument


def sample_files() -> list[str]:
    return sorted(os.path.join(SAMPLES_DIR, f) for f in os.listdir(SAMPLES_DIR) if f.endswith(".txt"))


def sha256_of(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Command(BaseCommand):
    help = "演示：建库（默认 ./var/duban.sqlite3），导入内置样本方案，在 http://127.0.0.1:8000/ 启动网页"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument("--no-serve", action="store_true", help="只建库和导入，不启动网页")
        parser.add_argument(
            "--simulate", action="store_true", help="也生成一段模拟报送和督办（启动网页时总会生成，只做一次）"
        )

    def handle(self, *args, port: int = 8000, no_serve: bool = False, **options):
        db = settings.DATABASES["default"]
        self.stdout.write(f"数据库：{db['NAME']}")
        call_command("migrate", interactive=False, verbosity=0)
        for path in sample_files():
            name = os.path.basename(path)
            if SourceDocument.objects.filter(sha256=sha256_of(path)).exists():
                self.stdout.write(f"{name}：已导入，跳过")
                continue
            try:
                report = do_ingest_file(path)
            except IngestError as e:
                self.stderr.write(f"错误：{e}")
                sys.exit(2)
            self.stdout.write("\n".join(report.lines()[:7]))
        from duban.ui.demo_accounts import console_lines, ensure_demo_accounts, ensure_demo_reports

        self.stdout.write("\n".join(console_lines(ensure_demo_accounts())))  # demo only (docs/ui.md)
        if not no_serve or options.get("simulate"):
            self.stdout.write(ensure_demo_reports())
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
