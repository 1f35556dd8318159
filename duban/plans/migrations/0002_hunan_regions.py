"""Ship Hunan's 市州 and 县市区 so a fresh database knows the issuers of Hunan plans."""

from django.db import migrations


def load_hunan(apps, schema_editor):
    from duban.plans.hunan import HUNAN
    from duban.plans.regions import load_region_list

    load_region_list(HUNAN, apps.get_model("plans", "Region"))


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(load_hunan, migrations.RunPython.noop)]
