"""Obligations inside a programme's period (:class:`duban.plans.models.Programme`).

Every reporting item — calendar, due periods, reminders, statuses, 督办 checks — is admitted by
:func:`admit`: a period wholly before the plan was issued or after the programme's end is not due at
all; a period that began before the issue date is reported from then on, due as its rule says but never
before the issue date (then it is not due: nothing is due before the plan existed); a due instant after
the programme's last day is brought back to that day's end, so no obligation lies outside the period.
"""

from __future__ import annotations

from datetime import date, datetime, time

from duban.plans.periods import Period, local_datetime

Window = tuple[date, date]  # first and last day of a programme
LAST_MINUTE = time(23, 59)


def admit(window: Window | None, period: Period, due: datetime) -> datetime | None:
    """The due instant of ``period`` inside ``window`` (None: not due at all)."""
    if window is None:
        return due
    first, last = window
    if period.end < first or period.start > last:
        return None
    if due < local_datetime(first, time(0)):
        return None
    return min(due, local_datetime(last, LAST_MINUTE))
