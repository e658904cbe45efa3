"""iCalendar (RFC 5545) text for a unit's campaigns, written by hand (no dependency).

Every campaign is an all-day VEVENT (DTEND is exclusive: the day after the last).
Text values are escaped as §3.3.11 says (backslash, semicolon, comma, line breaks),
so a theme holding a line break cannot start a property or an event of its own;
lines are folded at 75 octets without splitting a UTF-8 character (§3.1).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

PRODID = "-//xuanpei//宣培通 宣传日历//ZH"


def escape_text(value: str) -> str:
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, continuation lines start with a space."""
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        limit = 75 if not out else 74  # a continuation line spends one octet on the space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += ch
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _date(d) -> str:
    return d.strftime("%Y%m%d")


def _stamp(dt) -> str:
    return (dt or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render(campaigns: Iterable, *, name: str, host: str = "xuanpei") -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for c in campaigns:
        summary = c.name if not c.theme else f"{c.name}：{c.theme}"
        description = [f"主题：{c.theme}" if c.theme else "", f"发布单位：{c.unit.name}"]
        if c.notes:
            description.append(c.notes)
        lines += [
            "BEGIN:VEVENT",
            f"UID:campaign-{c.pk}@{host}",
            f"DTSTAMP:{_stamp(c.updated_at)}",
            f"DTSTART;VALUE=DATE:{_date(c.start_date)}",
            f"DTEND;VALUE=DATE:{_date(c.end_date + timedelta(days=1))}",
            f"SUMMARY:{escape_text(summary)}",
            f"DESCRIPTION:{escape_text(chr(10).join(d for d in description if d))}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
