"""Submissions/s on SQLite: duban's writer queue (duban.web.sqlite_queue) against Django's own engine.

The submissions part of ``duban bench`` (gunicorn with 4 workers, locust with 50 reporters posting back
to back), run alternately with each engine so that a shared, noisy machine weighs on both alike:

    DUBAN_HOME=var/ab duban migrate && DUBAN_HOME=var/ab duban synth --cities 1 --counties 1 --tasks-per-plan 4
    DUBAN_HOME=var/ab python bench/sqlite_writers.py --rounds 3 --seconds 20

Prints each run (rate, acknowledged and stored rows: none may be lost) and the medians as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import tempfile
from pathlib import Path

import django

ENGINES = {"queue": "duban.web.sqlite_queue", "django": "django.db.backends.sqlite3"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.web.settings")
    django.setup()
    from duban.scale import loadtest
    from duban.tracking.models import ProgressReport

    setup = loadtest.prepare(args.users)
    csrf = secrets.token_hex(16)
    rates: dict[str, list[float]] = {name: [] for name in ENGINES}
    root = Path(tempfile.mkdtemp(prefix="duban-sqlite-ab-"))
    for r in range(args.rounds):
        for name in list(ENGINES) if r % 2 == 0 else list(ENGINES)[::-1]:  # ABBA: neither always first
            os.environ["DUBAN_SQLITE_ENGINE"] = ENGINES[name]  # read by the gunicorn workers' settings
            work = root / f"{name}-{r}"
            work.mkdir()
            acked_file = work / "acked.json"
            with loadtest.Server(args.workers, work / "gunicorn.log") as server:
                loadtest.warm_up(server.url, setup["pages"][:1], csrf, 2 * args.workers)
                before = ProgressReport.objects.order_by("-id").values_list("id", flat=True).first() or 0
                plan = {
                    "mode": "submit",
                    "csrf": csrf,
                    "submit": setup["jobs"],
                    "acked_file": str(acked_file),
                }
                row = loadtest.run_locust(server.url, plan, args.users, args.seconds, work, "submit").get(
                    "submit", {}
                )
            acked = json.loads(acked_file.read_text())
            stored = ProgressReport.objects.filter(id__gt=before, narrative__startswith="压测报送").count()
            rate = float(row.get("Requests/s") or 0) * acked["ok"] / max(1, acked["ok"] + acked["refused"])
            rates[name].append(round(rate, 1))
            print(
                f"{name:<7} 第 {r + 1} 轮 {rate:6.1f} 条/s  确认 {acked['ok']}  库中 {stored}  p99 {row.get('99%')} ms"
            )
    print(json.dumps({"runs": rates, "median": {k: statistics.median(v) for k, v in rates.items()}}))


if __name__ == "__main__":
    main()
