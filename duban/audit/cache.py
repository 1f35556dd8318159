"""The one cache idiom: :func:`cached` — Django's cache framework, keys versioned by the audit log.

One version source. Every change in duban writes an audit entry in its own transaction
(:func:`duban.audit.trail.record`; a change made straight through the ORM or the admin to the
plan structure gets one from :func:`structure_changed`), so the newest entry is a version of the data:

* :data:`DATA` — the newest entry: page figures, which any report, notice step or 批示 changes.
* :data:`STRUCTURE` — the newest entry that changed the plan structure or an account (``structural``,
  every action not on the data-only list :data:`DATA_ACTIONS`): values derived from plans, tasks,
  units, cadences, assignments and users, which reports (hundreds a second) leave alone.

A version is an entry's id and time (an id alone may be reused on SQLite after a rollback), read at
most once per request per scope (:class:`CacheVersionMiddleware`) and read again after the request
writes an entry. A change rolled back takes its entry with it, and so its version: a value computed
inside that transaction is keyed by a version nobody else will read.

Where the values live (``settings.CACHES``, docs/caching.md):

* ``default`` — page figures (:data:`DATA`), a folder shared by the server's workers, so a big scope
  is computed once between them. Figures that took at least ``settings.DUBAN_STALE_FIGURES_AFTER``
  seconds (a city with its counties and up) are served whatever changed since, while the task queue's
  worker recomputes them (:func:`refresh_entry`), never older than :data:`MAX_STALE`; the figures
  carry the moment they were computed at, which pages print.
* ``structure`` / ``structure-large`` — values derived from the structure, in each process and shared
  by its requests without copying (:class:`SharedMemoryCache`: never mutate them), or with
  ``private=True`` a pickled copy per read, for objects a view may change (a user, a task).
  ``structure-large`` keeps fewer of the ~100 KB values (a unit's task list, a plan list page).
"""

from __future__ import annotations

import hashlib
import logging
import pickle  # noqa: S403 — only bytes this process pickled itself (private values)
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.db import OperationalError
from huey.contrib.djhuey import db_task

from duban.audit.models import AuditEntry
from duban.ops.router import replica_reads

# audit actions that never change the structure (reports, actuals, notices, 批示, statuses …);
# every other action does, so a new action is safe until it is listed here
DATA_ACTIONS = (
    "submit_report", "record_actuals", "rebuild_snapshots", "refresh_statuses", "remind", "notice.",
    "problem.", "instruction.", "supervision.check", "assessment.", "notify.", "partition_reports",
    "sign_assignment", "return_report",
)  # fmt: skip
TTL = 60  # seconds page figures are fresh (time alone changes them: a report falls due)
MAX_STALE = 600  # never serve figures older than this
REFRESH_BUDGET = 10  # slow figures are recomputed at most every REFRESH_BUDGET × their computing time
LOCK_SECONDS = 300  # a refresh that died (or a worker that is not running) holds its lock this long

log = logging.getLogger(__name__)
_MISSING = object()
_request_versions: ContextVar[dict | None] = ContextVar("duban_cache_versions", default=None)


@dataclass(frozen=True)
class Scope:
    """Which changes make a cached value old (``structural``: only structure changes), and the
    ``settings.CACHES`` entry that holds the values."""

    structural: bool
    alias: str


DATA = Scope(structural=False, alias="default")
STRUCTURE = Scope(structural=True, alias="structure")
STRUCTURE_LARGE = Scope(structural=True, alias="structure-large")


def changes_structure(action: str) -> bool:
    return not action.startswith(DATA_ACTIONS)


def version(scope: Scope) -> str:
    """The version of ``scope``: its newest audit entry ('0' before the first)."""
    seen = _request_versions.get()
    if seen is not None and scope.structural in seen:
        return seen[scope.structural]
    entries = AuditEntry.objects.filter(structural=True) if scope.structural else AuditEntry.objects
    try:
        last = entries.order_by("-id").values_list("id", "at").first()
    except OperationalError:
        # an in-memory SQLite database shared by threads (the test server) refuses to read a table that
        # another thread is writing; a file database in WAL mode and PostgreSQL never do. An unknown
        # version serves nothing cached: the value is computed afresh, and the next request reads again.
        return f"unread-{uuid.uuid4()}"
    found = "0" if last is None else f"{last[0]}-{last[1].timestamp()}"
    if seen is not None:
        seen[scope.structural] = found
    return found


