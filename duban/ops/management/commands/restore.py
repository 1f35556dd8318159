"""`duban restore FILE [--yes]`: replace the database with a backup made by `duban backup`."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from duban.ops.backup import BackupError, Database, restore, verify


class Command(BaseCommand):
    help = "用 duban backup 生成的备份文件恢复数据库；目标库已有数据时须加 --yes，并先自动另存一份"

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="备份文件（.sqlite3 或 pg_dump -Fc 格式）")
        parser.add_argument("--yes", action="store_true", help="确认覆盖目标数据库中的现有数据")

    def handle(self, *args, file: str, yes: bool = False, **options):
        try:
            db = Database.of()
            checked = verify(db, file)
            kept = restore(db, file, yes=yes, keep_dir=settings.DUBAN_BACKUP_DIR)
        except BackupError as e:
            raise CommandError(str(e)) from e
        if kept:
            self.stdout.write(f"恢复前的数据已另存到 {kept}")
        self.stdout.write(f"已从 {file} 恢复 {db.label}（{checked}）。如备份来自旧版本，请再运行 duban migrate")
