"""Partitioning progress reports by year on PostgreSQL (``duban partition_reports``).

Why a command and not a migration: a partitioned table can only have primary and unique keys that
include the partition key, so ``id`` alone stops being a key and the foreign keys *to* reports
(attachments, target actuals, problems) cannot stay foreign keys. Converting is an operator's
decision for a big deployment (two million reports a year), done once, with a lock on the table;
a migration would force it on every SQLite demo and every test database, and break any later
migration that adds a foreign key to reports. So the schema Django knows stays as it is, and on
PostgreSQL this command swaps the table for an equivalent partitioned one:

* ``tracking_progressreport`` partitioned ``BY RANGE (period_start)``: one partition per year
  (``tracking_progressreport_y2023`` …) and a default partition for anything outside them;
* primary key ``(id, period_start)``; the version key becomes ``(task, unit, period, version,
  period_start)`` — the same rule, as a period's code fixes its start; ``id`` keeps its sequence;
* every other index, check and outgoing foreign key is recreated; incoming foreign keys become
  constraint triggers that reject a reference to a missing report (Django's ``on_delete`` rules
  are applied by the ORM as before);
* rows are copied in the same transaction; on any error nothing has changed.

Queries that filter on the period (status, briefs, calendars of one year) read one partition; an
old year can be detached and archived (``ALTER TABLE … DETACH PARTITION``) without touching the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from duban.audit.trail import record
from duban.tracking.models import ProgressReport

TABLE = ProgressReport._meta.db_table
OLD = f"{TABLE}_unpartitioned"
SEQUENCE = f"{TABLE}_id_seq_p"
CHECK_FUNCTION = "duban_check_progressreport_ref"


class PartitionError(ValueError):
    """Partitioning cannot be done as asked (Chinese message); nothing was changed."""


@dataclass
class PartitionState:
    partitioned: bool
    partitions: list[tuple[str, str, int]]  # (name, bounds, rows)


def _require_postgres() -> None:
    if connection.vendor != "postgresql":
        raise PartitionError(f"按年分区只适用于 PostgreSQL（当前数据库：{connection.vendor}）")


def state() -> PartitionState:
    _require_postgres()
    with connection.cursor() as c:
        c.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = c.fetchone()
        if row is None or row[0] != "p":
            return PartitionState(False, [])
        c.execute(
            "SELECT child.relname, pg_get_expr(child.relpartbound, child.oid) FROM pg_inherits "
            "JOIN pg_class child ON child.oid = inhrelid WHERE inhparent = to_regclass(%s) ORDER BY 1",
            [TABLE],
        )
        parts = []
        for name, bounds in c.fetchall():
            c.execute(f'SELECT count(*) FROM "{name}"')
            parts.append((name, bounds, c.fetchone()[0]))
    return PartitionState(True, parts)


def _partition_sql(year: int) -> str:
    return (
        f'CREATE TABLE IF NOT EXISTS "{TABLE}_y{year}" PARTITION OF "{TABLE}" '
        f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01')"
    )


def _rows(c, sql: str, params=()) -> list[tuple]:
    c.execute(sql, params)
    return c.fetchall()


def do_partition_reports(years: range | None = None) -> PartitionState:
    """Convert the reports table to yearly partitions (see the module docstring); idempotent per year.

    ``years`` defaults to every year that has reports, plus the current and the next one. On an
    already partitioned table, only adds the missing yearly partitions.
    """
    _require_postgres()
    with transaction.atomic(), connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checks pending in this transaction run now, not mid-DDL
        c.execute(f'LOCK TABLE "{TABLE}" IN ACCESS EXCLUSIVE MODE')
        c.execute(
            f"SELECT min(extract(year FROM period_start))::int, max(extract(year FROM period_start))::int, "
            f'extract(year FROM now())::int FROM "{TABLE}"'
        )
        low, high, now_year = c.fetchone()
        if years is None:
            years = range(min(low or now_year, now_year), max(high or now_year, now_year + 1) + 1)
        if state().partitioned:
            for year in years:
                c.execute(_partition_sql(year))
            record("partition_reports", None, summary=f"补建进展报送年度分区：{years.start}–{years.stop - 1}")
            return state()
        incoming = _rows(
            c,
            "SELECT con.conname, con.conrelid::regclass::text, att.attname FROM pg_constraint con "
            "JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1] "
            "WHERE con.contype = 'f' AND con.confrelid = to_regclass(%s)",
            [TABLE],
        )
        outgoing = _rows(
            c,
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = to_regclass(%s)",
            [TABLE],
        )
        indexes = _rows(
            c,
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = to_regclass(%s) AND NOT x.indisunique",
            [TABLE],
        )
        uniques = _rows(
            c,
            "SELECT conname, array_agg(att.attname ORDER BY k.ord) FROM pg_constraint con "
            "CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) "
            "JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = k.attnum "
            "WHERE con.contype = 'u' AND con.conrelid = to_regclass(%s) GROUP BY conname",
            [TABLE],
        )
        for name, table, _ in incoming:
            c.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        c.execute(f'ALTER TABLE "{TABLE}" RENAME TO "{OLD}"')
        for name, _ in indexes:
            c.execute(f'ALTER INDEX "{name}" RENAME TO "{name}_old"')
        for (name,) in _rows(
            c,
            "SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u') AND conrelid = to_regclass(%s)",
            [OLD],
        ):
            c.execute(f'ALTER TABLE "{OLD}" RENAME CONSTRAINT "{name}" TO "{name}_old"')
        c.execute(
            f'CREATE TABLE "{TABLE}" (LIKE "{OLD}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS) '
            "PARTITION BY RANGE (period_start)"
        )
        c.execute(f'CREATE SEQUENCE "{SEQUENCE}" OWNED BY "{TABLE}".id')
        c.execute(f'SELECT setval(\'"{SEQUENCE}"\', coalesce((SELECT max(id) FROM "{OLD}"), 0) + 1, false)')
        c.execute(f'ALTER TABLE "{TABLE}" ALTER COLUMN id SET DEFAULT nextval(\'"{SEQUENCE}"\')')
        c.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{TABLE}_pkey" PRIMARY KEY (id, period_start)')
        for name, columns in uniques:  # a unique key must contain the partition key
            cols = ", ".join(f'"{col}"' for col in dict.fromkeys([*columns, "period_start"]))
            c.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{name}" UNIQUE ({cols})')
        for _, definition in indexes:  # read before the rename: they name the new table
            c.execute(definition)
        for name, definition in outgoing:
            c.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{name}" {definition}')
        for year in years:
            c.execute(_partition_sql(year))
        c.execute(f'CREATE TABLE "{TABLE}_default" PARTITION OF "{TABLE}" DEFAULT')
        c.execute(f'INSERT INTO "{TABLE}" SELECT * FROM "{OLD}"')
        c.execute(f'DROP TABLE "{OLD}"')
        c.execute(
            f"CREATE OR REPLACE FUNCTION {CHECK_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "DECLARE ref bigint; BEGIN "
            "EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) INTO ref USING NEW; "
            f'IF ref IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "{TABLE}" WHERE id = ref) THEN '
            "RAISE EXCEPTION '进展报送 % 不存在（%.%）', ref, TG_TABLE_NAME, TG_ARGV[0] "
            "USING ERRCODE = 'foreign_key_violation'; END IF; RETURN NEW; END $$"
        )
        for name, table, column in incoming:
            c.execute(
                f'CREATE CONSTRAINT TRIGGER "{name}_ref" AFTER INSERT OR UPDATE OF "{column}" ON {table} '
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {CHECK_FUNCTION}('{column}')"
            )
        result = state()
        record(
            "partition_reports",
            None,
            summary=f"进展报送表改为按年分区：{', '.join(n for n, _, _ in result.partitions)}",
            after={"partitions": [[n, b, rows] for n, b, rows in result.partitions], "references": incoming},
        )
    return result
