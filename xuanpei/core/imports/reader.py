"""File → rows, each with the row number a person sees in Excel.

Accepts .xlsx/.xls (read with python-calamine) and .csv (UTF-8 with or without
BOM, or GBK/GB18030 as Excel on Chinese Windows writes it). Everything wrong
with the file as a whole raises `ImportFileError` with a Chinese message; rows
are not judged here.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePath
from xml.etree import ElementTree

import python_calamine
from django.conf import settings
from django.utils.translation import gettext as _

from xuanpei.core.archives import ArchiveError, check_archive

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
CSV_SUFFIXES = {".csv"}
ACCEPTED_SUFFIXES = EXCEL_SUFFIXES | CSV_SUFFIXES
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is shown to the person as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """The rows of the first worksheet (or the csv), numbered as in Excel (1-based)."""

    rows: Iterator[tuple[int, list]]
    total: int  # number of rows in the sheet, for progress bars
    # The whole sheet is in memory (calamine), not read from an open file: a forked
    # process can read the same rows (the roster import's parallel check).
    in_memory: bool = False


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


# A file to read: its bytes, or a path (streamed: a 1M-row CSV never sits in memory).
Source = bytes | str | os.PathLike


def check_upload(filename: str, size: int, *, max_bytes: int | None = None) -> str:
    """Reject a file by name and size before it is read; returns its lower-case suffix.

    `max_bytes` defaults to IMPORT_MAX_BYTES (uploads); 0 means no limit (the CLI,
    run by an administrator on the server, imports files of any size).
    """
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise ImportFileError(
            _("不支持的文件类型“%(suffix)s”，请上传 Excel（.xlsx）或 CSV（.csv）文件")
            % {"suffix": suffix or _("无扩展名")}
        )
    if size == 0:
        raise ImportFileError(_("文件是空的，请检查后重新上传"))
    limit = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    if limit and size > limit:
        raise ImportFileError(
            _("文件大小为 %(size)s MB，超过了 %(limit)s MB 的上限，请拆分后分批导入")
            % {"size": _megabytes(size), "limit": _megabytes(limit)}
        )
    return suffix


def read_table(data: Source, *, filename: str, max_bytes: int | None = None) -> Table:
    """Open `data` (the whole file, or a path to it) according to its name and content.

    Rows are produced lazily: a CSV path is decoded as it is read, an Excel
    sheet is turned into Python values one row at a time (calamine holds the
    sheet itself in its own compact form).
    """
    path = None if isinstance(data, bytes | bytearray) else Path(data)
    size = path.stat().st_size if path is not None else len(data)
    suffix = check_upload(filename, size, max_bytes=max_bytes)
    if path is not None:
        with path.open("rb") as fh:
            head = fh.read(4096)
    else:
        head = bytes(data[:4096])
    if suffix in EXCEL_SUFFIXES:
        if head.startswith(ZIP_MAGIC):
            # A zip bomb is refused before calamine unpacks anything (issue #9).
            try:
                check_archive(data if path is None else path, name=PurePath(filename).name)
            except ArchiveError as exc:
                raise ImportFileError(exc.message) from exc
        return _read_excel(data if path is None else path, head)
    return _read_csv(data if path is None else path, head)


def _open_binary(source):
    return source.open("rb") if isinstance(source, Path) else io.BytesIO(source)


# Excel -----------------------------------------------------------------------


def _read_excel(source, head: bytes) -> Table:
    if not (head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC)):
        raise ImportFileError(_("文件内容不是有效的 Excel 文件，请用 Excel 另存为 .xlsx 后重试"))
    try:
        if isinstance(source, Path):
            workbook = python_calamine.CalamineWorkbook.from_path(str(source))
        else:
            workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(source))
        visible = [
            m.name
            for m in workbook.sheets_metadata
            if m.visible == python_calamine.SheetVisibleEnum.Visible
            and m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
        if not visible:
            raise ImportFileError(_("Excel 文件中没有可见的工作表"))
        # calamine parses the sheet without the GIL: scan it for formulas meanwhile, on
        # the second core (zlib inflates without the GIL too).
        scan = None
        if head.startswith(ZIP_MAGIC):
            scan = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx-formulas")
            formulas_future = scan.submit(_xlsx_formula_cells, source, visible[0])
        try:
            sheet = workbook.get_sheet_by_name(visible[0])
        finally:
            formulas = formulas_future.result() if scan is not None else {}
            if scan is not None:
                scan.shutdown()
    except python_calamine.PasswordError as exc:
        raise ImportFileError(_("Excel 文件设置了密码，请取消密码后重试")) from exc
    except python_calamine.CalamineError as exc:
        raise ImportFileError(_("无法读取 Excel 文件，文件可能已损坏")) from exc
    if sheet.end is None:
        raise ImportFileError(_("文件是空的，请检查后重新上传"))
    first_col = sheet.start[1] if sheet.start else 0
    return Table(
        rows=_excel_rows(sheet, formulas, first_col), total=sheet.end[0] + 1, in_memory=True
    )


def _excel_rows(sheet, formulas: dict, first_col: int) -> Iterator[tuple[int, list]]:
    # calamine's iter_rows starts at row 1 but at the first used column.
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (row, col), text in formulas.items():
        by_row.setdefault(row, []).append((col - first_col, text))
    last = 0
    for index, values in enumerate(sheet.iter_rows()):
        last = index + 1
        yield last, _with_formulas(values, by_row.get(last, ()))
    # A formula without a cached value is empty to calamine, even past the last row.
    for number in sorted(n for n in by_row if n > last):
        yield number, _with_formulas([], by_row[number])


def _with_formulas(values: list, formulas) -> list:
    for col, text in formulas:
        if col >= 0:
            values.extend([""] * (col + 1 - len(values)))
            values[col] = text
    return values


_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _column_index(letters: str) -> int:
    n = 0
    for c in letters:
        n = n * 26 + ord(c) - 64
    return n - 1


def _xlsx_formula_cells(source, sheet_name: str) -> dict[tuple[int, int], str]:
    """Cells holding a formula, as "=FORMULA" text keyed by (Excel row, 0-based column).

    calamine returns a formula's cached value (often empty), so a `=HYPERLINK(...)`
    would slip through as plain text; the sheet XML still says it is a formula.
    The sheet XML is scanned as bytes, one megabyte at a time: a 1M-row sheet
    without formulas costs a pass of `bytes.find`, and only formula cells are
    parsed (a full XML parse of such a sheet would take longer than the import).
    """
    try:
        with _open_binary(source) as raw, zipfile.ZipFile(raw) as archive:
            path = _sheet_xml_path(archive, sheet_name)
            if path is None:
                return {}
            with archive.open(path) as fh:
                return _scan_formulas(fh)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return {}


_FORMULA_CELL = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*>.*?<f(?:\s[^>]*)?(?:/>|>(.*?)</f>)', re.DOTALL
)
_FORMULA_TAG = re.compile(rb"<f[\s>/]")


def _scan_formulas(fh, block: int = 1 << 20) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    carry = b""
    while True:
        chunk = fh.read(block)
        window = carry + chunk
        # Only whole cells are examined; the tail after the last </c> waits for more.
        cut = len(window) if not chunk else window.rfind(b"</c>") + 4
        if cut < 4:
            carry = window
            if not chunk:
                break
            continue
        part, carry = window[:cut], window[cut:]
        if _FORMULA_TAG.search(part):
            for cell in re.split(rb"(?=<c\b)", part):
                match = _FORMULA_CELL.match(cell)
                if match:
                    text = (match.group(3) or b"").decode("utf-8", "replace")
                    key = (int(match.group(2)), _column_index(match.group(1).decode()))
                    found[key] = "=" + _xml_unescape(text)
        if not chunk:
            break
    return found


def _xml_unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


def _sheet_xml_path(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rid = None
    for sheet in workbook.iter(f"{main}sheet"):
        if sheet.get("name") == sheet_name:
            rid = sheet.get(f"{rel_ns}id")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


# CSV -------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not) first, then GB18030 (a superset of GBK, Excel's Chinese ANSI)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码")) from exc


def sniff_encoding(head: bytes) -> str:
    """The encoding of a CSV judged from its first bytes (the header row is in them).

    UTF-8 when the start decodes as UTF-8 (a character cut at the end of the
    sample is allowed), else GB18030. A later byte that does not fit is a file
    error raised while the rows are read.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "gb18030"


