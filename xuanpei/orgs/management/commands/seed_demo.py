"""`xuanpei seed-demo [--scale N] [--if-empty]`: load the invented demo district (issue #2 §11).

Since issue #3 §8 it also adds the demo workforce (people, posts, certificates)
to every enterprise, runs the integrity checks and refreshes the 持证率 snapshots;
since issue #4 the yearly plans (2022 from the template, this year's as its copy)
with their reports as of today; since issue #11 the themed-day calendar; since issue #13
the assessment year (scored quarters, 督查 entries, an issued bulletin and a draft).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xuanpei.assessment import demo as assessment_demo
from xuanpei.core.database import refresh_planner_statistics
from xuanpei.orgs import demo
from xuanpei.plans import demo as plans_demo
from xuanpei.publicity import demo as publicity_demo
from xuanpei.training import demo as training_demo
from xuanpei.workforce import demo as workforce_demo


class Command(BaseCommand):
    help = (
        "载入演示区县数据（单位树、行业领域、企业、从业人员与证书、演示账号）；"
        "--scale N 将企业和人员数量放大 N 倍"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=1, help="企业数量倍数（默认 1 = 2000 家，约 3 万人）"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="数据库中已有单位时什么也不做（make run 使用）"
        )
        parser.add_argument("--seed", type=int, default=demo.DEMO_SEED, help="随机种子")

    def handle(self, *args, scale, if_empty, seed, **options):
        if scale < 1:
            raise CommandError("--scale 必须是不小于 1 的整数")
        if demo.demo_exists():
            if if_empty:
                self.stdout.write("数据库中已有单位数据，跳过演示数据载入。")
                return
            raise CommandError(
                "数据库中已有单位数据，未写入任何内容（空库上运行，或加 --if-empty 跳过）"
            )
        # One transaction: a failure part-way leaves the database empty, so that
        # `make run` (--if-empty) can simply try again.
        with transaction.atomic():
            result = demo.seed_demo(scale=scale, seed=seed)
            workforce = workforce_demo.seed_workforce(seed=seed)
            plans = plans_demo.seed_plans(seed=seed)
            publicity = publicity_demo.seed_publicity()
            training = training_demo.seed_training(seed=seed)
            assessment = assessment_demo.seed_assessment()
        refresh_planner_statistics()  # the first pages after a bulk load must not guess
        self.stdout.write(
            self.style.SUCCESS(
                f"已载入演示数据：单位 {result.units} 个（其中行业部门 {result.departments} 个），"
                f"企业 {result.enterprises} 家，演示账号 {result.users} 个，"
                f"用时 {result.seconds:.1f} 秒。"
            )
        )
        flags = (
            f"，证件核查线索 {workforce.integrity_flags} 条"
            if workforce.integrity_flags is not None
            else ""
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"从业人员 {workforce.people} 人，岗位 {workforce.posts} 个，"
                f"证书 {workforce.current_certificates} 本（含历史版本共 {workforce.certificates} 条）"
                f"{flags}，用时 {workforce.seconds:.1f} 秒。"
            )
        )
        self.stdout.write(self.style.SUCCESS(plans.summary_line()))
        self.stdout.write(self.style.SUCCESS(publicity.summary_line()))
        self.stdout.write(self.style.SUCCESS(training.summary_line()))
        self.stdout.write(self.style.SUCCESS(assessment.summary_line()))
