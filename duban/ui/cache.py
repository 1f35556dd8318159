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

The cache backend is Django's (``CACHES`` in settings: a folder shared by the gunicorn workers by
default), so the workers compute a big scope once between them, not once each.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import threading
import time
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

log = logging.getLogger(__name__)


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


def _refresh_in_background(key: str, compute: Callable[[], object]) -> None:
    """Recompute ``key`` in a thread unless some worker already is; the caller serves the old entry."""
    lock = key + ":refreshing"
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


def cached(parts: tuple, compute: Callable[[], object], ttl: int = TTL):
    """``compute()`` cached under ``parts``: fresh at the current data version for ``ttl`` seconds;
    a slow entry is served up to :data:`MAX_STALE` seconds old while it is recomputed (module docstring).

    ``compute`` must work out its figures at the moment it runs (not at a moment captured earlier)
    when ``parts`` do not pin that moment, since a background refresh runs it later.
    """
    key = _key(parts)
    entry = cache.get(key)
    if isinstance(entry, Entry):
        age = time.time() - entry.at
        slow = settings.DUBAN_STALE_FIGURES_AFTER
        if slow is None or entry.seconds < slow:
            if age < ttl and entry.version == data_version():
                return entry.value
        elif age < MAX_STALE:
            if age >= max(ttl, min(REFRESH_BUDGET * entry.seconds, MAX_STALE / 2)):
                _refresh_in_background(key, compute)
            return entry.value
    return _compute(key, compute).value
