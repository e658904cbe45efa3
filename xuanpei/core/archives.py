"""Zip archives that come in (xlsx, docx): refuse a zip bomb before anything reads it.

An xlsx or docx is a zip. A 1 MB file whose shared-strings part unpacks to 1 GB
drove the server to 3.3 GB and 25 s (issue #9 item 4), because calamine and
zipfile trust the archive. `check_archive` runs first, for every import,
evidence file and plan workbook:

- at most ARCHIVE_MAX_MEMBERS members;
- each member, and all of them together, at most XLSX_MAX_UNCOMPRESSED_MB;
- each member's compression ratio at most XLSX_MAX_RATIO (Office parts compress
  about 10:1; a bomb 1000:1), once it is past ARCHIVE_RATIO_FLOOR bytes (a small
  part of repeated XML may compress well without harm).

The central directory's declared sizes are checked first (cheap, and a bomb that
tells the truth stops there), then every member is stream-decompressed in
blocks with the same caps, so a directory that lies is caught too: the work is
bounded by the limits, never by what the archive claims.
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

_BLOCK = 1 << 16
# Below this size a member's ratio is not judged: a small part may compress well.
ARCHIVE_RATIO_FLOOR = 1024 * 1024


class ArchiveError(ValueError):
    """The archive is refused; the message (Chinese) is shown to the person as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def limits() -> tuple[int, int, int]:
    """(max uncompressed bytes, max ratio, max members) from the settings."""
    return (
        int(getattr(settings, "XLSX_MAX_UNCOMPRESSED_MB", 200)) * 1024 * 1024,
        int(getattr(settings, "XLSX_MAX_RATIO", 100)),
        int(getattr(settings, "ARCHIVE_MAX_MEMBERS", 10_000)),
    )


def _too_big(name: str, limit: int) -> ArchiveError:
    return ArchiveError(
        _(
            "文件“%(name)s”解压后超过 %(limit)d MB（可能是恶意构造的压缩文件），已拒绝；"
            "请检查文件，或拆分后再上传"
        )
        % {"name": name, "limit": limit // 1024 // 1024}
    )


def _too_dense(name: str, ratio: int) -> ArchiveError:
    return ArchiveError(
        _("文件“%(name)s”的压缩比超过 %(ratio)d 倍（可能是恶意构造的压缩文件），已拒绝")
        % {"name": name, "ratio": ratio}
    )


def _open(source):
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(source), True
    if isinstance(source, str | os.PathLike):
        return Path(source).open("rb"), True
    return source, False  # a file object (an upload): the caller keeps it open


def check_archive(source, *, name: str = "") -> None:
    """Refuse `source` (bytes, a path or a seekable file) if it unpacks past the limits.

    Raises ArchiveError with a Chinese message naming `name`. An archive zipfile
    cannot open is left to the reader, which says the file is damaged.
    """
    max_bytes, max_ratio, max_members = limits()
    fh, owned = _open(source)
    start = fh.tell() if not owned else 0
    try:
        try:
            archive = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return
        with archive:
            members = archive.infolist()
            if len(members) > max_members:
                raise ArchiveError(
                    _("文件“%(name)s”内含 %(n)d 个文件，超过了 %(max)d 个的上限，已拒绝")
                    % {"name": name, "n": len(members), "max": max_members}
                )
            declared = 0
            for info in members:
                declared += info.file_size
                if info.file_size > max_bytes or declared > max_bytes:
                    raise _too_big(name, max_bytes)
                if info.file_size > ARCHIVE_RATIO_FLOOR and info.file_size > max_ratio * max(
                    info.compress_size, 1
                ):
                    raise _too_dense(name, max_ratio)
            total = 0
            for info in members:
                total = _inflate(archive, info, total, name=name, limits=(max_bytes, max_ratio))
    finally:
        if owned:
            fh.close()
        else:
            fh.seek(start)


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, total: int, *, name, limits) -> int:
    """Decompress one member in blocks, counting what comes out; returns the new total."""
    max_bytes, max_ratio = limits
    produced = 0
    try:
        with archive.open(info) as member:
            # zipfile stops at the declared size; read past it to see what the data holds.
            member._left = max_bytes + 1  # noqa: SLF001 - ignore the (possibly false) size
            while block := member.read(_BLOCK):
                produced += len(block)
                total += len(block)
                if produced > max_bytes or total > max_bytes:
                    raise _too_big(name, max_bytes)
                if produced > ARCHIVE_RATIO_FLOOR and produced > max_ratio * max(
                    info.compress_size, 1
                ):
                    raise _too_dense(name, max_ratio)
    except ArchiveError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
        # CRC or a bad stream (often a size that lied): the readers say it is damaged.
        return total
    return total
