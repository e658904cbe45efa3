"""`xuanpei unlock USERNAME`: lift a login lock-out (every client) from the server."""

from django.core.management.base import BaseCommand, CommandError

from xuanpei.accounts import lockout
from xuanpei.accounts.models import User


class Command(BaseCommand):
    help = "解除用户的登录锁定（所有设备）。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not User.objects.filter(username=username).exists():
            raise CommandError(f"用户不存在：{username}", returncode=2)
        removed = lockout.unlock(username)
        self.stdout.write(f"已解除 {username} 的登录锁定（清除 {removed} 条失败记录）")
