"""`duban partition_reports`: reports by year on PostgreSQL, driven through the real actions.

The conversion is DDL inside the test's transaction, so it is rolled back with the test and the
test database stays as migrations left it.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from duban.plans.models import Task, TaskUnit
from duban.plans.periods import LOCAL_TZ
from duban.scale.actions import do_synthesize
from duban.scale.synth import SynthSpec, synthetic_plans
from duban.tracking.actions import do_submit_report
from duban.tracking.models import ProgressReport, TargetActual
from duban.tracking.partition import TABLE, do_partition_reports, state

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="按年分区只适用于 PostgreSQL")


def _partition_of(report_id: int) -> str:
    with connection.cursor() as c:
        c.execute(f'SELECT tableoid::regclass::text FROM "{TABLE}" WHERE id = %s', [report_id])
        return c.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite 上的拒绝")
def test_refused_with_a_clear_message_off_postgres():
    with pytest.raises(CommandError, match="只适用于 PostgreSQL"):
        call_command("partition_reports")


@on_postgres
@pytest.mark.django_db
def test_partitioned_table_keeps_rows_rules_and_references(capsys):
    do_synthesize(SynthSpec(seed=5, cities=1, counties=0, tasks_per_plan=2, until=date(2023, 3, 31)))
    before = ProgressReport.objects.count()
    versions = set(ProgressReport.objects.values_list("task_id", "unit_id", "period", "version"))
    assert before > 0 and not state().partitioned

    result = do_partition_reports(range(2023, 2025))
    names = {name: rows for name, _, rows in result.partitions}
    assert result.partitioned
    assert names == {f"{TABLE}_y2023": before, f"{TABLE}_y2024": 0, f"{TABLE}_default": 0}
    assert set(ProgressReport.objects.values_list("task_id", "unit_id", "period", "version")) == versions

    # the real action writes through the ORM as before; each row lands in its year
    task = Task.objects.filter(plan__in=synthetic_plans(5)).first()
    lead = TaskUnit.objects.filter(task=task, role=TaskUnit.LEAD, unit__is_group=False).first().unit
    at = datetime(2024, 1, 12, 9, 0, tzinfo=LOCAL_TZ)
    first = do_submit_report(
        lead, task, "2024-01上旬", narrative="完成", percent=10, status="正常推进", at=at
    )
    again = do_submit_report(
        lead, task, "2024-01上旬", narrative="更正", percent=12, status="正常推进", at=at
    )
    old = do_submit_report(lead, task, "2023-03中旬", narrative="补报", percent=5, status="正常推进", at=at)
    assert (first.version, again.version) == (1, 2) and again.pk > first.pk
    assert _partition_of(first.pk) == f"{TABLE}_y2024" and _partition_of(old.pk) == f"{TABLE}_y2023"
    assert ProgressReport.objects.get(pk=again.pk).narrative == "更正"

    # one version number per task+unit+period still holds
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.create(
            task=task, unit=lead, version=2, narrative="重复", percent=1, self_status="正常推进",
            submitted_at=at, period="2024-01上旬", period_start=date(2024, 1, 1), period_end=date(2024, 1, 10),
        )  # fmt: skip
    # a reference to a report that does not exist is still refused (the trigger replacing the FK)
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetActual.objects.create(
            target_id=task.plan.targets.first().pk if task.plan.targets.exists() else _any_target(),
            value=1, version=1, report_id=10**12, source="报送", at=at,
            period="2024-01", period_start=date(2024, 1, 1), period_end=date(2024, 1, 31),
        )  # fmt: skip
        with connection.cursor() as c:
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")

    # running again only adds the missing years; --status lists them
    do_partition_reports(range(2025, 2026))
    call_command("partition_reports", "--status")
    out = capsys.readouterr().out
    assert f"{TABLE}_y2025" in out and f"{TABLE}_y2023" in out


def _any_target() -> int:
    from duban.plans.models import Target

    return Target.objects.values_list("pk", flat=True).first()
