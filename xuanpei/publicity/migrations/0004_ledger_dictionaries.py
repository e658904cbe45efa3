"""Seed the ledger's dictionaries: 宣传对象 and 活动形式 (issue #11 §3).

Reversible: going back removes the seeded entries no activity uses.
"""

from django.db import migrations


def load(apps, schema_editor):
    from xuanpei.publicity.dictionaries import load_ledger_dictionaries

    load_ledger_dictionaries(
        apps.get_model("publicity", "Audience"), apps.get_model("publicity", "ActivityForm")
    )


def unload(apps, schema_editor):
    from xuanpei.publicity.dictionaries import AUDIENCES, FORMS

    apps.get_model("publicity", "Audience").objects.filter(
        name__in=AUDIENCES, activities__isnull=True
    ).delete()
    apps.get_model("publicity", "ActivityForm").objects.filter(
        name__in=FORMS, activities__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("publicity", "0003_activity_ledger")]

    operations = [migrations.RunPython(load, unload)]
