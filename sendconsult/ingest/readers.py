"""Reading an export file into a grid of strings, whatever its format claims to be.

The format is decided from the file's first bytes, not its extension: an .xlsx renamed .csv is
still read as Excel, and a CSV named .xlsx as CSV. Every cell becomes a string, so IDs like
"007" keep their zeros. The file is only ever opened for reading.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from defusedxml import DefusedXmlException

from sendconsult.errors import ExportError
from sendconsult.ingest.encoding import decode_bytes
from sendconsult.ingest.rows import row_list
from sendconsult.limits import DEFAULT_LIMITS, RATIO_CHECK_FROM_BYTES, Limits

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

ZIP_MAGIC = b"PK\x03\x04"
_ROW_TAG = re.compile(rb"<(?:\w{1,10}:)?row[\s/>]")  # a row of a sheet's XML, any prefix
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_FIELD = min(sys.maxsize, 2**31 - 1)
DELIMITERS = ",;\t|"
REPORT_SHEETS = frozenset({"Summary", "Coding", "Method"})  # sheets of sendconsult's own report

# Zip members that say what kind of Office-style file a zip really is.
_ZIP_KINDS = (
    ("word/", "a Word document"),
    ("ppt/", "a PowerPoint presentation"),
    ("content.xml", "an OpenDocument (LibreOffice) file"),
    ("xl/workbook.bin", "an Excel binary workbook (.xlsb)"),
)


@dataclass
class Grid:
    """The cells of one sheet or CSV file, as strings, with how they were read."""

    rows: list[list[str]]
    kind: str  # "csv" or "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    warnings: list[str] = field(default_factory=list)


def read_grid(path: Path, sheet: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Grid:
    """Read a CSV or XLSX export into strings; raise ExportError saying what to do if we can't,
    or if it is larger than `limits` allow."""
    raw = _read_bytes(path)
    if raw.startswith(ZIP_MAGIC):
        grid = _read_xlsx(path, raw, sheet, limits)
        _check_size(path, grid.rows, limits)
        return grid
    if raw.startswith(OLE2_MAGIC):
        raise ExportError(
            f"{path.name} looks password-protected or is an old Excel 97-2003 (.xls) file; open it "
            "in Excel, remove any password, and save it as .xlsx (Excel Workbook) or CSV."
        )
    _reject_non_text(path, raw)
    if sheet is not None:
        raise ExportError(f"{path.name} is a CSV file, which has no sheets.", fix="no-sheet")
    grid = _read_csv(path, raw, limits)
    _check_size(path, grid.rows, limits)
    return grid


def _raise_limit(name: str) -> str:
    """The end of every refusal: how to read the file anyway."""
    return (
        f"if the export really is this large, raise {name} under [limits] in sendconsult.toml "
        "beside it."
    )


def _check_size(path: Path, rows: list[list[str]], limits: Limits) -> None:
    """Refuse more responses, or more columns holding answers, than the limits allow."""
    if len(rows) - 1 > limits.max_rows:
        raise ExportError(
            f"{path.name} has {len(rows) - 1:,} rows, more than the {limits.max_rows:,} "
            f"sendconsult reads; split the export, or {_raise_limit('max_rows')}"
        )
    widest = max(map(len, rows), default=0)
    if widest <= limits.max_columns:
        return
    used: set[int] = set()
    for row in rows[1:]:  # only for a very wide file: columns that hold an answer somewhere
        used.update(j for j, cell in enumerate(row) if cell and j not in used and cell.strip())
    if len(used) > limits.max_columns:
        raise ExportError(
            f"{path.name} has {len(used):,} columns with answers, more than the "
            f"{limits.max_columns:,} sendconsult reads; remove the columns you do not need, or "
            f"{_raise_limit('max_columns')}"
        )


def _read_bytes(path: Path) -> bytes:
    """The whole file, read once; every way it can fail becomes one sentence."""
    if not path.exists():
        raise ExportError(f"{path} was not found; check the file name and folder.")
    if path.is_dir():
        raise ExportError(f"{path} is a folder, not a file; give the export file inside it.")
    try:
        raw = path.read_bytes()
    except PermissionError as exc:
        raise ExportError(
            f"{path.name} could not be opened (permission denied); close it in Excel or check "
            "you may read it, then try again."
        ) from exc
    except OSError as exc:
        raise ExportError(
            f"{path.name} could not be read ({exc.strerror or exc}); copy it to a local folder "
            "and try again."
        ) from exc
    if not raw or raw.isspace():  # not raw.strip(): that would copy the whole file
        raise ExportError(f"{path.name} is empty; download the export again from the survey tool.")
    return raw


def _reject_non_text(path: Path, raw: bytes) -> None:
    """Refuse files that are not CSV, with the reason an officer can act on."""
    sample = raw[:8192]
    if sample.startswith(b"%PDF"):
        raise ExportError(
            f"{path.name} is a PDF, not a spreadsheet; download the responses as CSV or Excel."
        )
    if sample.startswith(b"{\\rtf"):
        raise ExportError(
            f"{path.name} is a Word (RTF) document, not a spreadsheet; export the responses as "
            "CSV or Excel (.xlsx)."
        )
    head = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<table")):
        raise ExportError(
            f"{path.name} is a web page or XML file saved with a spreadsheet name; open it in "
            "Excel and save it as .xlsx, or export CSV from the survey tool."
        )
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExportError(
            f"{path.name} is not a spreadsheet (it holds binary data); export the responses as "
            "CSV or Excel (.xlsx) and try again."
        )


def _read_csv(path: Path, raw: bytes, limits: Limits) -> Grid:
    decoded = decode_bytes(raw)
    text, delimiter = _excel_sep_line(decoded.text)
    delimiter = delimiter or sniff_delimiter(text)
    csv.field_size_limit(min(MAX_FIELD, limits.max_cell_characters))
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=False)
    try:
        rows = list(reader)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ExportError(
                f"A cell near line {reader.line_num} of {path.name} holds more than "
                f"{limits.max_cell_characters:,} characters; check that row in the export, or "
                f"{_raise_limit('max_cell_characters')}"
            ) from exc
        raise ExportError(
            f"{path.name} could not be read as CSV ({exc}); open it in Excel and save it as "
            "'CSV UTF-8' or Excel (.xlsx)."
        ) from exc
    grid = Grid(rows=rows, kind="csv", encoding=decoded.encoding, delimiter=delimiter)
    if decoded.bad_lines:
        grid.warnings.append(
            f"{path.name} is UTF-8 text but {row_list(decoded.bad_lines, noun='line')} "
            f"{'holds' if len(decoded.bad_lines) == 1 else 'hold'} characters saved in another "
            "encoding, read as Windows-1252; check those lines' accents and quote marks in the "
            "export."
        )
    open_quote = _unclosed_quote_row(rows, delimiter)
    if open_quote is not None:
        grid.warnings.append(
            f"A quote mark opened in row {open_quote} of {path.name} is never closed, so the rest "
            "of the file was read as part of that one answer; check that row in the export."
        )
    return grid


def _lines(text: str) -> list[str] | io.StringIO:
    """The text's lines, each ending "\n", "\r" or "\r\n" as the csv module expects them.

    `str.splitlines` is several times faster than reading a StringIO line by line but also
    breaks at other characters (form feed, U+2028...), which the csv module would then take for
    the end of a row. Its lines are used only when every break it made is a real line end.
    """
    lines = text.splitlines(keepends=True)
    if all(map(str.endswith, lines[:-1], repeat(("\r", "\n")))):
        return lines
    return io.StringIO(text, newline="")


def _unclosed_quote_row(rows: list[list[str]], delimiter: str) -> int | None:
    """The row whose last cell swallowed later rows because its quote never closed, if any."""
    if not rows or len(rows) < 2:
        return None
    last = rows[-1][-1] if rows[-1] else ""
    swallowed = [line for line in last.split("\n")[1:] if line.count(delimiter) >= 1]
    return (
        len(rows)
        if len(swallowed) >= 1
        and last.count('"') == 0
        and len(rows[-1]) < len(rows[0]) + 1
        and _looks_like_rows(swallowed, delimiter, len(rows[0]))
        else None
    )


def _looks_like_rows(lines: list[str], delimiter: str, width: int) -> bool:
    """Lines that split into about as many cells as the header: rows, not an answer's text."""
    return sum(abs(len(line.split(delimiter)) - width) <= 1 for line in lines) >= max(
        1, len(lines) // 2
    )


