"""Writing audit entries: the one place every action records what it changed.

Who acted: the ``actor`` passed in, else the user of the current web request or command (set by
:class:`~duban.accounts.middleware.AuditActorMiddleware` or :func:`acting_as`), else the
operating-system account running a command.
"""

from __future__ import annotations

import getpass
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, models, transaction
from django.utils import timezone

from duban.audit import cache
from duban.audit.models import AuditEntry

STRUCTURE_CHANGED = "structure.change"  # a change to the plan structure made outside an action
_OPEN = "duban_structure_change"  # on the connection: (id, time) of this transaction's STRUCTURE_CHANGED entry
_actor: ContextVar = ContextVar("duban_audit_actor", default=None)


def system_user() -> str:
    """The operating-system account running a command (who, when there is no web login)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "命令行"


def current_actor():
    """The logged-in user on whose behalf the code runs now, or None."""
    user = _actor.get()
    return user if user is not None and getattr(user, "is_authenticated", False) else None


@contextmanager
def acting_as(user):
    """Attribute every audit entry written inside the block to ``user`` (None: nobody logged in).

    ``user`` may be the request's lazy user: it is only looked at when an entry is written.
    """
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
    actor_name: str = "",
) -> AuditEntry:
    """Write one audit entry; call it inside the transaction of the change it describes.

    The entry versions the cached values (``duban.audit.cache``): every entry the data, one of an
    action not known to leave the structure alone also the structure (bulk writes such as an import
    bypass the model signals). It replaces this transaction's :data:`STRUCTURE_CHANGED` entry, if any:
    one entry per change, and the structure version still moves."""
    if actor is None:
        actor = current_actor()
    opened = open_structure_change() if action != STRUCTURE_CHANGED else None
    entry = AuditEntry.objects.create(
        actor=actor,
        actor_name=actor_name or (actor.get_username() if actor else system_user()),
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary,
        before=before,
        after=after,
        structural=opened is not None or cache.changes_structure(action),
    )
    if opened is not None:
        AuditEntry.objects.filter(pk=opened).delete()
        setattr(connection, _OPEN, None)
    elif action == STRUCTURE_CHANGED and connection.in_atomic_block:
        setattr(connection, _OPEN, (entry.pk, entry.at))
        transaction.on_commit(lambda: setattr(connection, _OPEN, None))
    cache.entry_written()
    return entry


def touch_structure_change(pk: int) -> None:
    """Another structure change in the transaction of the open :data:`STRUCTURE_CHANGED` entry ``pk``:
    the entry's time moves, and the structure version (id and time) with it, so a value cached after
    the first change is not served after the second."""
    at = timezone.now()
    AuditEntry.objects.filter(pk=pk).update(at=at)
    setattr(connection, _OPEN, (pk, at))
    cache.entry_written()


def open_structure_change() -> int | None:
    """The id of the :data:`STRUCTURE_CHANGED` entry written in the current transaction, if it is
    still there (a rollback to a savepoint takes it away)."""
    written = getattr(connection, _OPEN, None)
    if written is None or not connection.in_atomic_block:
        return None
    pk, at = written
    if AuditEntry.objects.filter(pk=pk, at=at, action=STRUCTURE_CHANGED).exists():
        return pk
    setattr(connection, _OPEN, None)
    return None
