"""`duban refresh_figures [--poll 1] [--nice 10]`: recompute the big page figures (the province's
dashboard) outside the web workers, at a lower CPU priority, as the workers ask (duban/ui/cache.py).

A long-running service beside gunicorn (docs/deployment.md); while it runs its heartbeat is in the
shared cache and the workers hand it their refreshes instead of running them in a thread. Stopped
(Ctrl-C, SIGTERM), it removes its heartbeat and the workers refresh in threads again.
"""

from __future__ import annotations

import os
import signal
import threading

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from duban.scale.router import replica_reads
from duban.ui import cache as figures_cache


class Command(BaseCommand):
    help = "在 Web 进程之外（较低 CPU 优先级）重算大范围页面统计（全省调度台等），常驻运行"

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=1.0, help="检查重算请求的间隔秒数（默认 1）")
        parser.add_argument("--nice", type=int, default=10, help="进程优先级降低多少（nice 值，默认 10；0 不降低）")

    def handle(self, *args, poll=1.0, nice=10, **options):
        if poll <= 0:
            raise CommandError(f"--poll 应为正数秒，收到 {poll}")
        if not 0 <= nice <= 19:
            raise CommandError(f"--nice 应在 0 到 19 之间，收到 {nice}")
        if nice:
            os.nice(nice)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())

        def beat():
            while not stop.is_set():
                figures_cache.heartbeat()
                stop.wait(figures_cache.HEARTBEAT)

        beating = threading.Thread(target=beat, name="duban-refresher-heartbeat", daemon=True)
        beating.start()
        self.stdout.write(f"页面统计重算服务已启动（进程 {os.getpid()}，nice +{nice}），Ctrl-C 停止")
        self.stdout.flush()
        done = 0
        try:
            while not stop.is_set():
                close_old_connections()  # as after a request: a connection past its age is reopened
                with replica_reads():  # the same database the pages read their figures from
                    done += figures_cache.refresh_requested()
                stop.wait(poll)
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            beating.join(figures_cache.HEARTBEAT + 1)
            cache.delete(figures_cache.REFRESHER_KEY)
        self.stdout.write(f"页面统计重算服务已停止：共重算 {done} 次")
