"""Is the database's schema current, and bring a fresh embedded SQLite database up to date.

A newcomer's first command on a fresh ``DUBAN_HOME`` is ``duban ingest`` or ``duban demo``, not
``duban migrate``: for the embedded SQLite default the command-line migrates first (one line says
so); a server database (PostgreSQL) is never changed behind the operator's back — one line says
what to run.
"""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

RUN_MIGRATE = "错误：数据库尚未初始化或需要升级，请先运行 duban migrate"


def pending_migrations() -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def ensure_migrated(say) -> bool:
    """Migrate a fresh or older SQLite database (``say`` one line first); False when another database
    needs ``duban migrate`` (``say`` the line saying so). True when the schema is current."""
    if not pending_migrations():
        return True
    if connection.vendor != "sqlite":
        say(f"{RUN_MIGRATE}（{connection.vendor} 数据库 {connection.settings_dict.get('NAME')}）")
        return False
    from django.core.management import call_command

    say(f"数据库 {connection.settings_dict.get('NAME')} 尚未初始化或需要升级：正在自动执行 duban migrate …")
    call_command("migrate", interactive=False, verbosity=0)
    return True
