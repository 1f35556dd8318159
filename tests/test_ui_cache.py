"""The page-figure cache (duban/ui/cache.py): exact after a change for quick figures, stale-while-
revalidate for slow ones, one background refresh at a time, entries kept in the shared file cache;
with a ``duban refresh_figures`` process running, the refreshes are done there, not in the workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings

from duban.accounts.audit import record
from duban.ui import cache as figures_cache
from duban.ui.cache import cached, cached_rendered

pytestmark = pytest.mark.django_db(transaction=True)  # the background refresh reads on its own connection


@pytest.fixture
def file_cache(tmp_path):
    """The product's backend (a folder shared by the workers), in a folder of this test's own."""
    shared = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    with override_settings(CACHES=shared):
        cache.clear()
        yield tmp_path
        cache.clear()


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


def wait_for_refreshes():
    for t in threading.enumerate():
        if t.name == "duban-cache-refresh":
            t.join(10)


def refresh_threads() -> int:
    return sum(t.name == "duban-cache-refresh" for t in threading.enumerate())


def stamp(log: str, seconds: float = 0.0) -> tuple[int, int]:
    """A picklable compute (a recipe): (the process that ran it, how many runs so far, kept in ``log``)."""
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


@override_settings(DUBAN_STALE_FIGURES_AFTER=None)
def test_a_rendering_is_kept_while_its_entry_is_the_same(file_cache):
    compute, renders = Counter(), []

    def render(value):
        renders.append(value)
        return f"<p>{value}</p>"

    assert cached_rendered(("r",), compute, render) == (1, "<p>1</p>")
    assert cached_rendered(("r",), compute, render) == (1, "<p>1</p>")
    assert renders == [1]  # rendered once for the entry
    change()
    assert cached_rendered(("r",), compute, render) == (2, "<p>2</p>")  # a new entry, rendered anew
    assert cached_rendered(("other",), compute, render) == (3, "<p>3</p>")
    assert renders == [1, 2, 3]


@override_settings(DUBAN_STALE_FIGURES_AFTER=0.05)
def test_slow_figures_are_recomputed_at_most_once_per_budget(file_cache):
    compute = Counter(seconds=0.1)
    assert cached(("slow",), compute) == 1
    for _ in range(3):  # reports keep arriving: the figures stand until their budget is spent
        change()
        assert cached(("slow",), compute) == 1
    wait_for_refreshes()
    assert compute.runs == 1


@override_settings(DUBAN_STALE_FIGURES_AFTER=0.05)
def test_slow_figures_are_served_stale_while_one_refresh_runs(file_cache, monkeypatch):
    monkeypatch.setattr(figures_cache, "REFRESH_BUDGET", 0)  # due for a refresh at once
    compute = Counter(seconds=0.3)
    assert cached(("slow",), compute, ttl=0) == 1
    change()
    started = time.perf_counter()
    first, second = cached(("slow",), compute, ttl=0), cached(("slow",), compute, ttl=0)
    assert (first, second) == (1, 1)  # the old figures, at once, not after another 0.3 s computation
    assert time.perf_counter() - started < 0.25
    wait_for_refreshes()
    assert compute.runs == 2  # one background refresh for both requests
    monkeypatch.setattr(figures_cache, "REFRESH_BUDGET", 10)
    assert cached(("slow",), compute) == 2  # the refreshed figures
    assert compute.runs == 2


@override_settings(DUBAN_STALE_FIGURES_AFTER=0.05)
def test_figures_older_than_the_limit_are_never_served(file_cache, monkeypatch):
    compute = Counter(seconds=0.1)
    assert cached(("old",), compute) == 1
    change()
    monkeypatch.setattr(figures_cache, "MAX_STALE", 0)  # the stored entry is now too old to show
    assert cached(("old",), compute) == 2
    wait_for_refreshes()


@override_settings(DUBAN_STALE_FIGURES_AFTER=0.05)
def test_a_failed_refresh_keeps_the_old_figures_and_frees_the_lock(file_cache, monkeypatch):
    monkeypatch.setattr(figures_cache, "REFRESH_BUDGET", 0)
    calls = []

    def flaky():
        calls.append(1)
        time.sleep(0.1)
        if len(calls) > 1:
            raise RuntimeError("数据库暂时不可用")
        return "旧数据"

    assert cached(("flaky",), flaky, ttl=0) == "旧数据"
    change()
    assert cached(("flaky",), flaky, ttl=0) == "旧数据"
    wait_for_refreshes()
    assert (
        cached(("flaky",), flaky, ttl=0) == "旧数据"
    )  # still the last good figures; a new refresh was started
    wait_for_refreshes()
    assert len(calls) == 3


@override_settings(DUBAN_STALE_FIGURES_AFTER=0.05)
def test_with_a_refresher_running_workers_ask_it_instead_of_refreshing(file_cache, monkeypatch, tmp_path):
    monkeypatch.setattr(figures_cache, "REFRESH_BUDGET", 0)
    compute = partial(stamp, str(tmp_path / "runs.log"), 0.1)
    assert cached(("slow",), compute, ttl=0) == (os.getpid(), 1)
    figures_cache.heartbeat()  # a `duban refresh_figures` is running
    change()
    assert cached(("slow",), compute, ttl=0) == (os.getpid(), 1)  # the old figures at once
    assert cached(("slow",), compute, ttl=0) == (os.getpid(), 1)  # asked once: the lock is taken
    assert refresh_threads() == 0  # nothing recomputed in this worker
    key = figures_cache._key(("slow",))
    assert cache.get(figures_cache._lock(key)) == figures_cache.BY_REFRESHER
    assert list(cache.get(figures_cache.RECIPES_KEY)) == [key]
    cache.set(figures_cache.RECIPES_KEY, {}, None)  # lost to another worker's write at the same moment
    assert cached(("slow",), compute, ttl=0) == (os.getpid(), 1)
    assert list(cache.get(figures_cache.RECIPES_KEY)) == [key]  # put back by the next request
    assert figures_cache.refresh_requested() == 1  # what the refresher's loop does
    assert figures_cache.refresh_requested() == 0  # nothing asked since
    assert cache.get(figures_cache._lock(key)) is None
    monkeypatch.setattr(figures_cache, "REFRESH_BUDGET", 10)
    assert cached(("slow",), compute) == (os.getpid(), 2)  # the refreshed figures


@override_settings(DUBAN_STALE_FIGURES_AFTER=0.05)
def test_figures_without_a_recipe_or_refresher_are_refreshed_in_a_thread(file_cache, monkeypatch):
    monkeypatch.setattr(figures_cache, "REFRESH_BUDGET", 0)
    figures_cache.heartbeat()
    compute = Counter(seconds=0.1)  # a callable of this test's own making: pickles; a lambda does not
    closure = lambda: compute()  # noqa: E731 — a closure, as views used to pass
    assert cached(("lambda",), closure, ttl=0) == 1
    assert cached(("lambda",), closure, ttl=0) == 1
    wait_for_refreshes()
    assert compute.runs == 2  # refreshed here, the refresher could not have run it
    assert cache.get(figures_cache.RECIPES_KEY) is None


@override_settings(DUBAN_STALE_FIGURES_AFTER=0.05)
def test_a_request_left_to_a_stopped_refresher_is_taken_over(file_cache, monkeypatch, tmp_path):
    monkeypatch.setattr(figures_cache, "REFRESH_BUDGET", 0)
    compute = partial(stamp, str(tmp_path / "runs.log"), 0.1)
    cached(("slow",), compute, ttl=0)
    figures_cache.heartbeat()
    cached(("slow",), compute, ttl=0)  # asked of the refresher, which then dies without answering
    cache.delete(figures_cache.REFRESHER_KEY)  # its heartbeat lapses
    assert cached(("slow",), compute, ttl=0) == (os.getpid(), 1)
    wait_for_refreshes()
    assert cached(("slow",), compute, ttl=0)[1] == 2  # refreshed in this worker's thread instead


@override_settings(DUBAN_STALE_FIGURES_AFTER=0.05)
def test_the_refresher_drops_failed_and_unviewed_recipes(file_cache, monkeypatch, tmp_path):
    monkeypatch.setattr(figures_cache, "REFRESH_BUDGET", 0)
    figures_cache.heartbeat()
    log = tmp_path / "runs.log"
    for _ in range(2):  # computed, then asked of the refresher
        cached(("a",), partial(stamp, str(log), 0.06), ttl=0)
        cached(("b",), partial(stamp, str(log), 0.06), ttl=0)
    a, b = figures_cache._key(("a",)), figures_cache._key(("b",))
    assert set(cache.get(figures_cache.RECIPES_KEY)) == {a, b}
    log.unlink()
    log.mkdir()  # stamp() now fails for both: the old figures stay, the locks are freed
    assert figures_cache.refresh_requested() == 0
    assert cache.get(figures_cache.RECIPES_KEY) == {}
    assert cache.get(figures_cache._lock(a)) is None
    assert cached(("a",), partial(stamp, str(log)), ttl=10) == (os.getpid(), 1)
    cached(("b",), partial(stamp, str(tmp_path / "b.log"), 0.06), ttl=0)  # asked again: recipe registered anew
    assert set(cache.get(figures_cache.RECIPES_KEY)) == {b}
    cache.delete(b)  # its figures expired: nobody has viewed them for MAX_STALE
    cache.delete(figures_cache._lock(b))
    figures_cache.refresh_requested()
    assert cache.get(figures_cache.RECIPES_KEY) == {}


def test_the_refresh_figures_command_refreshes_for_the_workers_at_low_priority(tmp_path, settings):
    """The real command in a process of its own, with the cache folder and database of its home."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "DUBAN_HOME": str(home), "DUBAN_CACHE_DIR": str(home / "cache"), "DUBAN_SECRET_KEY": "test-only",
    }  # fmt: skip
    cli = [sys.executable, "-m", "duban.cli"]
    root = Path(__file__).resolve().parent.parent  # the recipe's module, tests.test_ui_cache, is found from here
    migrate = subprocess.run([*cli, "migrate", "-v", "0"], cwd=root, env=env, capture_output=True, text=True)
    assert migrate.returncode == 0, migrate.stderr
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(home / "cache")}
    }
    settings.DUBAN_STALE_FIGURES_AFTER = 0.05
    proc = subprocess.Popen(
        [*cli, "refresh_figures", "--poll", "0.1"], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not figures_cache.refresher_alive():
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.1)
        assert os.getpriority(os.PRIO_PROCESS, proc.pid) == os.getpriority(os.PRIO_PROCESS, 0) + 10
        compute = partial(stamp, str(tmp_path / "runs.log"), 0.1)
        with pytest.MonkeyPatch.context() as m:
            m.setattr(figures_cache, "REFRESH_BUDGET", 0)
            m.setattr(figures_cache, "data_version", lambda: "v")  # the test database is not the command's
            assert cached(("slow",), compute, ttl=0) == (os.getpid(), 1)
            assert cached(("slow",), compute, ttl=0) == (os.getpid(), 1)
            while cached(("slow",), compute, ttl=3600) != (proc.pid, 2):
                assert time.monotonic() < deadline, "重算服务没有重算"
                time.sleep(0.1)
        assert refresh_threads() == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "共重算 1 次" in out
    assert not figures_cache.refresher_alive()  # stopped: the workers refresh in threads again
