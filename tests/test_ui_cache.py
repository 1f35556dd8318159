"""The page figures of the one cache helper (duban/audit/cache.py, DATA): exact after a change for quick figures, stale-while-
revalidate for slow ones, one background refresh at a time, queued for the task queue's worker
(``duban run_huey``, run for real in the last test), entries kept in the shared file cache."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from duban.audit import cache as figures_cache
from duban.audit.cache import DATA
from duban.audit.trail import record
from tests.conftest import run_queued

pytestmark = pytest.mark.django_db(transaction=True)  # the worker reads on its own connection


@pytest.fixture
def file_cache(tmp_path):
    """The product's backend (a folder shared by the workers), in a folder of this test's own."""
    shared = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    with override_settings(CACHES=with_structure(shared)):
        cache.clear()
        yield tmp_path
        cache.clear()


def with_structure(caches: dict) -> dict:
    """``caches`` and the product's in-process structure caches (settings.CACHES is replaced whole)."""
    return caches | {alias: settings.CACHES[alias] for alias in ("structure", "structure-large")}


def cached(key, compute, ttl=None):
    return figures_cache.cached(key, DATA, compute, ttl=ttl)


class Counter:
    """A compute function that counts its runs and returns the run number."""

    def __init__(self, seconds: float = 0):
        self.runs, self.seconds = 0, seconds

    def __call__(self):
        self.runs += 1
        time.sleep(self.seconds)
        return self.runs


def change():
    record("bench_probe", None, summary="测试：任意一次改动")  # every change writes an audit entry


def stamp(log: str, seconds: float = 0.0) -> tuple[int, int]:
    """A compute that pickles: (the process that ran it, how many runs so far, kept in ``log``)."""
    time.sleep(seconds)
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    return os.getpid(), len(Path(log).read_text().splitlines())


@override_settings(DUBAN_STALE_FIGURES_AFTER=None)
def test_quick_figures_are_recomputed_after_any_change(file_cache):
    compute = Counter()
    assert cached(("k",), compute) == 1
    assert cached(("k",), compute) == 1  # same data version: served from the cache
    change()
    assert cached(("k",), compute) == 2  # the change is seen at once
    assert list(file_cache.iterdir())  # kept in the shared folder, not in this process


@override_settings(DUBAN_STALE_FIGURES_AFTER=0.05)
def test_slow_figures_are_recomputed_at_most_once_per_budget(file_cache, queued):
    compute = partial(stamp, str(file_cache / "runs.log"), 0.1)
    assert cached(("slow",), compute)[1] == 1
    for _ in range(3):  # reports keep arriving: the figures stand until their budget is spent
        change()
        assert cached(("slow",), compute)[1] == 1
    assert HUEY.pending_count() == 0  # nothing queued


@override_settings(DUBAN_STALE_FIGURES_AFTER=0.05)
def test_slow_figures_are_served_stale_while_one_refresh_is_queued(file_cache, queued, monkeypatch, tmp_path):
    monkeypatch.setattr(figures_cache, "REFRESH_BUDGET", 0)  # due for a refresh at once
    compute = partial(stamp, str(tmp_path / "runs.log"), 0.3)
    assert cached(("slow",), compute, ttl=0)[1] == 1
    change()
    started = time.perf_counter()
    first, second = cached(("slow",), compute, ttl=0), cached(("slow",), compute, ttl=0)
    assert first[1] == second[1] == 1  # the old figures, at once, not after another 0.3 s computation
    assert time.perf_counter() - started < 0.25
    assert HUEY.pending_count() == 1  # one refresh queued for both requests
    assert run_queued() == 1  # what the worker does
    assert cache.get(figures_cache._lock(figures_cache._key(("slow",)))) is None  # free for the next one
    monkeypatch.setattr(figures_cache, "REFRESH_BUDGET", 10)
    assert cached(("slow",), compute)[1] == 2  # the refreshed figures
    assert len((tmp_path / "runs.log").read_text().splitlines()) == 2


