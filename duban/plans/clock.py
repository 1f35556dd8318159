"""The product's one "now": the real clock, or the date a demo runs at (演示日期).

Every obligation — what falls due, what is overdue or red, reminders, 督办 checks, rankings, briefs,
the time a report is made — is judged at :func:`now` / :func:`today`. Audit entries, job times and
delivery times stay real (``timezone.now()``). The clock is set by ``DUBAN_AS_OF=YYYY-MM-DD`` or by
`duban demo` (``--as-of``, default 2023-06-30: the samples are 2023 plans), which stores the date in
``DUBAN_HOME/demo-date`` so that the queue's worker and every later command on that demo's data see
the same day. Only the date is set; the time of day stays the real one.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from duban.plans.periods import local_date, local_datetime, to_local

DEMO_DATE_FILE = "demo-date"


class ClockError(ValueError):
    """A demo date that is not a YYYY-MM-DD date."""


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ClockError(f"演示日期“{value.strip()}”格式不对，应为 YYYY-MM-DD（如 2023-06-30）") from None


@cache
def _stored(folder: str) -> date | None:
    path = Path(folder) / DEMO_DATE_FILE
    return parse_day(path.read_text()) if path.is_file() else None


def demo_date() -> date | None:
    """The date the product runs at, or None at the real clock."""
    value = getattr(settings, "DUBAN_AS_OF", "")
    return parse_day(value) if value else _stored(str(settings.DATA_DIR))


def set_demo_date(day: date | None) -> None:
    """Store (None: remove) the demo date of this DUBAN_HOME; this process sees it at once."""
    path = Path(settings.DATA_DIR) / DEMO_DATE_FILE
    if day is None:
        path.unlink(missing_ok=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(day.isoformat() + "\n")
    _stored.cache_clear()


def now() -> datetime:
    """The present moment: on the demo date (at the real time of day) when one is set."""
    real = timezone.now()
    day = demo_date()
    return real if day is None else local_datetime(day, to_local(real).time())


def today() -> date:
    """The local (Asia/Shanghai) date of :func:`now`."""
    return demo_date() or local_date(timezone.now())
