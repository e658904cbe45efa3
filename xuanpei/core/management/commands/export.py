"""`xuanpei export <name> --out FILE [--user USERNAME] [--enterprise USCC] [--plan PK]`: the
registered exporter's xlsx.

The columns are the importer's template columns, so importing the file again
changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xuanpei.cli import file_error
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
            raise CommandError(f"没有名为 {name} 的导出；可用：{'、'.join(exporter_names())}")
        user = acting_user(options["user"])
        cls = get_exporter(name)
        extra = {k: options[k] for k in ("enterprise", "plan") if options[k]}
        for key in extra:
            if key not in getattr(cls, "options_supported", ()):
                raise CommandError(f"导出 {name} 不接受 --{key} 参数")
        exporter = cls(user=user, options=extra) if extra else cls(user=user)
        try:
            qs = exporter.queryset()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"无法写入文件 {out}：目录 {out.parent} 不存在")
        if out.is_dir():
            raise CommandError(f"无法写入文件 {out}：这是一个目录，请给出文件名")
        try:
            count = exporter.write(qs, out)
        except OSError as exc:
            raise CommandError(file_error(exc, out, verb="写入")) from exc
        self.stdout.write(f"已导出 {count} 行到 {options['out']}")
