"""Notice numbers: 督〔2023〕12号 (督办单) and 提〔2023〕3号 (提示单), one sequence per region, year, kind.

The counter row is locked (SELECT … FOR UPDATE on PostgreSQL) so two checks running at once
cannot hand out the same number; call inside the transaction that creates the notice.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from duban.plans.models import Region, Task
from duban.supervision.models import NUMBER_PREFIX, NoticeCounter


class NumberingError(ValueError):
    """A notice cannot be numbered (its task has no region)."""


def task_region(task: Task) -> Region:
    """The region whose sequence numbers the task's notices: its plan's, else its file's."""
    plan = task.plan
    region = plan.region or plan.source_document.region
    if region is None:
        raise NumberingError(f"任务“{task.title[:30]}”所在方案没有地区，无法给督办单编号")
    return region


def format_number(kind: str, year: int, seq: int) -> str:
    return f"{NUMBER_PREFIX[kind]}〔{year}〕{seq}号"


def next_number(region: Region, year: int, kind: str) -> tuple[int, str]:
    """The next sequence number and its text for ``kind`` in ``region`` and ``year``."""
    try:
        with transaction.atomic():
            NoticeCounter.objects.get_or_create(region=region, year=year, kind=kind)
    except IntegrityError:  # created meanwhile by a concurrent check: fine, it exists now
        pass
    counter = NoticeCounter.objects.select_for_update().get(region=region, year=year, kind=kind)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, format_number(kind, year, counter.last)
