"""When a synthetic unit submits a report: a small model of real reporting behaviour (pure Python).

Observed in the offices' ledgers and assumed here: most units report on time, but late in the
period — a burst in the last hours before the deadline; a tail reports a day or a few late; a few
reports never come. Units differ: most are reliable, some habitually late.

:func:`submission_time` draws one submission from a seeded ``random.Random``, so the same seed
gives the same province.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

# share of units by reliability: (share, P(on time), P(late) — the rest never report)
RELIABILITY = ((0.70, 0.92, 0.06), (0.20, 0.75, 0.17), (0.10, 0.55, 0.30))
BURST_SHARE = 0.65  # of on-time reports, the share sent in the last hours before the deadline
BURST_MEAN_HOURS = 3.0
LATE_MEAN_HOURS = 20.0
LATE_MAX = timedelta(days=9)
EARLY_MAX = timedelta(days=8)


def unit_reliability(rng: random.Random) -> tuple[float, float]:
    """(P(on time), P(late)) of a unit, drawn once per unit."""
    r, acc = rng.random(), 0.0
    for share, on_time, late in RELIABILITY:
        acc += share
        if r < acc:
            return on_time, late
    return RELIABILITY[-1][1:]


def submission_time(
    rng: random.Random, due: datetime, period_start: datetime, reliability: tuple[float, float]
) -> datetime | None:
    """The moment a report on a period due at ``due`` is submitted, or None (never reported).

    On time: in the burst (exponential, mean :data:`BURST_MEAN_HOURS` before the deadline) or spread
    over the days before it; never before the period starts. Late: exponential after the deadline.
    """
    on_time, late = reliability
    r = rng.random()
    if r < on_time:
        if rng.random() < BURST_SHARE:
            before = timedelta(hours=rng.expovariate(1 / BURST_MEAN_HOURS))
        else:
            before = timedelta(seconds=rng.uniform(0, EARLY_MAX.total_seconds()))
        at = due - before - timedelta(seconds=1)
        return min(max(at, period_start + timedelta(hours=9)), due - timedelta(seconds=1))
    if r < on_time + late:
        after = timedelta(hours=rng.expovariate(1 / LATE_MEAN_HOURS)) + timedelta(minutes=1)
        return due + min(after, LATE_MAX)
    return None
