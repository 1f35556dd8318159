"""Read replica routing: dashboards and briefs read from ``replica``; everything else uses ``default``.

A replica is configured by ``DUBAN_REPLICA_URL`` (settings.py adds it as the ``replica`` alias).
Without one every query goes to ``default`` and this module does nothing.

What reads from the replica: the code inside :func:`replica_reads` (brief generation, bench
figures) and GET/HEAD requests whose path starts with one of ``DUBAN_REPLICA_PATHS`` (dashboards,
public page, brief pages) — set by :class:`ReplicaReadsMiddleware`. Writes always go to ``default``,
and so do reads inside an open transaction on ``default`` (a read that must see the row just
written). A replica lags by up to a few seconds; pages read from it say "as of" anyway.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
DEFAULT_PATHS = ("/dashboard/", "/api/dashboard/", "/leader/", "/public/", "/api/public/", "/briefs/")
_reading: ContextVar[bool] = ContextVar("duban_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads():
    """Route the ORM reads made inside the block to the replica (when one is configured)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    """Django database router: see the module docstring."""

    def db_for_read(self, model, **hints):
        if not _reading.get() or not replica_configured():
            return None
        if connections["default"].in_atomic_block:
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as default

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return None  # a streaming replica gets its schema from the primary; a test copy migrates itself


class ReplicaReadsMiddleware:
    """GET/HEAD requests to the dashboard-like pages read from the replica."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = tuple(getattr(settings, "DUBAN_REPLICA_PATHS", DEFAULT_PATHS))

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path.startswith(self.paths):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
