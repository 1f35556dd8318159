"""Shared set-up of the tracking tests: the real 沅江市 sample (001) ingested into the test database."""

from __future__ import annotations

from datetime import datetime

from duban.plans.actions import do_ingest_file
from duban.plans.models import Cadence, Plan, Task, TaskUnit
from duban.plans.periods import LOCAL_TZ
from tests.conftest import sample_path


def at(y, m, d, hh=12, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def ingest_yuanjiang() -> list[Plan]:
    do_ingest_file(sample_path("001"))
    return list(Plan.objects.filter(region__name="沅江市", active=True))


def plan_titled(words: str) -> Plan:
    return Plan.objects.get(title__contains=words, active=True, region__name="沅江市")


def cadence_due(due_start: str) -> Cadence:
    return Cadence.objects.get(due__startswith=due_start, plan__region__name="沅江市")


def task_with_co_units(plan: Plan) -> Task:
    """The first task of ``plan`` (or the plans under it) with a lead unit and a real co-unit."""
    plans = [plan, *plan.children.all()]
    for task in Task.objects.filter(plan__in=plans, active=True).order_by("plan_id", "order"):
        roles = [(a.role, a.unit.is_group) for a in task.assignments.select_related("unit")]
        if (TaskUnit.LEAD, False) in roles and (TaskUnit.CO, False) in roles:
            return task
    raise LookupError(plan.title)


def lead_and_co(task: Task):
    rows = list(task.assignments.select_related("unit").order_by("order"))
    lead = next(a.unit for a in rows if a.role == TaskUnit.LEAD)
    co = next(a.unit for a in rows if a.role == TaskUnit.CO and not a.unit.is_group and a.unit != lead)
    return lead, co


def tiny_png() -> bytes:
    """A real 1×1 PNG image (an attachment of an allowed kind)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")