@override_settings(DUBAN_STALE_FIGURES_AFTER=0.05)
def test_figures_older_than_the_limit_are_never_served(file_cache, queued, monkeypatch, tmp_path):
    compute = partial(stamp, str(tmp_path / "runs.log"), 0.1)
    assert cached(("old",), compute)[1] == 1
    change()
    monkeypatch.setattr(figures_cache, "MAX_STALE", 0)  # the stored entry is now too old to show
    assert cached(("old",), compute)[1] == 2


@override_settings(DUBAN_STALE_FIGURES_AFTER=0.05)
def test_a_failed_refresh_keeps_the_old_figures_and_frees_the_lock(file_cache, queued, monkeypatch, tmp_path):
    monkeypatch.setattr(figures_cache, "REFRESH_BUDGET", 0)
    log = tmp_path / "runs.log"
    compute = partial(stamp, str(log), 0.1)
    assert cached(("flaky",), compute, ttl=0)[1] == 1
    change()
    assert cached(("flaky",), compute, ttl=0)[1] == 1
    log.unlink()
    log.mkdir()  # stamp() now fails: the database, say, is briefly unavailable
    assert run_queued() == 1
    assert cached(("flaky",), compute, ttl=0)[1] == 1  # still the last good figures; a new refresh queued
    assert HUEY.pending_count() == 1


@override_settings(DUBAN_STALE_FIGURES_AFTER=0.05)
def test_a_compute_that_does_not_pickle_is_not_queued_and_the_old_figures_stay(file_cache, queued, monkeypatch):
    monkeypatch.setattr(figures_cache, "REFRESH_BUDGET", 0)
    compute = Counter(seconds=0.1)
    closure = lambda: compute()  # noqa: E731 — a closure: the worker could not run it
    assert cached(("lambda",), closure, ttl=0) == 1
    assert cached(("lambda",), closure, ttl=0) == 1
    assert HUEY.pending_count() == 0 and compute.runs == 1
    assert cache.get(figures_cache._lock(figures_cache._key(("lambda",)))) is None  # the next view tries again


def test_the_queue_worker_refreshes_the_figures_outside_the_web_process(tmp_path, settings):
    """The real worker, ``duban run_huey``, in a process of its own with the queue file, cache folder and
    database of its home: a refresh queued here is computed there."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DUBAN_JOBS_URL")} | {
        "DUBAN_HOME": str(home), "DUBAN_CACHE_DIR": str(home / "cache"), "DUBAN_SECRET_KEY": "test-only",
    }  # fmt: skip
    cli = [sys.executable, "-m", "duban.cli"]
    root = Path(__file__).resolve().parent.parent  # the compute's module, tests.test_ui_cache, is found from here
    migrate = subprocess.run([*cli, "migrate", "-v", "0"], cwd=root, env=env, capture_output=True, text=True)
    assert migrate.returncode == 0, migrate.stderr
    settings.CACHES = with_structure(
        {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(home / "cache")}}
    )
    settings.DUBAN_STALE_FIGURES_AFTER = 0.05
    memory = HUEY.storage
    HUEY.immediate = False
    HUEY.storage = SqliteStorage("duban", filename=str(home / "jobs.sqlite3"), timeout=20)  # the worker's queue
    proc = subprocess.Popen(
        [*cli, "run_huey", "--workers", "1"], cwd=root, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        compute = partial(stamp, str(tmp_path / "runs.log"), 0.1)
        deadline = time.monotonic() + 60
        with pytest.MonkeyPatch.context() as m:
            m.setattr(figures_cache, "REFRESH_BUDGET", 0)
            m.setattr(figures_cache, "version", lambda scope: "v")  # the test database is not the worker's
            assert cached(("slow",), compute, ttl=0) == (os.getpid(), 1)
            assert cached(("slow",), compute, ttl=0) == (os.getpid(), 1)  # stale; the refresh is queued
            while cached(("slow",), compute, ttl=3600) != (proc.pid, 2):
                assert proc.poll() is None and time.monotonic() < deadline, "任务队列 worker 没有重算"
                time.sleep(0.1)
    finally:
        HUEY.storage, HUEY.immediate = memory, True
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "duban.audit.cache.refresh_entry" in out  # the worker names the tasks it runs
