import django.utils.timezone
from django.db import migrations, models


def first_row(apps, schema_editor):
    apps.get_model("plans", "StructureVersion").objects.using(schema_editor.connection.alias).create(
        pk=1, token="initial", at=django.utils.timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [("plans", "0006_taskunit_origin")]

    operations = [
        migrations.CreateModel(
            name="StructureVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=32, verbose_name="版本")),
                ("at", models.DateTimeField(verbose_name="变更时间")),
            ],
            options={"verbose_name": "方案结构版本", "verbose_name_plural": "方案结构版本"},
        ),
        migrations.RunPython(first_row, migrations.RunPython.noop),
    ]
