"""Every platform command answers bad arguments and files with one Chinese line on stderr
and exit code 2, never a traceback (issue #9 item 12).

The commands are found, not listed: every management command of a `xuanpei.*` app is
run through the `xuanpei` entry point with an option it does not have and with its
positional arguments missing; the commands that take paths are also given paths that
cannot be read or written.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import get_commands

from xuanpei.cli import main
from xuanpei.plans.factories import PlanFactory

CHINESE = re.compile(r"[\u4e00-\u9fff]")
PLATFORM_COMMANDS = sorted(n for n, app in get_commands().items() if app.startswith("xuanpei."))


def run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stopped:
        main(["xuanpei", *args])
    captured = capsys.readouterr()
    return stopped.value.code, captured.out, captured.err


def assert_one_chinese_line(code, err):
    assert code == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert CHINESE.search(err), err


def test_the_platform_commands_are_found():
    assert {"import", "export", "plan", "cleanup", "seed_demo", "api_token"} <= set(
        PLATFORM_COMMANDS
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", PLATFORM_COMMANDS)
def test_an_unknown_option_is_one_chinese_line_and_exit_2(capsys, name):
    code, _, err = run(capsys, name.replace("_", "-"), "--no-such-option")
    assert_one_chinese_line(code, err)
    assert "--no-such-option" in err or "缺少必填参数" in err


@pytest.mark.django_db
def test_an_unknown_command_is_one_chinese_line_and_exit_2(capsys):
    code, _, err = run(capsys, "no-such-command")
    assert_one_chinese_line(code, err)
    assert "no-such-command" in err


@pytest.fixture
def files(district, tmp_path):
    PlanFactory(unit=district.root, year=2022)  # so `plan import/export 2022` reaches the file
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "evil.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    (tmp_path / "fake.xlsx").write_bytes(b"\xff\xd8\xff\xe0 a photo renamed")
    return tmp_path


BAD_CALLS = [
    (["import", "nosuchimporter"], "缺少必填参数"),
    (["import", "nosuchimporter", "{tmp}/empty.csv"], "没有名为 nosuchimporter 的导入"),
    (["import", "enterprises", "{tmp}/missing.xlsx"], "文件或目录不存在"),
    (["import", "enterprises", "{tmp}"], "目录"),
    (["import", "enterprises", "{tmp}/empty.xlsx"], "文件是空的"),
    (["import", "enterprises", "{tmp}/evil.jpg"], "不支持的文件类型"),
    (["import", "enterprises", "{tmp}/fake.xlsx"], "不是有效的 Excel"),
    (["import", "enterprises", "{tmp}/empty.csv", "--report", "/nonexistent-dir/r.xlsx"], "不存在"),
    (["export", "enterprises", "--out", "/nonexistent-dir/x.xlsx"], "不存在"),
    (["export", "nosuchexporter", "--out", "{tmp}/x.xlsx"], "没有名为 nosuchexporter 的导出"),
    (["export", "enterprises", "--out", "{tmp}"], "目录"),
    (["plan", "import", "2022", "{tmp}/empty.xlsx"], "文件是空的"),
    (["plan", "import", "2022", "{tmp}/empty.csv"], ".xlsx"),
    (["plan", "import", "2022", "{tmp}/evil.jpg"], ".xlsx"),
    (["plan", "import", "2022", "{tmp}/fake.xlsx"], "不是有效的 Excel"),
    (["plan", "import", "2022", "{tmp}/missing.xlsx"], "文件或目录不存在"),
    (["plan", "import", "20x2", "{tmp}/empty.xlsx"], "年度应为四位数字"),
    (["plan", "export", "2022", "--out", "/nonexistent-dir/x.xlsx"], "不存在"),
    (["plan", "frob"], "无效"),
    (["refresh-compliance", "--date", "x"], "日期格式不正确"),
    (["send-reminders", "--date", "x"], "日期格式不正确"),
    (["check-integrity", "--on", "x"], "日期格式不正确"),
    (["seed-demo", "--scale", "x"], "格式不对"),
    (["cleanup", "--hours", "x"], "格式不对"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "reason"), BAD_CALLS, ids=lambda v: " ".join(v) if isinstance(v, list) else None
)
def test_a_bad_argument_or_path_names_the_reason_in_one_chinese_line(
    capsys, district, files, args, reason
):
    code, _, err = run(capsys, *(a.format(tmp=files) for a in args))
    assert_one_chinese_line(code, err)
    assert reason in err
    assert "文件可能已损坏" not in err
