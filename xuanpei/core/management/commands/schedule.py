"""`xuanpei schedule [--run NAME | --run-due]` — the daily jobs (issue #14 item 2).

Without options it prints what runs when (core.schedule.DAILY_JOBS, Asia/Shanghai): the
schedule Celery beat follows. `--run NAME` runs one job now in this process (testing, or a
job to repeat by hand). `--run-due` runs every job whose time today has come and that has
not yet run today (recorded in var/schedule-state.json): for deployments that drive the
schedule from a systemd timer or cron every few minutes instead of Celery beat.

Exit codes: 0 done; 1 a job failed (its error on stderr, the others still ran); 2 an
unknown job name.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xuanpei.core import schedule


class Command(BaseCommand):
    help = "打印每日定时任务（几点运行什么）；--run 名称 立即运行一项；--run-due 运行已到时间的各项"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--run",
            metavar="NAME",
            help="立即运行一项定时任务，可选：" + "、".join(schedule.JOBS_BY_NAME),
        )
        group.add_argument(
            "--run-due",
            action="store_true",
            help="运行今天已到时间、尚未运行的各项（供 systemd 定时器或 cron 每隔几分钟调用）",
        )

    def handle(self, *args, run=None, run_due=False, **options):
        if run:
            self.run_one(run)
        elif run_due:
            self.run_due()
        else:
            self.print_schedule()

    def print_schedule(self):
        last = schedule.last_runs()
        self.stdout.write(f"每日定时任务（{schedule.TIME_ZONE} 时间）：")
        for job in schedule.DAILY_JOBS:
            self.stdout.write(f"  {job.at}  {job.name:<22}{job.command_line}")
            self.stdout.write(f"         {job.description}")
            if job.name in last:
                self.stdout.write(f"         上次由 --run-due 运行：{last[job.name]:%Y-%m-%d}")
        self.stdout.write(
            "由 Celery beat 按时发送（celery -A xuanpei beat）；"
            "不用 Celery 时，请让 systemd 定时器或 cron 每 5 分钟运行一次 xuanpei schedule --run-due。"
        )

    def run_one(self, name: str):
        try:
            output = schedule.run_daily_job(name)
        except schedule.UnknownJob:
            raise CommandError(
                f"没有名为 {name} 的定时任务；可选：{'、'.join(schedule.JOBS_BY_NAME)}",
                returncode=2,
            ) from None
        except CommandError as exc:
            raise CommandError(f"{name} 运行失败：{exc}") from exc
        self.stdout.write(f"{name}：已完成")
        if output:
            self.stdout.write(output)

    def run_due(self):
        now = timezone.localtime()
        results = schedule.run_due(now)
        if not results:
            self.stdout.write(f"{now:%Y-%m-%d %H:%M}：没有到时间的任务")
            return
        failed = []
        for job, error in results:
            if error is None:
                self.stdout.write(f"{job.name}：已完成")
            else:
                failed.append(job.name)
                self.stderr.write(f"{job.name} 运行失败：{error}")
        if failed:
            raise CommandError(f"{len(failed)} 项定时任务失败：{'、'.join(failed)}")
