"""Zip bombs (issue #9 item 4): refused quickly, with little memory, wherever an xlsx or
docx comes in — imports (page and CLI), evidence and plan files."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from xuanpei.core.archives import ArchiveError, check_archive
from xuanpei.core.imports import ImportFileError
from xuanpei.core.imports.reader import read_table
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.plans import evidence

MB = 1024 * 1024


def _zeros_deflated(megabytes: int) -> bytes:
    """A raw deflate stream of `megabytes` MB of zeros, built in milliseconds: after a full
    flush the compressed form of each further megabyte is the same bytes."""
    block = bytes(MB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + repeat * (megabytes - 1) + compressor.flush()


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written by hand: (name, deflated data, size to declare, crc) per member, so a
    member can be a bomb (or declare a size that lies) without ever being unpacked here."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, size, crc in members:
        raw = name.encode()
        offset = out.tell()
        out.write(
            struct.pack(
                "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(raw), 0
            )
        )
        out.write(raw + data)
        central.write(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
        )
        central.write(raw)
    start, directory = out.tell(), central.getvalue()
    out.write(directory)
    out.write(
        struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), start, 0
        )
    )
    return out.getvalue()


def _office(kind: str, bomb_part: str, bomb_mb: int, *, declared_mb: int | None = None) -> bytes:
    """A real xlsx (or a docx-shaped zip) whose `bomb_part` unpacks to `bomb_mb` MB."""
    if kind == "xlsx":
        with zipfile.ZipFile(io.BytesIO(xlsx_bytes([["企业名称"], ["甲"]]))) as real:
            parts = {n: real.read(n) for n in real.namelist() if n != bomb_part}
    else:
        parts = {"[Content_Types].xml": b"<Types/>", "word/_rels/document.xml.rels": b"<x/>"}
    members = []
    for name, data in parts.items():
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        members.append(
            (name, compressor.compress(data) + compressor.flush(), len(data), zlib.crc32(data))
        )
    size = (bomb_mb if declared_mb is None else declared_mb) * MB
    members.append((bomb_part, _zeros_deflated(bomb_mb), size, 0))
    return _zip(members)


def _measure(call):
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises((ArchiveError, ImportFileError, ValidationError)) as caught:
            call()
    finally:
        seconds = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return caught.value, seconds, peak


def test_a_one_megabyte_xlsx_unpacking_to_a_gigabyte_is_refused_at_once_as_an_import():
    bomb = _office("xlsx", "xl/sharedStrings.xml", 1024)
    assert len(bomb) < 2 * MB  # small on disk

    error, seconds, peak = _measure(lambda: read_table(bomb, filename="名单.xlsx"))

    assert isinstance(error, ImportFileError)
    assert "名单.xlsx" in error.message and "解压后超过" in error.message
    assert seconds < 1.0
    assert peak < 20 * MB


def test_a_bomb_whose_directory_declares_a_small_size_is_caught_while_unpacking(settings):
    settings.XLSX_MAX_RATIO = 10_000  # only the total limit can catch this one
    settings.XLSX_MAX_UNCOMPRESSED_MB = 50
    liar = _office("xlsx", "xl/sharedStrings.xml", 300, declared_mb=1)
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo("xl/sharedStrings.xml").file_size == MB

    error, seconds, peak = _measure(lambda: check_archive(liar, name="名单.xlsx"))

    assert "解压后超过 50 MB" in error.message
    assert seconds < 2.0 and peak < 20 * MB


def test_a_dense_member_is_refused_by_its_compression_ratio(settings):
    settings.XLSX_MAX_RATIO = 100
    dense = _office("xlsx", "xl/sharedStrings.xml", 200)  # ~1000:1

    error, _, _ = _measure(lambda: check_archive(dense, name="名单.xlsx"))

    assert "压缩比超过 100 倍" in error.message


def test_too_many_members_are_refused(settings):
    settings.ARCHIVE_MAX_MEMBERS = 20
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(21):
            archive.writestr(f"part{n}.xml", b"<x/>")

    with pytest.raises(ArchiveError, match="内含 21 个文件，超过了 20 个"):
        check_archive(buffer.getvalue(), name="a.xlsx")


def test_an_ordinary_xlsx_passes_and_is_read():
    data = xlsx_bytes([["企业名称", "地址"], ["甲公司", "某路 1 号"]] * 200)

    check_archive(data, name="a.xlsx")
    table = read_table(data, filename="a.xlsx")

    assert len(list(table.rows)) == 400


@pytest.mark.parametrize(
    ("filename", "kind", "part"),
    [("佐证.xlsx", "xlsx", "xl/sharedStrings.xml"), ("佐证.docx", "docx", "word/document.xml")],
)
def test_an_evidence_or_plan_file_that_is_a_bomb_is_refused(filename, kind, part):
    upload = SimpleUploadedFile(filename, _office(kind, part, 1024))

    error, seconds, peak = _measure(lambda: evidence.check_file(upload))

    assert isinstance(error, ValidationError)
    assert filename in error.messages[0] and "解压后超过" in error.messages[0]
    assert seconds < 1.0 and peak < 20 * MB