def _excel_sep_line(text: str) -> tuple[str, str | None]:
    """Excel's optional first line "sep=;" names the delimiter; Excel hides it, so do we."""
    end = text.find("\n")
    first = text if end < 0 else text[:end]  # not text.partition: that copies the whole text
    if len(first.rstrip("\r")) == 5 and first.lower().startswith("sep="):
        return ("" if end < 0 else text[end + 1 :]), first[4]
    return text, None


def sniff_delimiter(text: str) -> str:
    """The separator of a CSV text: comma, semicolon, tab or pipe (Excel in Europe uses ";").

    The csv module's Sniffer is only a first guess: cells that hold nothing but a line break or
    a tab ("\t\n") lead it to the tab, which would read a comma file as one column. The guess
    is kept only when it splits the rows into as many cells as the header, or no other
    separator does better.
    """
    sample = text[:65536]
    try:
        guess: str | None = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        guess = None
    fits = {d: _fit(sample, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (fits[d], d == guess))
    if guess is not None and fits[guess] >= fits[best]:
        return guess
    if fits[best] > (0, 0.0):
        return best
    first_line = next(csv.reader(io.StringIO(sample, newline=""), delimiter="\x1f"), [""])
    header = first_line[0] if first_line else ""
    counts = {d: header.count(d) for d in DELIMITERS}
    most = max(counts, key=lambda d: counts[d])
    return most if counts[most] else ","


def _fit(sample: str, delimiter: str) -> tuple[int, float]:
    """How well a separator splits the sample: (header has 2+ cells, share of the following
    rows with as many cells as the header). The last row may be cut off by the sample's end."""
    try:
        rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))[:200]
    except csv.Error:
        return (0, 0.0)
    if len(rows) > 2:
        rows = rows[:-1]
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows or len(rows[0]) < 2:
        return (0, 0.0)
    width = len(rows[0])
    body = rows[1:]
    share = sum(len(r) == width for r in body) / len(body) if body else 1.0
    return (1, round(share, 2))


