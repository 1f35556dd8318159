"""AuditEntry moves from accounts to audit (below plans) without moving a row: the table keeps its name
(accounts_auditentry), only Django's state changes; its content type (and so its permissions) follows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    if not content_types.filter(app_label="audit", model="auditentry").exists():
        content_types.filter(app_label="accounts", model="auditentry").update(app_label="audit")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_userprofile"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="时间")),
                        (
                            "actor_name",
                            models.CharField(
                                blank=True,
                                help_text="无登录用户时（命令行）记录系统账户名",
                                max_length=150,
                                verbose_name="操作人",
                            ),
                        ),
                        ("action", models.CharField(db_index=True, max_length=40, verbose_name="操作")),
                        ("object_type", models.CharField(blank=True, max_length=60, verbose_name="对象类型")),
                        ("object_id", models.CharField(blank=True, max_length=40, verbose_name="对象编号")),
                        ("summary", models.TextField(blank=True, verbose_name="说明")),
                        ("before", models.JSONField(blank=True, null=True, verbose_name="变更前")),
                        ("after", models.JSONField(blank=True, null=True, verbose_name="变更后")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="用户",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "审计记录",
                        "verbose_name_plural": "审计记录",
                        "db_table": "accounts_auditentry",
                        "ordering": ["-at", "-id"],
                        "indexes": [models.Index(fields=["object_type", "object_id"], name="audit_object")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
