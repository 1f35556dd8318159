"""Writing audit entries: the one place every action records what it changed.

Who acted: the ``actor`` passed in, else the user of the current web request or command (set by
:class:`~duban.accounts.middleware.AuditActorMiddleware` or :func:`acting_as`), else the
operating-system account running a command.
"""

from __future__ import annotations

import getpass
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models

from duban.audit.models import AuditEntry

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
    """Write one audit entry; call it inside the transaction of the change it describes."""
    if actor is None:
        actor = current_actor()
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor_name or (actor.get_username() if actor else system_user()),
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary,
        before=before,
        after=after,
    )