def _read_xlsx(path: Path, raw: bytes, sheet: str | None, limits: Limits) -> Grid:
    _check_is_workbook(path, raw)
    _check_unpacked_size(path, raw, limits)
    from openpyxl import load_workbook

    handle = io.BytesIO(raw)  # bytes in memory: the file itself is never reopened or written
    try:
        with warnings.catch_warnings():
            # "Workbook contains no default style" and similar notes mean nothing to officers.
            warnings.simplefilter("ignore")
            workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for broken files
        if _refused_xml(exc):
            raise _unsafe_xml(path) from exc
        raise ExportError(
            f"{path.name} is damaged or not a real Excel workbook; open it in Excel and save it "
            "again as .xlsx, or export CSV from the survey tool."
        ) from exc
    if REPORT_SHEETS.issubset(workbook.sheetnames):
        workbook.close()
        raise ExportError(
            f"{path.name} is a report made by sendconsult, not an export; give the export "
            "downloaded from the survey tool (the report's Method sheet names it)."
        )
    try:
        worksheet = _pick_sheet(path, workbook, sheet)
        rows = _sheet_rows(worksheet, path, limits)
        if sheet is None and not rows:  # an empty cover sheet: use the first sheet with data
            for candidate in workbook.worksheets[1:]:
                worksheet, rows = candidate, _sheet_rows(candidate, path, limits)
                if rows:
                    break
        title = worksheet.title
    except ExportError:
        raise
    except Exception as exc:  # noqa: BLE001 - truncated archives fail while reading rows
        if _refused_xml(exc):
            raise _unsafe_xml(path) from exc
        raise ExportError(
            f"{path.name} is damaged (it could not be read to the end); open it in Excel and save "
            "it again, or export the responses again."
        ) from exc
    finally:
        workbook.close()
    return Grid(rows=rows, kind="xlsx", sheet=title)


def _refused_xml(exc: BaseException) -> bool:
    """Whether defusedxml refused the XML somewhere behind `exc` (openpyxl wraps it)."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, DefusedXmlException):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _unsafe_xml(path: Path) -> ExportError:
    """defusedxml refused the workbook's XML: it declares entities or a DTD, which Excel never
    writes and XML attacks (entity expansion, external entities) need."""
    return ExportError(
        f"{path.name} contains XML declarations that Excel never writes and that can be used to "
        "attack the computer reading it, so it was not read; export the responses from the "
        "survey tool again, or open the file in Excel and save it as a new .xlsx."
    )


def _check_unpacked_size(path: Path, raw: bytes, limits: Limits) -> None:
    """Refuse a workbook that would unpack to more than the limits allow, before any of it is
    unpacked: the sizes are read from the zip's directory (and reading a part stops at its
    stated size), so a "zip bomb" is refused in milliseconds instead of filling the memory."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        parts = archive.infolist()
        _check_sheet_lengths(path, archive, parts, limits)
    total = sum(part.file_size for part in parts)
    if total > limits.max_xlsx_megabytes * 1_000_000:
        raise ExportError(
            f"{path.name} would unpack to {total / 1_000_000:,.0f} MB, more than the "
            f"{limits.max_xlsx_megabytes:,} MB sendconsult reads; save it again from Excel as CSV, "
            f"or {_raise_limit('max_xlsx_megabytes')}"
        )
    for part in parts:
        if part.file_size < RATIO_CHECK_FROM_BYTES:
            continue
        ratio = part.file_size / max(1, part.compress_size)
        if ratio > limits.max_compression_ratio:
            raise ExportError(
                f"{path.name} holds a part ({part.filename}) that unpacks to {ratio:,.0f} times "
                "its packed size, as damaged or hostile files do and real workbooks do not; "
                "export the responses again, or save the file from Excel as CSV."
            )


