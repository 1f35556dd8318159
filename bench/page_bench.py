"""Server time per page on the largest sample: p50 / p99 over repeated GETs, and queries per page.

Builds a throw-away SQLite database (all three samples, 邵阳市 (000) as the main plan, one account
per role and a little history — tests/webdata.py), then requests every countable GET page of the
declared URL table (tests/urltable.py) with Django's test client, as each working role allowed on
it. Server time = the time Django takes to answer in-process (no network, no browser), with the
page cache (duban/audit/cache.py) emptied before each request — the cost right after any change. Baseline in
the same run: the trivial ``/ping/`` view through the same stack (sessions, auth, CSP middleware),
so the ratio is less noisy than the absolute figure on a shared machine.

Usage: python bench/page_bench.py [ROUNDS] [--year]   (default 20 requests per page and role)

``--year`` first adds a year of history: one 旬 report per active task of the three samples from
1 January to now (about 24,000 reports by November; 15% late, 5% of the periods skipped), bulk
written as a load would, then ``do_rebuild_snapshots`` — the size a real city plan reaches by year end.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="duban-page-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ["DUBAN_HOME"] = TMP
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.web.settings")
os.environ["DUBAN_DEBUG"] = "0"  # no debug bookkeeping in the timings
os.environ.setdefault("DUBAN_SECRET_KEY", "page-bench-only")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tests.urltable import ROLE_NAMES, ROLE_USERS, RULES, url_of, walk  # noqa: E402
from tests.webdata import build  # noqa: E402

BUDGET_MS = 200  # issue 5: every page under 200 ms server time on a city-size plan


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_get(client: Client, url: str, rounds: int) -> list[float]:
    client.get(url)  # warm-up (templates, imports)
    out = []
    for _ in range(rounds):
        cache.clear()  # the uncached path: every report or notice step invalidates the page cache
        t0 = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out


def add_year_of_reports() -> int:
    """One 旬 report per active task from 1 January to now, deterministic (see the module docstring)."""
    import random
    from datetime import date, timedelta
    from datetime import time as dtime

    from django.utils import timezone

    from duban.plans.models import Task, TaskUnit
    from duban.plans.periods import local_datetime, period_containing
    from duban.tracking.actions import do_rebuild_snapshots
    from duban.tracking.models import ProgressReport

    rnd, now, rows = random.Random(1), timezone.now(), []
    made = set(ProgressReport.objects.values_list("task_id", "period"))
    for task in Task.objects.filter(active=True).prefetch_related("assignments").order_by("pk"):
        units = [a.unit_id for a in task.assignments.all() if a.role == TaskUnit.LEAD]
        units = units or [a.unit_id for a in task.assignments.all()]
        if not units:
            continue
        period, percent = period_containing("旬", date(now.year, 1, 1)), 0.0
        while (due := local_datetime(period.end, dtime(17))) <= now:
            if (task.pk, period.code) not in made and rnd.random() >= 0.05:
                percent = min(100.0, percent + rnd.choice([0, 2, 3, 4]))
                late = rnd.random() < 0.15
                at = (
                    due + timedelta(hours=rnd.randint(1, 60))
                    if late
                    else due - timedelta(hours=rnd.randint(1, 48))
                )
                rows.append(
                    ProgressReport(
                        task=task, unit_id=units[0], version=1, narrative="按计划推进。", percent=percent,
                        self_status="已完成" if percent >= 100 else "正常推进", submitted_at=at, due_at=due,
                        late_by=at - due if late else None, period=period.code, period_start=period.start,
                        period_end=period.end,
                    )
                )  # fmt: skip
            period = period.next()
    ProgressReport.objects.bulk_create(rows, batch_size=2000)
    do_rebuild_snapshots()
    return len(rows)


def main(rounds: int = 20, year: bool = False) -> None:
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    web = build()
    extra = f"，加一年旬报 {add_year_of_reports()} 条" if year else ""
    print(
        f"数据：三份样本（主方案 000 邵阳市）{extra}，建库 {time.perf_counter() - t0:.1f} s；每页每角色 {rounds} 次"
    )
    client = Client()
    client.force_login(web.users["office"])
    ping = time_get(client, "/ping/", rounds * 5)
    base = statistics.median(ping)
    print(f"基线 /ping/：p50 {base:.2f} ms，p99 {percentile(ping, 0.99):.2f} ms\n")
    print(f"{'页面':<26}{'角色':<8}{'p50 ms':>9}{'p99 ms':>9}{'×基线':>8}{'查询':>6}")
    worst = []
    for entry in walk():
        rule = RULES.get(entry.name)
        if rule is None or not rule.count or rule.method != "GET" or entry.name == "ping":
            continue
        url = url_of(entry, rule, web.objects)
        for role in "otrl":
            if role not in rule.allow:
                continue
            client.force_login(web.users[ROLE_USERS[role]])
            times = time_get(client, url, rounds)
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            p50, p99 = statistics.median(times), percentile(times, 0.99)
            worst.append((p99, entry.name, role))
            flag = "  ← 超过 200 ms" if p50 > BUDGET_MS else ""
            print(
                f"{entry.name:<28}{ROLE_NAMES[role]:<6}{p50:>9.1f}{p99:>9.1f}{p50 / base:>8.0f}{len(ctx):>6}{flag}"
            )
    worst.sort(reverse=True)
    over = [w for w in worst if w[0] > BUDGET_MS]
    print(
        f"\n最慢（p99）：{worst[0][1]}（{ROLE_NAMES[worst[0][2]]}）{worst[0][0]:.1f} ms；p99 超过 {BUDGET_MS} ms 的：{len(over)} 个"
    )


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--year"]
    main(int(args[0]) if args else 20, year="--year" in sys.argv[1:])
