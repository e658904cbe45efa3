"""The `xuanpei` console script: every Django management command, e.g. `xuanpei migrate`.

Sub-commands with hyphens (`xuanpei seed-demo`) map to management commands with
underscores (`seed_demo`).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanpei.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and "-" in args[1] and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "xuanpei"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
