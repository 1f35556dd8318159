"""Caching of the heavy page figures, shared by the server's workers.

Exact for small scopes: every change in duban writes an audit entry in the same transaction
(``accounts.audit.record``), so the newest audit entry (id and time) is a version of all the data;
an entry computed at another version is not served, and a report, a notice step or a 批示 makes the
next page view recompute at once. Time alone also changes the figures (a report falls due), so an
entry is fresh for at most :data:`TTL` seconds. One query to read the version.

Stale-while-revalidate for big scopes: the province's dashboard covers tens of thousands of tasks
and takes seconds to compute, so recomputing it on every change would make every user wait behind
every report. An entry that took at least ``settings.DUBAN_STALE_FIGURES_AFTER`` seconds to compute
(0.5 by default: a city with its counties and up) is served whatever changed since, and once it is
older than :data:`REFRESH_BUDGET` times its computing time (and :data:`TTL`) it is still served while
one worker recomputes it in a background thread (one refresh per entry at a time, across workers, by a
lock entry in the shared cache); never older than :data:`MAX_STALE`. So the province's figures (about
20 s to compute) are at most about four minutes old and their upkeep costs at most a tenth of one core,
however many reports arrive. The figures carry the moment they were computed at, which pages print.

Where the refresh runs: a refresh in a worker's thread holds that worker's interpreter lock for
seconds, and the pages the worker serves meanwhile wait behind it (the province dashboard's p99 under
load). So when a ``duban refresh_figures`` process is running (its heartbeat is in the cache), a
worker only asks it to refresh: the lock entry says so, and the recipe of the figures (``compute``
pickled: a module-level function and its arguments, e.g. ``functools.partial``) is kept in a shared
list of recipes. The refresher runs at a lower CPU priority, outside the workers. Without a live
refresher (the demo, a dead timer), or for a ``compute`` that cannot be pickled (a lambda), the
worker's thread refreshes as before.

The cache backend is Django's (``CACHES`` in settings: a folder shared by the gunicorn workers by
default), so the workers compute a big scope once between them, not once each.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import pickle  # noqa: S403 — recipes are pickled by duban's own workers into duban's own cache
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from duban.accounts.models import AuditEntry

TTL = 60  # seconds an entry is fresh
MAX_STALE = 600  # never serve figures older than this
REFRESH_BUDGET = 10  # a slow entry is recomputed at most every REFRESH_BUDGET × its computing time
LOCK_SECONDS = 300  # a refresh that died leaves its lock for at most this long
REFRESHER_KEY = "duban.ui:refresher"  # heartbeat of a running `duban refresh_figures`
RECIPES_KEY = "duban.ui:recipes"  # {entry key: pickled compute} of the slow entries
HEARTBEAT = 5  # seconds between a refresher's heartbeats; one missing for 3× that is a dead refresher
BY_REFRESHER = "refresher"  # lock value: the refresher process is asked to recompute the entry
RENDERED_KEPT = 32  # renderings of entries kept per process (cached_rendered), ~200 KB each at most

log = logging.getLogger(__name__)
_rendered: OrderedDict[tuple, str] = OrderedDict()
_rendered_lock = threading.Lock()


@dataclass
class Entry:
    version: str  # data version the figures were computed at
    at: float  # epoch seconds when the computation started
    seconds: float  # how long it took
    value: object


def data_version() -> str:
    last = AuditEntry.objects.order_by("-id").values_list("id", "at").first()
    return "0" if last is None else f"{last[0]}-{last[1].timestamp()}"


def _key(parts: tuple) -> str:
    return "duban.ui:" + hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def _compute(key: str, compute: Callable[[], object]) -> Entry:
    version, started = data_version(), time.time()
    value = compute()
    entry = Entry(version, started, time.time() - started, value)
    cache.set(key, entry, MAX_STALE)
    return entry


def _lock(key: str) -> str:
    return key + ":refreshing"


def _recipe(compute: Callable[[], object]) -> bytes | None:
    try:
        return pickle.dumps(compute)
    except (pickle.PicklingError, AttributeError, TypeError):  # a lambda or a closure: no recipe
        return None


def refresher_alive() -> bool:
    return cache.get(REFRESHER_KEY) is not None


def _register(key: str, recipe: bytes) -> None:
    """Add the recipe to the shared list; workers may write it at the same moment, so re-read and retry
    (a recipe still lost is put back by the next request that finds the figures due)."""
    for _ in range(3):
        recipes = cache.get(RECIPES_KEY) or {}
        if recipes.get(key) == recipe:
            return
        recipes[key] = recipe
        cache.set(RECIPES_KEY, recipes, None)


def _request_refresh(key: str, compute: Callable[[], object]) -> None:
    """Have ``key`` recomputed, by the refresher process when one runs, else in a thread here."""
    if refresher_alive():
        recipe = _recipe(compute)
        if recipe is not None:
            cache.add(_lock(key), BY_REFRESHER, LOCK_SECONDS)
            _register(key, recipe)  # also when asked before: puts back a recipe lost to a concurrent write
            return
    elif cache.get(_lock(key)) == BY_REFRESHER:  # asked of a refresher that has stopped since
        cache.delete(_lock(key))
    _refresh_in_background(key, compute)


def _refresh_in_background(key: str, compute: Callable[[], object]) -> None:
    """Recompute ``key`` in a thread unless some worker already is; the caller serves the old entry."""
    lock = _lock(key)
    if not cache.add(lock, 1, LOCK_SECONDS):
        return
    context = contextvars.copy_context()  # keeps the request's replica routing (duban.scale.router)

    def run():
        try:
            context.run(_compute, key, compute)
        except Exception:  # a failed refresh leaves the old entry; the next view retries
            log.exception("后台重算页面统计失败：%s", key)
        finally:
            cache.delete(lock)
            connections.close_all()  # this thread's own connections

    threading.Thread(target=run, name="duban-cache-refresh", daemon=True).start()


def cached(parts: tuple, compute: Callable[[], object], ttl: int | None = None):
    """``compute()`` cached under ``parts``: fresh at the current data version for ``ttl`` seconds;
    a slow entry is served up to :data:`MAX_STALE` seconds old while it is recomputed (module docstring).

    ``compute`` must work out its figures at the moment it runs (not at a moment captured earlier)
    when ``parts`` do not pin that moment, since a background refresh runs it later; for a slow entry
    it should be picklable (a module-level function, or a ``functools.partial`` of one with ids as
    arguments) so that the refresher process can run it.
    """
    return _entry(parts, compute, ttl)[1].value


def cached_rendered(parts: tuple, compute: Callable[[], object], render: Callable[[object], str], ttl=None):
    """``(cached(parts, compute), render(value))``, the rendering kept in this process for as long as the
    entry stays the same: a province's figures take ~15 ms to render, the same for every viewer, and a
    page served from the cache was spending nearly all its time there. ``render`` may use the value only."""
    key, entry = _entry(parts, compute, ttl)
    memo = (key, entry.version, entry.at)
    with _rendered_lock:
        html = _rendered.get(memo)
        if html is not None:
            _rendered.move_to_end(memo)
    if html is None:
        html = render(entry.value)
        with _rendered_lock:
            _rendered[memo] = html
            while len(_rendered) > RENDERED_KEPT:
                _rendered.popitem(last=False)
    return entry.value, html


def _entry(parts: tuple, compute: Callable[[], object], ttl: int | None) -> tuple[str, Entry]:
    ttl = TTL if ttl is None else ttl
    key = _key(parts)
    entry = cache.get(key)
    if isinstance(entry, Entry):
        age = time.time() - entry.at
        slow = settings.DUBAN_STALE_FIGURES_AFTER
        if slow is None or entry.seconds < slow:
            if age < ttl and entry.version == data_version():
                return key, entry
        elif age < MAX_STALE:
            if age >= max(ttl, min(REFRESH_BUDGET * entry.seconds, MAX_STALE / 2)):
                _request_refresh(key, compute)
            return key, entry
    return key, _compute(key, compute)


def refresh_requested() -> int:
    """Recompute the entries the workers asked the refresher for (``duban refresh_figures``); drop the
    recipes of entries that are gone (not viewed for :data:`MAX_STALE` seconds). Returns how many
    entries were recomputed."""
    recipes = cache.get(RECIPES_KEY) or {}
    done, gone = 0, []
    for key, recipe in recipes.items():
        if cache.get(_lock(key)) != BY_REFRESHER:
            if not cache.has_key(key):
                gone.append(key)
            continue
        if not cache.add(key + ":claimed", 1, LOCK_SECONDS):  # another refresher is on it
            continue
        try:
            compute = pickle.loads(recipe)  # noqa: S301 — pickled by duban's workers (module docstring)
            _compute(key, compute)
            done += 1
        except Exception:  # a failed refresh (or a recipe of older code) leaves the old entry
            log.exception("后台重算页面统计失败：%s", key)
            gone.append(key)  # the next request registers its recipe anew
        finally:
            cache.delete(_lock(key))
            cache.delete(key + ":claimed")
    if gone:
        _unregister(gone)
    return done


def _unregister(keys: list[str]) -> None:
    recipes = cache.get(RECIPES_KEY) or {}
    for key in keys:
        recipes.pop(key, None)
    cache.set(RECIPES_KEY, recipes, None)


def heartbeat() -> None:
    """Tell the workers a refresher is running (for 3 × :data:`HEARTBEAT` seconds)."""
    cache.set(REFRESHER_KEY, time.time(), 3 * HEARTBEAT)
