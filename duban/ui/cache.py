"""Caching of the heavy page figures, shared by the server's workers.

Exact for small scopes: every change in duban writes an audit entry in the same transaction
(``audit.trail.record``), so the newest audit entry (id and time) is a version of all the data;
an entry computed at another version is not served, and a report, a notice step or a 批示 makes the
next page view recompute at once. Time alone also changes the figures (a report falls due), so an
entry is fresh for at most :data:`TTL` seconds. One query to read the version.

Stale-while-revalidate for big scopes: the province's dashboard covers tens of thousands of tasks
and takes seconds to compute, so recomputing it on every change would make every user wait behind
every report. An entry that took at least ``settings.DUBAN_STALE_FIGURES_AFTER`` seconds to compute
(0.5 by default: a city with its counties and up) is served whatever changed since, and once it is
older than :data:`REFRESH_BUDGET` times its computing time (and :data:`TTL`) it is still served while
the task queue's worker recomputes it (:func:`refresh_entry`, a job of ``duban run_huey``, outside
the web workers; one refresh per entry at a time, by a lock entry in the shared cache); never older
than :data:`MAX_STALE`. So the province's figures (about 20 s to compute) are at most about four
minutes old and their upkeep costs at most a tenth of one core, however many reports arrive. The
figures carry the moment they were computed at, which pages print. ``compute`` of a slow entry is
sent to the worker, so it must pickle: a module-level function or a ``functools.partial`` of one.

The cache backend is Django's (``CACHES`` in settings: a folder shared by the gunicorn workers by
default), so the workers compute a big scope once between them, not once each.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from huey.contrib.djhuey import db_task

from duban.audit.models import AuditEntry
from duban.ops.router import replica_reads

TTL = 60  # seconds an entry is fresh
MAX_STALE = 600  # never serve figures older than this
REFRESH_BUDGET = 10  # a slow entry is recomputed at most every REFRESH_BUDGET × its computing time
LOCK_SECONDS = 300  # a refresh that died (or a worker that is not running) holds its lock this long
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


@db_task()
def refresh_entry(key: str, compute: Callable[[], object]) -> None:
    """Recompute one slow entry in the queue's worker, from the database the pages read their figures
    from (the replica, if any), then let the next request ask again."""
    try:
        with replica_reads():
            _compute(key, compute)
    finally:
        cache.delete(_lock(key))


def _request_refresh(key: str, compute: Callable[[], object]) -> None:
    """Queue a recomputation of ``key`` unless one is queued or running; the caller serves the old entry."""
    if not cache.add(_lock(key), 1, LOCK_SECONDS):
        return
    try:
        refresh_entry(key, compute)
    except Exception:  # a compute that does not pickle, a queue that is down: the old entry stays
        cache.delete(_lock(key))
        log.exception("后台重算页面统计未能排队：%s", key)


def cached(parts: tuple, compute: Callable[[], object], ttl: int | None = None):
    """``compute()`` cached under ``parts``: fresh at the current data version for ``ttl`` seconds;
    a slow entry is served up to :data:`MAX_STALE` seconds old while it is recomputed (module docstring).

    ``compute`` must work out its figures at the moment it runs (not at a moment captured earlier)
    when ``parts`` do not pin that moment, since a background refresh runs it later; for a slow entry
    it must pickle (a module-level function, or a ``functools.partial`` of one with ids as arguments)
    so that the queue's worker can run it.
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
