"""Backup and restore of the whole database, for SQLite and PostgreSQL.

SQLite goes through the online backup API (``sqlite3.Connection.backup``) on Django's own
connection: the copy is a consistent snapshot even while the server writes, and a restore replaces
the live database page by page in one step. PostgreSQL goes through ``pg_dump -Fc`` and
``pg_restore --clean --if-exists --single-transaction`` (all or nothing). Either way a file is
verified before it is restored (SQLite ``integrity_check``, ``pg_restore --list``), and a restore
over a database that holds data first saves that data to a pre-restore copy.

Every failure is a :class:`BackupError` with a one-line Chinese message.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404 # only pg_dump/pg_restore, argument lists, no shell
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.db import connections

# tables a fresh ``duban migrate`` fills by itself: rows there do not make a database "in use"
SEEDED_MODELS = {"contenttypes.contenttype", "auth.permission", "plans.region"}
PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; nothing was changed."""


@dataclass
class Database:
    """The facts about one configured database that backup and restore need."""

    engine: str  # "sqlite" | "postgresql"
    alias: str
    settings: dict

    @classmethod
    def of(cls, alias: str = "default") -> Database:
        conn = connections[alias]
        vendor = conn.vendor
        if vendor not in {"sqlite", "postgresql"}:
            raise BackupError(f"不支持的数据库类型 {vendor}，只支持 SQLite 和 PostgreSQL")
        return cls(vendor, alias, dict(conn.settings_dict))

    @property
    def label(self) -> str:
        s = self.settings
        if self.engine == "sqlite":
            return f"SQLite {s['NAME']}"
        return f"PostgreSQL {s.get('HOST') or 'localhost'}:{s.get('PORT') or 5432}/{s['NAME']}"


def default_backup_name(db: Database, folder: Path, prefix: str = "duban") -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    suffix = ".sqlite3" if db.engine == "sqlite" else ".pgdump"
    return Path(folder) / f"{prefix}-{stamp}{suffix}"


# ---------------------------------------------------------------- what is in a database


def user_tables() -> list[tuple[str, str]]:
    """(model label, table) of every concrete model of every installed app, auto-created
    many-to-many tables included, that holds data people entered."""
    out = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        if meta.label_lower not in SEEDED_MODELS:
            out.append((meta.label_lower, meta.db_table))
    return sorted(set(out))


def has_data(db: Database) -> bool:
    """Does the database hold any row beyond what ``migrate`` seeds? (A fresh or empty database
    can be restored over without --yes.)"""
    wanted = {table for _, table in user_tables()}
    with cursor_for(db) as cur:
        present = set(_table_names(db, cur)) & wanted
        for table in sorted(present):
            # the table names come from our own models and the catalogue, not from input
            cur.execute(f'SELECT 1 FROM "{table}" LIMIT 1')  # nosec B608
            if cur.fetchone():
                return True
    return False


def _table_names(db: Database, cur) -> list[str]:
    if db.engine == "sqlite":
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [r[0] for r in cur.fetchall()]


class cursor_for:
    """A DB-API cursor on ``db``: Django's connection for SQLite (in-memory test databases
    included), a separate psycopg connection for PostgreSQL (so it may name another database)."""

    def __init__(self, db: Database):
        self.db = db

    def __enter__(self):
        if self.db.engine == "sqlite":
            self._cur = connections[self.db.alias].cursor()
        else:
            import psycopg

            self._conn = psycopg.connect(**_pg_connect_args(self.db.settings), autocommit=True)
            self._cur = self._conn.cursor()
        return self._cur

    def __exit__(self, *exc):
        self._cur.close()
        if self.db.engine != "sqlite":
            self._conn.close()


# ---------------------------------------------------------------- entry points


def backup(db: Database, out: Path) -> Path:
    """Write a consistent copy of ``db`` to ``out`` (written to a temporary name, then renamed,
    so ``out`` is never a half-written file) and verify it."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".duban-backup-", dir=out.parent)
    os.close(fd)
    try:
        if db.engine == "sqlite":
            _sqlite_backup(db, Path(tmp))
        else:
            _pg_dump(db, Path(tmp))
        verify(db, Path(tmp))
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def verify(db: Database, path: Path) -> str:
    """Check that ``path`` is a readable backup for ``db``'s engine; returns a short description."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    with open(path, "rb") as f:
        head = f.read(16)
    if db.engine == "sqlite":
        if head != SQLITE_MAGIC:
            kind = "PostgreSQL 备份（pg_dump）" if head.startswith(PG_MAGIC) else "无法识别的文件"
            raise BackupError(f"{path} 不是 SQLite 数据库备份（是{kind}），当前数据库是 SQLite")
        return _sqlite_verify(path)
    if not head.startswith(PG_MAGIC):
        kind = "SQLite 数据库" if head == SQLITE_MAGIC else "无法识别的文件"
        raise BackupError(f"{path} 不是 PostgreSQL 备份（pg_dump -Fc 格式），是{kind}；当前数据库是 PostgreSQL")
    return _pg_verify(db, path)


