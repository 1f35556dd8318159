"""The page-figure cache (duban/ui/cache.py): exact after a change for quick figures, stale-while-
revalidate for slow ones, one background refresh at a time, entries kept in the shared file cache."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache
from django.test import override_settings

from duban.accounts.audit import record
from duban.ui import cache as figures_cache
from duban.ui.cache import cached

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


@override_settings(DUBAN_STALE_FIGURES_AFTER=None)
def test_quick_figures_are_recomputed_after_any_change(file_cache):
    compute = Counter()
    assert cached(("k",), compute) == 1
    assert cached(("k",), compute) == 1  # same data version: served from the cache
    change()
    assert cached(("k",), compute) == 2  # the change is seen at once
    assert list(file_cache.iterdir())  # kept in the shared folder, not in this process


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