def entry_written() -> None:
    """The request wrote an audit entry: read the versions again (``audit.trail.record``)."""
    seen = _request_versions.get()
    if seen is not None:
        seen.clear()


class CacheVersionMiddleware:
    """Each version read once per request, however many cached values the request uses (a change
    by another process during the request is seen by the next request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reset = _request_versions.set({})
        try:
            return self.get_response(request)
        finally:
            _request_versions.reset(reset)


class SharedMemoryCache(LocMemCache):
    """Django's in-process LocMemCache without its pickling: a value is shared by every request of the
    process, as computed — never mutate it (``cached(private=True)`` gives each read its own copy)."""

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._set(key, value, timeout)
                return True
            return False

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            self._cache.move_to_end(key, last=False)
            return self._cache[key]

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)


@dataclass
class Entry:
    """Page figures with the moment their computation started and how long it took."""

    at: float
    seconds: float
    value: object


def _key(key: tuple) -> str:
    return "duban:" + hashlib.sha256("|".join(str(p) for p in key).encode()).hexdigest()


def cached(key: tuple, scope: Scope, compute: Callable[[], object], *, ttl: int | None = None, private=False):
    """``compute()``, cached under ``key`` at the current version of ``scope``.

    :data:`STRUCTURE` values are kept until the structure changes (or the process's cache is full);
    with ``private`` each read unpickles its own copy. :data:`DATA` values (page figures) are fresh
    for ``ttl`` seconds (:data:`TTL`); slow ones are served stale while the task queue recomputes them
    (module docstring), so their ``compute`` must work out the figures at the moment it runs and must
    pickle (a module-level function or a ``functools.partial`` of one with ids as arguments).
    """
    name = _key(key)
    if scope is not DATA:
        store, at = caches[scope.alias], version(scope)
        found = store.get(name, _MISSING, version=at)
        if found is _MISSING:
            value = compute()
            store.set(name, pickle.dumps(value, pickle.HIGHEST_PROTOCOL) if private else value, None, version=at)
            return value
        return pickle.loads(found) if private else found  # noqa: S301 — pickled above by this process
    return _figures(name, compute, TTL if ttl is None else ttl).value


def _figures(name: str, compute: Callable[[], object], ttl: int) -> Entry:
    store = caches[DATA.alias]
    entry = store.get(name) if settings.DUBAN_STALE_FIGURES_AFTER is not None else None
    if entry is not None and time.time() - entry.at < MAX_STALE:  # slow figures, of any version
        if time.time() - entry.at >= max(ttl, min(REFRESH_BUDGET * entry.seconds, MAX_STALE / 2)):
            _request_refresh(name, compute)
        return entry
    entry = store.get(name, version=version(DATA))
    return entry if entry is not None else _compute(name, compute, ttl)


def _compute(name: str, compute: Callable[[], object], ttl: int, refresh: bool = False) -> Entry:
    """Compute and keep the figures: quick ones at the current version, slow ones (and a refresh of
    slow ones, whatever it took this time) at any version, for stale serving."""
    store, at, started = caches[DATA.alias], version(DATA), time.time()
    entry = Entry(started, 0.0, compute())
    entry.seconds = time.time() - started
    slow = settings.DUBAN_STALE_FIGURES_AFTER
    if refresh or (slow is not None and entry.seconds >= slow):
        store.set(name, entry, MAX_STALE)
    else:
        store.set(name, entry, ttl, version=at)
        store.delete(name)  # quick now: no stale figures of it
    return entry


def _lock(name: str) -> str:
    return name + ":refreshing"


@db_task()
def refresh_entry(name: str, compute: Callable[[], object]) -> None:
    """Recompute slow page figures in the queue's worker, from the database the pages read their
    figures from (the replica, if any); the next request finds them."""
    try:
        with replica_reads():
            _compute(name, compute, TTL, refresh=True)
    finally:
        caches[DATA.alias].delete(_lock(name))


def _request_refresh(name: str, compute: Callable[[], object]) -> None:
    """Queue a recomputation unless one is queued or running; the caller serves the old figures."""
    store = caches[DATA.alias]
    if not store.add(_lock(name), 1, LOCK_SECONDS):
        return
    try:
        refresh_entry(name, compute)
    except Exception:  # a compute that does not pickle, a queue that is down: the old figures stay
        store.delete(_lock(name))
        log.exception("后台重算页面统计未能排队：%s", name)
