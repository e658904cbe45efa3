"""Seed a migrated bench database with what a roster file refers to (run in a subprocess).

The demo district (`seed_demo`, scale 1) gives the unit tree, sectors and the
district admin; the file's enterprises (`gen_roster.enterprises(rows)`) are
then bulk-inserted under the demo's 镇街, so that every USCC of the file exists.

    DATABASE_URL=… python -m bench.seed --rows 100000
"""

from __future__ import annotations

import argparse
import json
import os
import time


def seed_for_roster(rows: int) -> dict:
    from bench.gen_roster import enterprises
    from xuanpei.orgs.demo import demo_exists, seed_demo
    from xuanpei.orgs.models import Enterprise, Sector, Unit

    started = time.perf_counter()
    if not demo_exists():
        seed_demo(scale=1)
    towns = list(Unit.objects.filter(depth=3).exclude(kind="department").order_by("path"))
    sectors = list(Sector.objects.order_by("pk"))
    wanted = enterprises(rows)
    have = set(
        Enterprise.objects.filter(uscc__in=[u for u, _ in wanted[:1000]]).values_list(
            "uscc", flat=True
        )
    )
    batch = [
        Enterprise(
            name=name,
            uscc=uscc,
            unit=towns[k % len(towns)],
            sector=sectors[k % len(sectors)],
            address=f"基准测试路{k}号",
        )
        for k, (uscc, name) in enumerate(wanted)
        if uscc not in have
    ]
    Enterprise.objects.bulk_create(batch, batch_size=2000, ignore_conflicts=True)
    return {
        "enterprises": len(wanted),
        "created": len(batch),
        "seconds": time.perf_counter() - started,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanpei.settings")
    import django

    django.setup()
    print(json.dumps(seed_for_roster(args.rows)))


if __name__ == "__main__":
    main()
