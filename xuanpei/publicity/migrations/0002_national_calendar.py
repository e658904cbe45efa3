"""Load the national calendar of themed days (domain.md §6) as rules (issue #11).

Reversible: going back removes the national rules that no campaign uses.
"""

from django.db import migrations


def load(apps, schema_editor):
    from xuanpei.publicity.national import load_national_rules

    load_national_rules(apps.get_model("publicity", "ThemedDayRule"))


def unload(apps, schema_editor):
    from xuanpei.publicity.national import NATIONAL_RULES

    rule = apps.get_model("publicity", "ThemedDayRule")
    names = [spec["name"] for spec in NATIONAL_RULES]
    rule.objects.filter(unit__isnull=True, name__in=names, campaigns__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("publicity", "0001_calendar")]

    operations = [migrations.RunPython(load, unload)]
