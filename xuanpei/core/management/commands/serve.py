"""`xuanpei serve [--bind ADDR] [--workers N] [--threads N]` — the production server.

Runs gunicorn on xuanpei.wsgi (issue #14 item 1) with the settings of the environment,
which must be production ones (DEBUG=0): the development server is `make run`. The
deploy checks run first, so a missing `collectstatic` stops here with its hint instead
of answering 500 on every page. PostgreSQL connections are pooled (core/serve.py).
The process is replaced by gunicorn (exec): systemd's or docker's signals reach it
directly.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

from django.conf import settings
from django.core import checks
from django.core.checks import Tags
from django.core.management.base import BaseCommand, CommandError

from xuanpei.core import serve


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"应为正整数，收到 {value!r}")
    return number


def check_bind(bind: str) -> None:
    """A clear Chinese error for an address gunicorn could not listen on (it would say
    so in English, after starting its workers)."""
    if bind.startswith("unix:"):
        return
    host, sep, port = bind.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(
            f"监听地址 {bind} 格式不对：应为 主机:端口（如 127.0.0.1:8000）或 unix:路径"
        )
    host = host.strip("[]")
    try:
        infos = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CommandError(f"监听地址 {bind} 无法解析：{host} 不是本机地址") from exc
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise CommandError(
                f"无法监听 {bind}：端口已被占用或没有权限（{exc.strerror}）"
            ) from exc


class Command(BaseCommand):
    help = "启动生产环境服务器（gunicorn，DEBUG=0）"
    # The deploy checks run in handle(), after the DEBUG check that explains itself better.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default=serve.DEFAULT_BIND,
            help=f"监听地址，主机:端口 或 unix:路径（默认 {serve.DEFAULT_BIND}，nginx 在前）",
        )
        parser.add_argument(
            "--workers",
            type=_positive,
            default=None,
            help=f"进程数（默认 2 × CPU 核数 + 1，最多 {serve.MAX_WORKERS}）",
        )
        parser.add_argument(
            "--threads",
            type=_positive,
            default=serve.DEFAULT_THREADS,
            help=f"每个进程的线程数（默认 {serve.DEFAULT_THREADS}）",
        )

    def handle(self, *args, bind, workers, threads, **options):
        if settings.DEBUG:
            raise CommandError(
                "xuanpei serve 是生产环境服务器，须设置 DEBUG=0（以及 SECRET_KEY、ALLOWED_HOSTS）；"
                "开发时请用 make run"
            )
        check_bind(bind)
        # The deploy checks that stop a production start (a missing collectstatic, unsafe
        # settings), not all of them: drf-spectacular's builds the whole API schema (~3 s on
        # every restart); `xuanpei check --deploy` and the test suite run that one.
        self.check(
            tags=[Tags.security, Tags.staticfiles, Tags.caches, Tags.async_support],
            include_deployment_checks=True,
            fail_level=checks.ERROR,
        )
        workers = workers or serve.default_workers()
        argv = serve.gunicorn_argv(bind=bind, workers=workers, threads=threads)
        env = serve.server_environ(os.environ, threads=threads)
        self.stdout.write(serve.listening_line(bind=bind, workers=workers, threads=threads))
        self.stdout.flush()
        sys.stderr.flush()
        os.execvpe(sys.executable, [sys.executable, "-m", "gunicorn", *argv], env)
