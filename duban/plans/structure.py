"""What the plan structure implies, computed once per process and change: the structure version.

The plan tree, the reporting rhythms of the cadences up that tree and the tasks a unit answers for as
a member of a group unit (各县市区人民政府) are needed by every report form, submission and unit home,
and by the calendar, briefs and scores; they change only when plans are imported or revised, cadences
edited, units merged or assigned — a few times a day — while reports arrive hundreds a second.
Reading them from the database on each request was most of a submission's time (docs/benchmarks.md).

So a :class:`~duban.plans.models.StructureVersion` token changes with every change to the structure
models (:data:`STRUCTURE_MODELS`, by save/delete signals, also from the admin) and with every audit
entry of an action that is not known to leave the structure alone (:data:`DATA_ACTIONS`: bulk writes
such as an import or ``duban synth`` bypass signals but always write an audit entry). :func:`cached`
keeps values derived from the structure in this process, keyed by the token read from the database
(one primary-key query), so each worker recomputes them once after a change and never serves a value
of a structure that has since changed, been rolled back or been changed by another process.

Accounts ride on the same token: every request reads its user with role and scope
(``accounts.backends.ProfileBackend``), and every change to an account writes an ``account.*`` audit
entry (``accounts.signals``, also from the admin), which is not on the data-only list; a login, which
only touches ``last_login``, changes nothing.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from duban.audit.models import AuditEntry
from duban.plans import models as m

# audit actions that never change the structure (reports, actuals, notices, 批示, statuses …);
# every other action changes the token, so a new action is safe until it is listed here
DATA_ACTIONS = (
    "submit_report", "record_actuals", "rebuild_snapshots", "refresh_statuses", "remind", "notice.",
    "problem.", "instruction.", "supervision.check", "assessment.", "notify.", "partition_reports",
    "sign_assignment", "return_report",
)  # fmt: skip
STRUCTURE_MODELS = (
    m.Region, m.Programme, m.Unit, m.UnitAlias, m.Campaign, m.Plan, m.Target, m.TaskForce, m.TaskForceMember,
    m.Cadence, m.CadenceItem, m.Task, m.TaskUnit,
)  # fmt: skip
MAX_ENTRIES = 20_000  # values kept per process (a unit's memberships are one entry each)

_values: dict[tuple, object] = {}
_counts: dict[str, int] = {}  # values kept per name
_token = [""]  # the token the values in _values belong to
_lock = threading.Lock()
_request_token: ContextVar[list[str] | None] = ContextVar("duban_structure_token", default=None)


def changes_structure(action: str) -> bool:
    return not action.startswith(DATA_ACTIONS)


def bump() -> None:
    """Give the structure a new token (in the caller's transaction: it commits or rolls back with it)."""
    values = {"token": uuid.uuid4().hex, "at": timezone.now()}
    if not m.StructureVersion.objects.filter(pk=1).update(**values):
        m.StructureVersion.objects.update_or_create(pk=1, defaults=values)
    seen = _request_token.get()
    if seen is not None:  # this request changed the structure: read the token again
        seen.clear()


def version() -> str:
    """The current token ('' before the first change); read once per request (see the middleware)."""
    seen = _request_token.get()
    token = next(iter(seen), None) if seen is not None else None  # a thread may share the list
    if token is not None:
        return token
    token = m.StructureVersion.objects.filter(pk=1).values_list("token", flat=True).first() or ""
    if seen is not None:
        seen.append(token)
    return token


class StructureVersionMiddleware:
    """One read of the structure version per request, however many structure values the request uses
    (a change by another process during the request is seen by the next request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seen: list[str] = []
        reset = _request_token.set(seen)
        try:
            return self.get_response(request)
        finally:
            seen.clear()  # a background thread that copied this request's context reads afresh
            _request_token.reset(reset)


def cached(name: str, key, compute: Callable[[], object], limit: int | None = None):
    """``compute()`` once per structure version and process; the value is shared: never mutate it.

    ``limit``: at most that many values of ``name`` are kept (big values, one per unit or task: the
    name's values are dropped together when it is reached, the others stay)."""
    token = version()
    with _lock:
        if _token[0] != token:  # the structure changed: everything derived from it goes
            _values.clear()
            _counts.clear()
            _token[0] = token
        found = _values.get((name, key), _values)
    if found is not _values:
        return found
    value = compute()
    with _lock:
        if _token[0] == token:
            if len(_values) >= MAX_ENTRIES:
                _values.clear()
                _counts.clear()
            if limit is not None and _counts.get(name, 0) >= limit:
                for k in [k for k in _values if k[0] == name]:
                    del _values[k]
                _counts[name] = 0
            if (name, key) not in _values:
                _counts[name] = _counts.get(name, 0) + 1
            _values[(name, key)] = value
    return value


def forget() -> None:
    """Drop every cached value (tests start each case from an empty cache)."""
    with _lock:
        _values.clear()
        _counts.clear()
        _token[0] = ""


def _changed(sender, **kwargs) -> None:
    if not kwargs.get("raw"):  # loading fixtures
        bump()


def _audited(sender, instance, created, **kwargs) -> None:
    """Bulk writes (an import) bypass the structure's signals but always write an audit entry."""
    if created and not kwargs.get("raw") and changes_structure(instance.action):
        bump()


post_save.connect(_audited, sender=AuditEntry, dispatch_uid="duban.structure.audit")
for _model in STRUCTURE_MODELS:
    post_save.connect(_changed, sender=_model, dispatch_uid=f"duban.structure.save.{_model.__name__}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"duban.structure.delete.{_model.__name__}")
