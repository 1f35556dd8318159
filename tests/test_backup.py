"""`duban backup` / `duban restore`: a round trip gives back every row of every model's table;
a restore over data needs --yes and keeps a pre-restore copy; bad files are refused first.

SQLite runs on the test database itself (the online backup API works on Django's connection);
PostgreSQL restores into a database of its own, created and dropped here, so other tests are not
disturbed."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from duban.audit.models import AuditEntry
from duban.ops.backup import BackupError, Database, backup, cursor_for, has_data, restore, verify
from duban.plans.actions import do_ingest_file
from duban.plans.models import Plan, Target, Task, TaskUnit
from tests.conftest import SAMPLES, sample_path

pytestmark = pytest.mark.django_db(transaction=True)


def all_tables() -> list[str]:
    """The table of every model of every installed app (many-to-many tables included)."""
    return sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy
        }
    )


def snapshot(db: Database) -> dict[str, list[tuple]]:
    """Every row of every model table, in a stable order."""
    out = {}
    with cursor_for(db) as cur:
        for table in all_tables():
            cur.execute(f'SELECT * FROM "{table}"')
            out[table] = sorted((tuple(r) for r in cur.fetchall()), key=repr)
    return out


def fill() -> None:
    """Real content: the three samples, a user, and their audit entries."""
    for name in SAMPLES:
        do_ingest_file(sample_path(name[:3]))
    get_user_model().objects.create_user("duchashi", password="Duban-督办-2025!")


def damage() -> None:
    """Changes a restore must undo: deleted rows, edited rows, a new user."""
    TaskUnit.objects.filter(task__plan__in=Plan.objects.all()[:2]).delete()
    Target.objects.all().delete()
    Task.objects.filter(pk__in=Task.objects.values("pk")[:5]).update(title="（被篡改）")
    get_user_model().objects.create_user("intruder", password="Duban-督办-2025!")


def _check_nonempty(snap):
    counts = {t: len(rows) for t, rows in snap.items()}
    assert counts["plans_task"] > 100 and counts["plans_target"] > 0 and counts["accounts_auditentry"] >= 3
    assert counts["auth_user"] == 1 and counts["django_content_type"] > 0
    return counts


def test_round_trip_sqlite(tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite round trip")
    settings.DUBAN_BACKUP_DIR = tmp_path / "kept"
    fill()
    db = Database.of()
    original = snapshot(db)
    _check_nonempty(original)
    out = io.StringIO()
    call_command("backup", out=str(tmp_path / "b.sqlite3"), stdout=out)
    assert "已备份" in out.getvalue() and "完整性检查通过" in out.getvalue()

    damage()
    damaged = snapshot(db)
    assert damaged != original
    with pytest.raises(CommandError, match="已有数据.*--yes"):
        call_command("restore", str(tmp_path / "b.sqlite3"), stdout=io.StringIO())
    assert snapshot(db) == damaged  # the refused restore changed nothing

    out = io.StringIO()
    call_command("restore", str(tmp_path / "b.sqlite3"), "--yes", stdout=out)
    assert snapshot(db) == original
    kept = list((tmp_path / "kept").glob("pre-restore-*.sqlite3"))
    assert len(kept) == 1 and str(kept[0]) in out.getvalue()
    assert Task.objects.filter(title="（被篡改）").count() == 0  # the ORM sees the restored data
    assert AuditEntry.objects.filter(action="ingest").count() == len(SAMPLES)


def test_sqlite_restore_refuses_bad_files(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite file checks")
    fill()
    db = Database.of()
    before = snapshot(db)
    good = backup(db, tmp_path / "good.sqlite3")
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database at all" * 100)
    cases = {
        truncated: "损坏|完整性",
        garbage: "不是 SQLite 数据库备份",
        tmp_path / "missing.sqlite3": "不存在",
    }
    for path, message in cases.items():
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(path), "--yes", stdout=io.StringIO())
    assert snapshot(db) == before


def test_has_data_ignores_what_migrate_seeds():
    if connection.vendor != "sqlite":
        pytest.skip("checked on the test database")
    db = Database.of()
    assert not has_data(db)  # migrated: regions, content types and permissions only
    get_user_model().objects.create_user("someone")
    assert has_data(db)


# ---------------------------------------------------------------- PostgreSQL


@pytest.fixture
def pg_target():
    """A separate, empty PostgreSQL database next to the test database; dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL round trip")
    import psycopg

    base = Database.of()
    name = f"{base.settings['NAME']}_restore"
    admin_args = {**base.settings, "NAME": "postgres"}
    from duban.ops.backup import _pg_connect_args

    def run(sql):
        with psycopg.connect(**_pg_connect_args(admin_args), autocommit=True) as c:
            c.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}"')
    run(f'CREATE DATABASE "{name}"')
    yield Database("postgresql", "default", {**base.settings, "NAME": name})
    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_round_trip_postgresql(tmp_path, pg_target):
    fill()
    source = Database.of()
    original = snapshot(source)
    _check_nonempty(original)
    out = io.StringIO()
    call_command("backup", out=str(tmp_path / "b.pgdump"), stdout=out)
    assert "已备份" in out.getvalue()
    dump = tmp_path / "b.pgdump"
    assert "PostgreSQL 备份" in verify(pg_target, dump)

    assert not has_data(pg_target)
    assert restore(pg_target, dump) is None  # empty target: no --yes needed, nothing to keep
    assert snapshot(pg_target) == original

    with cursor_for(pg_target) as cur:  # wipe and modify the restored copy
        cur.execute("DELETE FROM plans_taskunit")
        cur.execute("DELETE FROM plans_target")
        cur.execute("UPDATE plans_task SET title = '（被篡改）'")
        cur.execute("DELETE FROM auth_user")
    modified = snapshot(pg_target)
    assert modified != original
    with pytest.raises(BackupError, match="已有数据"):
        restore(pg_target, dump)
    assert snapshot(pg_target) == modified
    kept = restore(pg_target, dump, yes=True, keep_dir=tmp_path / "kept")
    assert kept is not None and kept.exists()
    assert snapshot(pg_target) == original


def test_postgresql_restore_refuses_bad_files(tmp_path, pg_target):
    fill()
    dump = backup(Database.of(), tmp_path / "good.pgdump")
    truncated = tmp_path / "truncated.pgdump"
    truncated.write_bytes(dump.read_bytes()[:2000])
    sqlite_file = tmp_path / "other.sqlite3"
    sqlite_file.write_bytes(b"SQLite format 3\x00" + bytes(4000))
    for path, message in {truncated: "检查备份文件失败", sqlite_file: "不是 PostgreSQL 备份"}.items():
        with pytest.raises(BackupError, match=message):
            restore(pg_target, path, yes=True)
    assert not has_data(pg_target)
