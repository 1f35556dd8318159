"""Short-lived caching of the heavy page figures, invalidated by any change.

Every change in duban writes an audit entry in the same transaction (``accounts.audit.record``),
so the newest audit entry (id and time) is a version of all the data: a report, a notice step or
a 批示 makes the next page view recompute at once. Time alone also changes the figures (a report
falls due), so an entry lives at most :data:`TTL` seconds. One query to read the version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache

from duban.accounts.models import AuditEntry

TTL = 60  # seconds


def data_version() -> str:
    last = AuditEntry.objects.order_by("-id").values_list("id", "at").first()
    return "0" if last is None else f"{last[0]}-{last[1].timestamp()}"


def cached(parts: tuple, compute: Callable[[], object], ttl: int = TTL):
    """``compute()`` cached under ``parts`` + the data version."""
    raw = "|".join(str(p) for p in (*parts, data_version()))
    key = "duban.ui:" + hashlib.sha256(raw.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, ttl)
    return value
