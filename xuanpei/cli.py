"""The `xuanpei` console script: every Django management command, e.g. `xuanpei migrate`.

Sub-commands with hyphens (`xuanpei seed-demo`) map to management commands with
underscores (`seed_demo`).

Errors a person can fix answer in one Chinese line on stderr with exit code 2
(issue #9 item 12): an unknown command, bad arguments (argparse's messages are
translated), a CommandError, and a file or directory that cannot be read or
written (an OSError that escaped the command). A real bug still shows its
traceback. `--traceback` keeps Django's behaviour for debugging.
"""

from __future__ import annotations

import errno
import os
import re
import sys
from contextlib import contextmanager

EXIT_USAGE = 2

# argparse's English messages → Chinese. First match wins; the captured parts are kept.
_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (.+)", "缺少必填参数：{0}"),
    (r"unrecognized arguments: (.+)", "无法识别的参数：{0}"),
    (
        r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)",
        "参数 {0} 的取值 {1} 无效，可选：{2}",
    ),
    (r"argument (\S+): expected one argument", "参数 {0} 需要一个值"),
    (r"argument (\S+): expected (.+) arguments?", "参数 {0} 的值个数不对"),
    (r"argument (\S+): invalid \S+ value: (.+)", "参数 {0} 的值 {1} 格式不对"),
    (r"argument (\S+): not allowed with argument (\S+)", "参数 {0} 不能与 {1} 同时使用"),
    (r"argument (\S+): ignored explicit argument (.+)", "参数 {0} 不接受值 {1}"),
    (r"one of the arguments (.+) is required", "必须给出以下参数之一：{0}"),
    (r"ambiguous option: (\S+) could match (.+)", "选项 {0} 有歧义，可能是：{1}"),
    (r"argument (\S+): (.+)", "参数 {0}：{1}"),  # a type's own message (ours are Chinese)
]

_OS_REASONS = {
    errno.ENOENT: "文件或目录不存在",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有访问权限",
    errno.EISDIR: "这是一个目录，不是文件",
    errno.ENOTDIR: "路径中的某一级不是目录",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统只读",
    errno.EEXIST: "文件已存在",
    errno.ENAMETOOLONG: "文件名过长",
}


def os_reason(exc: OSError) -> str:
    """An OSError's reason in Chinese (its strerror is English)."""
    return _OS_REASONS.get(exc.errno, exc.strerror or str(exc))


def file_error(exc: OSError, path=None, *, verb: str = "读写") -> str:
    """ "无法读写文件 X：原因" for an OSError about `path` (or the one it names)."""
    name = path if path is not None else (exc.filename or "")
    reason = os_reason(exc)
    return f"无法{verb}文件 {name}：{reason}" if name else f"文件{verb}失败：{reason}"


def argparse_message(message: str) -> str:
    for pattern, chinese in _ARGPARSE_MESSAGES:
        match = re.fullmatch(pattern, message.strip(), re.DOTALL)
        if match:
            return chinese.format(*match.groups())
    return message


def _fail(prog: str, message: str) -> None:
    # One line: a message naming several problems is joined, never wrapped.
    sys.stderr.write(f"{prog}：{' '.join(message.split())}\n")
    sys.exit(EXIT_USAGE)


@contextmanager
def _chinese_argparse():
    """While a command runs, its parser (and sub-parsers) answer a bad argument in one
    Chinese line.

    Django's CommandParser prints argparse's English usage and message; the parser
    class is fixed inside BaseCommand.create_parser, so its `error` is replaced for
    the duration of this console script's command only.
    """
    from django.core.management.base import CommandParser

    def error(self, message):
        _fail(
            self.prog, f"参数错误：{argparse_message(message)}（运行 {self.prog} --help 查看用法）"
        )

    original = CommandParser.error
    CommandParser.error = error
    try:
        yield
    finally:
        CommandParser.error = original


def run_command(args: list[str]) -> None:
    """Run `args` = ["xuanpei", name, *arguments] with the error handling above."""
    import django
    from django.core.management import get_commands, handle_default_options, load_command_class
    from django.core.management.base import CommandError, SystemCheckError
    from django.db import connections

    django.setup()
    name = args[1]
    commands = get_commands()
    if name not in commands:
        _fail(
            "xuanpei", f"没有名为 {name.replace('_', '-')} 的命令；运行 xuanpei help 查看全部命令"
        )
    app = commands[name]
    command = app if not isinstance(app, str) else load_command_class(app, name)
    prog = f"xuanpei {name.replace('_', '-')}"
    command._called_from_command_line = True  # noqa: SLF001 - as run_from_argv does
    with _chinese_argparse():
        parser = command.create_parser("xuanpei", name.replace("_", "-"))
        parser.prog = prog
        options = parser.parse_args(args[2:])
    cmd_options = vars(options)
    positional = cmd_options.pop("args", ())
    handle_default_options(options)
    try:
        command.execute(*positional, **cmd_options)
    except SystemCheckError as exc:
        if options.traceback:
            raise
        sys.stderr.write(f"{exc}\n")
        sys.exit(exc.returncode)
    except CommandError as exc:
        if options.traceback:
            raise
        _fail(prog, str(exc))
    except OSError as exc:
        if options.traceback:
            raise
        _fail(prog, file_error(exc))
    finally:
        connections.close_all()


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanpei.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and "-" in args[1] and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "xuanpei"
    # help, --version, no command, and the autoreloading runserver: Django's own way.
    if len(args) < 2 or args[1].startswith("-") or args[1] in ("help", "runserver"):
        execute_from_command_line(args)
        return
    run_command(args)


if __name__ == "__main__":
    main()
