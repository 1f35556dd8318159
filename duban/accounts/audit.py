"""Writing audit entries: the one place every action records what it changed."""

from __future__ import annotations

import getpass

from django.db import models

from duban.accounts.models import AuditEntry


def system_user() -> str:
    """The operating-system account running a command (who, when there is no web login)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "命令行"


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
