"""`xuanpei api-token USERNAME [--reset | --revoke]`: print (or create) a user's API token."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from xuanpei.accounts import services
from xuanpei.accounts.models import User


class Command(BaseCommand):
    help = "打印用户的 API 令牌（没有则生成）；--reset 重新生成，--revoke 作废。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--reset", action="store_true", help="重新生成令牌，旧令牌失效")
        group.add_argument("--revoke", action="store_true", help="作废令牌")

    def handle(self, *args, username, reset, revoke, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"用户不存在：{username}") from exc
        if revoke:
            done = services.revoke_api_token(user)
            self.stdout.write("令牌已作废" if done else "该用户没有令牌")
            return
        token = None if reset else Token.objects.filter(user=user).first()
        if token is None:
            try:
                token = services.issue_api_token(user)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(token.key)
