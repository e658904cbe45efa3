"""`xuanpei demo-accounts` tells a new user what to run next, and lists a 镇街 account (issue #8 §11)."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from xuanpei.accounts.models import User
from xuanpei.orgs import demo
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit


def run_cli(tmp_path, *args):
    """The real console script on its own SQLite file, as a person would run it."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "xuanpei.settings",
    }
    return subprocess.run(
        [sys.executable, "-m", "xuanpei.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_demo_accounts_on_an_unmigrated_database_says_to_migrate_first(tmp_path):
    result = run_cli(tmp_path, "demo-accounts")
    assert "Traceback" not in result.stderr
    assert "先运行 xuanpei migrate" in result.stdout + result.stderr


@pytest.mark.django_db
def test_demo_accounts_on_a_migrated_but_empty_database_says_to_seed_first():
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert "先运行 xuanpei seed-demo" in out.getvalue()


@pytest.fixture
def seeded(db, monkeypatch):
    monkeypatch.setattr(demo, "BASE_ENTERPRISES", 200)
    return demo.seed_demo()


def test_the_demo_has_a_town_admin_under_the_first_new_town_and_prints_it(seeded):
    street_admins = User.objects.filter(
        role="unit_admin", unit__kind__in=[UnitKind.TOWN, UnitKind.SUBDISTRICT]
    )
    assert street_admins.count() == 1
    street_admin = street_admins.get()
    new_town_admin = User.objects.get(username=demo.town_admin_account("fenghe").username)
    # The 镇街 sits under the same new town as the first new-town account.
    assert Unit.objects.get_parent(street_admin.unit) == new_town_admin.unit
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    assert street_admin.username in text
    assert street_admin.unit.name in text
