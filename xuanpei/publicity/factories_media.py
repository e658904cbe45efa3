"""Factories of new-media posts (issue #11 item 5)."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from xuanpei.publicity.models_ledger import Channel, MediaKind, MediaPost


class MediaPostFactory(DjangoModelFactory):
    class Meta:
        model = MediaPost

    # unit: always given (a post sits on a unit of the test's tree)
    channel = Channel.WECHAT
    account = "平安测试区"
    kind = MediaKind.POST
    title = factory.Sequence(lambda n: f"安全生产宣传推文{n}")
    url = factory.Sequence(lambda n: f"https://mp.weixin.qq.com/s/post{n}")
    published_on = date(2024, 6, 16)
    views = 100
    likes = 10
    shares = 1
