"""Cascade speed on the real samples: task-link suggestion and the alignment report, in a scratch DB.

Ingests 邵阳市 (000) and 新邵县 (003) into a temporary SQLite database, links them, then times
``do_suggest_task_links`` (every county task against every city task) and ``build_alignment``.

Usage: python bench/cascade_bench.py [ROUNDS]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time


def main(rounds: int = 3) -> None:
    os.environ["DUBAN_HOME"] = tempfile.mkdtemp(prefix="duban-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from duban.cascade.actions import do_link_plans, do_suggest_task_links
    from duban.cascade.alignment import build_alignment
    from duban.ingest.bundled import SAMPLES_DIR
    from duban.plans.actions import do_ingest_file
    from duban.plans.lookup import find_plans

    call_command("migrate", verbosity=0)
    files = sorted(os.listdir(SAMPLES_DIR))
    city = do_ingest_file(os.path.join(SAMPLES_DIR, next(f for f in files if f.startswith("000"))))
    county = do_ingest_file(os.path.join(SAMPLES_DIR, next(f for f in files if f.startswith("003"))))
    root = county.source_document.plans.get(parent=None)
    do_link_plans(root, city.source_document.plans.get(kind="总体方案"))

    def best(fn) -> float:
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    report = do_suggest_task_links(root)
    n_child = county.source_document.plans.filter(tasks__active=True).count()
    print(f"suggestions: {len(report.created)} links")
    print(
        f"do_suggest_task_links (idempotent re-run): {best(lambda: do_suggest_task_links(root)) * 1000:.0f} ms"
    )
    print(
        f"build_alignment 新邵县 vs 邵阳市: "
        f"{best(lambda: build_alignment(find_plans('新邵县'), find_plans('邵阳市'))) * 1000:.0f} ms"
        f"  ({n_child} county task rows)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
