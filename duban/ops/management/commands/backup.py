"""`duban backup [--out FILE]`: a consistent copy of the whole database, safe while the server runs."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from duban.ops.backup import BackupError, Database, backup, default_backup_name, verify


class Command(BaseCommand):
    help = "备份整个数据库（SQLite 用在线备份接口，PostgreSQL 用 pg_dump -Fc），服务运行中也可执行"

    def add_arguments(self, parser):
        parser.add_argument("--out", metavar="FILE", help="备份文件路径（默认 DUBAN_HOME/backups/duban-时间.sqlite3|.pgdump）")

    def handle(self, *args, out: str | None = None, **options):
        try:
            db = Database.of()
            path = backup(db, out or default_backup_name(db, settings.DUBAN_BACKUP_DIR))
            checked = verify(db, path)
        except BackupError as e:
            raise CommandError(str(e)) from e
        size = path.stat().st_size
        self.stdout.write(f"已备份 {db.label} → {path}（{size / 1024 / 1024:.1f} MB；{checked}）")