def _check_sheet_lengths(
    path: Path, archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo], limits: Limits
) -> None:
    """Count each sheet's rows in its raw XML, a megabyte at a time, before openpyxl parses
    it: millions of empty rows pack small and take minutes to parse."""
    for part in parts:
        name = part.filename
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        if part.file_size > limits.max_xlsx_megabytes * 1_000_000:
            continue  # refused for its size by the caller
        rows, tail = 0, b""
        with archive.open(part) as handle:
            while chunk := handle.read(1 << 20):
                block = tail + chunk
                tail = block[-16:]  # a tag cut in two is found whole in the next block
                rows += len(_ROW_TAG.findall(block)) - len(_ROW_TAG.findall(tail))
        rows += len(_ROW_TAG.findall(tail))
        if rows > limits.max_rows + 3:
            raise ExportError(
                f"{path.name} has more than {limits.max_rows:,} rows (empty ones included); "
                f"delete the rows after the last response in Excel, or "
                f"{_raise_limit('max_rows')}"
            )


def _check_is_workbook(path: Path, raw: bytes) -> None:
    """A zip is only an Excel workbook if it holds one; say what it is otherwise."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExportError(
            f"{path.name} is damaged or cut short (it is an incomplete zip/Excel file); download "
            "the export again, or open it in Excel and save it again as .xlsx."
        ) from exc
    if "xl/workbook.xml" in names:
        return
    for marker, kind in _ZIP_KINDS:
        if any(name.startswith(marker) for name in names):
            raise ExportError(
                f"{path.name} is {kind}, not an Excel workbook; save it as .xlsx (Excel Workbook) "
                "or CSV and try again."
            )
    raise ExportError(
        f"{path.name} is a zip archive, not an Excel workbook; unzip it and give the export "
        "file inside."
    )


def _pick_sheet(path: Path, workbook: Workbook, sheet: str | None) -> Any:
    """The named sheet (case ignored), else the first; an unknown name lists the real ones."""
    names: list[str] = workbook.sheetnames
    if sheet is None:
        return workbook.worksheets[0]
    folded = {n.casefold(): n for n in names}
    if sheet.casefold() in folded:
        return workbook[folded[sheet.casefold()]]
    listed = ", ".join(f"'{n}'" for n in names)
    raise ExportError(f"{path.name} has no sheet '{sheet}'; its sheets are {listed}.")


def _sheet_rows(worksheet: Any, path: Path, limits: Limits) -> list[list[str]]:
    """Every row as strings; the sheet's own size record is ignored because tools get it wrong.

    Read a row at a time and refused as soon as it holds more rows than the limit (empty ones
    included) or a cell longer than the limit. Empty rows are only kept once a row with
    something in it follows: formatting can make Excel keep thousands of them at the end.
    """
    reset = getattr(worksheet, "reset_dimensions", None)
    if callable(reset):
        reset()
    rows: list[list[str]] = []
    pending_empty = 0
    longest = limits.max_cell_characters
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if number > limits.max_rows + 3:  # a few header rows besides the responses
            raise ExportError(
                f"{path.name} has more than {limits.max_rows:,} rows (empty ones included); "
                f"delete the rows after the last response in Excel, or "
                f"{_raise_limit('max_rows')}"
            )
        row = [cell_text(v) for v in values]
        if not any(row):
            pending_empty += 1
            continue
        for column, text in enumerate(row, start=1):
            if len(text) > longest:
                raise ExportError(
                    f"Row {number}, column {column} of {path.name} holds more than {longest:,} "
                    f"characters; check that cell in the export, or "
                    f"{_raise_limit('max_cell_characters')}"
                )
        if pending_empty:
            rows.extend([] for _ in range(pending_empty))
            pending_empty = 0
        rows.append(row)
    return rows


def cell_text(value: object) -> str:
    """A cell value as the text Excel would show for it (no "1.0", dates ISO-like)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.15g}"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, timedelta):
        return str(value)
    return str(value)