_UNDECODABLE = "无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码"


def _count_lines(source) -> int:
    if not isinstance(source, Path):
        return source.count(b"\n") + 1
    lines = 1
    with source.open("rb") as fh:
        while block := fh.read(1 << 22):
            lines += block.count(b"\n")
    return lines


def _read_csv(source, head: bytes) -> Table:
    if head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC) or b"\x00" in head[:4096]:
        raise ImportFileError(_("文件内容不是 CSV 文本，请确认文件类型"))
    if not isinstance(source, Path):
        # Small in-memory files: decode whole, which also catches a bad byte up front.
        text = decode_text(source)
        if not text.strip():
            raise ImportFileError(_("文件是空的，请检查后重新上传"))
        stream_factory = lambda: io.StringIO(text, newline="")  # noqa: E731
        first_line = text.split("\n", 1)[0]
    else:
        encoding = sniff_encoding(head)
        try:
            first_line = head.decode(encoding, errors="ignore").split("\n", 1)[0]
        except LookupError:  # pragma: no cover - the codecs above always exist
            first_line = ""
        if not head.strip():
            raise ImportFileError(_("文件是空的，请检查后重新上传"))

        def stream_factory():
            return open(source, encoding=encoding, newline="")  # noqa: SIM115

    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    total = _count_lines(source)

    def rows():
        number = 0
        with stream_factory() as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            try:
                # Excel shows one record per row, even when a quoted cell spans lines.
                for number, values in enumerate(reader, 1):  # noqa: B007
                    yield number, values
            except csv.Error as exc:
                raise ImportFileError(
                    _("CSV 文件第 %(row)d 行格式错误：%(reason)s")
                    % {"row": number + 1, "reason": exc}
                ) from exc
            except UnicodeDecodeError as exc:
                raise ImportFileError(_(_UNDECODABLE)) from exc

    return Table(rows=rows(), total=total)
