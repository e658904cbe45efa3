"""Load the post types, certificate kinds and the 2010 特种作业目录 (workforce/catalogue.py)."""

from django.db import migrations

from xuanpei.workforce import catalogue


def load(apps, schema_editor):
    catalogue.load(apps)


def unload(apps, schema_editor):
    catalogue.unload(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("workforce", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