def restore(db: Database, path: Path, *, yes: bool = False, keep_dir: Path | None = None) -> Path | None:
    """Replace ``db``'s contents with the backup at ``path``. Refuses without ``yes`` when ``db``
    holds data; then the current data is first saved to ``keep_dir`` (returned path)."""
    path = Path(path)
    verify(db, path)
    kept = None
    if has_data(db):
        if not yes:
            raise BackupError(
                f"目标数据库 {db.label} 中已有数据，恢复会覆盖全部现有数据；确认无误请加 --yes 重新运行"
            )
        if keep_dir is not None:
            kept = backup(db, default_backup_name(db, keep_dir, prefix="pre-restore"))
    if db.engine == "sqlite":
        _sqlite_restore(db, path)
    else:
        _pg_restore(db, path)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()  # ids may differ in the restored database
    return kept


# ---------------------------------------------------------------- SQLite


def _raw_sqlite(db: Database) -> sqlite3.Connection:
    conn = connections[db.alias]
    conn.ensure_connection()
    return conn.connection


def _sqlite_backup(db: Database, out: Path) -> None:
    dst = sqlite3.connect(out)
    try:
        _raw_sqlite(db).backup(dst)
    finally:
        dst.close()


def _read_only_uri(path: Path) -> str:
    return Path(path).resolve().as_uri() + "?mode=ro"  # percent-encoded: any file name works


def _sqlite_verify(path: Path) -> str:
    try:
        src = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            problems = [r[0] for r in src.execute("PRAGMA integrity_check").fetchall()]
            tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            src.close()
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{path} 已损坏，无法读取（{e}）") from e
    if problems != ["ok"]:
        raise BackupError(f"{path} 完整性检查未通过：{'；'.join(problems[:3])}")
    if "django_migrations" not in tables:
        raise BackupError(f"{path} 是 SQLite 数据库，但不是督办系统的备份（没有 django_migrations 表）")
    return f"SQLite 备份，{len(tables)} 张表，完整性检查通过"


def _sqlite_restore(db: Database, path: Path) -> None:
    src = sqlite3.connect(_read_only_uri(path), uri=True)
    try:
        src.backup(_raw_sqlite(db))  # one step: readers see the old or the new database, never a mix
    except sqlite3.Error as e:
        raise BackupError(f"恢复失败，数据库未改动（{e}）") from e
    finally:
        src.close()


# ---------------------------------------------------------------- PostgreSQL


def _pg_connect_args(s: dict) -> dict:
    args = {"dbname": s["NAME"], "user": s.get("USER") or None, "password": s.get("PASSWORD") or None,
            "host": s.get("HOST") or None, "port": s.get("PORT") or None}
    return {k: v for k, v in args.items() if v is not None}


def _pg_env(s: dict) -> dict:
    """libpq environment for the tools, so the password never appears on a command line."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if s.get(key):
            env[var] = str(s[key])
    env["PGDATABASE"] = s["NAME"]
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"找不到 {name}：请安装与数据库服务器同版本或更新的 PostgreSQL 客户端工具"
            f"（如 apt-get install postgresql-client）"
        )
    return path


def _run(args: list[str], db: Database, what: str) -> str:
    # args: a tool found by shutil.which plus fixed options and file names; no shell
    r = subprocess.run(args, env=_pg_env(db.settings), capture_output=True, text=True)  # nosec B603
    if r.returncode != 0:
        err = " ".join(r.stderr.split())
        if "version mismatch" in err or "unsupported version" in err:
            raise BackupError(
                f"{what}失败：客户端工具与数据库服务器（或备份文件）版本不一致，请安装同版本或更新的"
                f" PostgreSQL 客户端（{err[:200]}）"
            )
        raise BackupError(f"{what}失败（{err[:300] or f'退出码 {r.returncode}'}）")
    return r.stdout


def _pg_dump(db: Database, out: Path) -> None:
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={out}"],
         db, "pg_dump 备份")


def _pg_verify(db: Database, path: Path) -> str:
    listing = _run([_tool("pg_restore"), "--list", str(path)], db, "检查备份文件")
    tables = sum(1 for ln in listing.splitlines() if " TABLE DATA " in ln)
    if "django_migrations" not in listing:
        raise BackupError(f"{path} 是 PostgreSQL 备份，但不是督办系统的备份（没有 django_migrations 表）")
    return f"PostgreSQL 备份，{tables} 张表的数据，可读"


def _pg_restore(db: Database, path: Path) -> None:
    own = connections[db.alias]
    if own.settings_dict["NAME"] == db.settings["NAME"]:
        own.close()  # our own idle connection must not hold locks on the tables being replaced
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={db.settings['NAME']}", str(path)],
         db, "pg_restore 恢复")
