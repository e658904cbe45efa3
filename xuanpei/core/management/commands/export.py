"""`xuanpei export <name> --out FILE [--user USERNAME] [--enterprise USCC] [--plan PK]`: the
registered exporter's xlsx.

The columns are the importer's template columns, so importing the file again
changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from xuanpei.core.imports.registry import exporter_names, get_exporter
from xuanpei.core.management.acting_user import acting_user


class Command(BaseCommand):
    help = "Export rows to xlsx with a registered exporter."

    def add_arguments(self, parser):
        parser.add_argument("name", help=f"exporter: {', '.join(exporter_names())}")
        parser.add_argument("--out", required=True, metavar="FILE", help="the .xlsx to write")
        parser.add_argument("--user", metavar="USERNAME", help="export only this user's scope")
        parser.add_argument(
            "--enterprise", metavar="USCC", help="only this enterprise (exporters that support it)"
        )
        parser.add_argument(
            "--plan", metavar="PK", help="this plan's tasks (plan_publicity, plan_training)"
        )

    def handle(self, *args, **options):
        name = options["name"]
        if name not in exporter_names():
            raise CommandError(f"unknown exporter {name!r}; known: {', '.join(exporter_names())}")
        user = acting_user(options["user"])
        cls = get_exporter(name)
        extra = {k: options[k] for k in ("enterprise", "plan") if options[k]}
        for key in extra:
            if key not in getattr(cls, "options_supported", ()):
                raise CommandError(f"exporter {name!r} does not take --{key}")
        exporter = cls(user=user, options=extra) if extra else cls(user=user)
        try:
            qs = exporter.queryset()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        count = exporter.write(qs, options["out"])
        self.stdout.write(f"已导出 {count} 行到 {options['out']}")
