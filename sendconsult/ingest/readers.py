"""Reading an export file into a grid of strings, whatever its format claims to be.

The format is decided from the file's first bytes, not its extension: an .xlsx renamed .csv is
still read as Excel. Every cell becomes a string (IDs like "007" keep their zeros).
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from sendconsult.errors import ExportError
from sendconsult.ingest.encoding import decode_bytes

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_FIELD = min(sys.maxsize, 2**31 - 1)


@dataclass
class Grid:
    """The cells of one sheet or CSV file, as strings, with how they were read."""

    rows: list[list[str]]
    kind: str  # "csv" or "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    ragged_rows: list[int] | None = None


def read_grid(path: Path, sheet: str | None = None) -> Grid:
    """Read a CSV or XLSX export into strings; raise ExportError saying what to do if we can't."""
    _check_file(path)
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(ZIP_MAGIC):
        return _read_xlsx(path, sheet)
    if head.startswith(OLE2_MAGIC):
        raise ExportError(
            f"{path.name} looks password-protected or is an old Excel 97-2003 (.xls) file; open it "
            "in Excel, remove any password, and save it as .xlsx or CSV."
        )
    raw = path.read_bytes()
    _reject_binary(path, raw)
    if sheet is not None:
        raise ExportError(f"{path.name} is a CSV file, which has no sheets; leave out --sheet.")
    return _read_csv(path, raw)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise ExportError(f"{path} was not found; check the file name and folder.")
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give the export file inside it.")
    if path.stat().st_size == 0:
        raise ExportError(f"{path.name} is empty; download the export again from the survey tool.")


def _reject_binary(path: Path, raw: bytes) -> None:
    sample = raw[:8192]
    if sample.startswith(b"%PDF"):
        raise ExportError(
            f"{path.name} is a PDF, not a spreadsheet; download the responses as CSV or Excel."
        )
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExportError(
            f"{path.name} is not a spreadsheet (it holds binary data); export the responses as "
            "CSV or Excel (.xlsx) and try again."
        )


def _read_csv(path: Path, raw: bytes) -> Grid:
    decoded = decode_bytes(raw)
    text = decoded.text
    delimiter = _sniff_delimiter(text)
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        rows = [list(row) for row in reader]
    except csv.Error as exc:
        raise ExportError(
            f"{path.name} could not be read as CSV ({exc}); open it in Excel and save it as "
            "'CSV UTF-8' or Excel (.xlsx)."
        ) from exc
    return Grid(rows=rows, kind="csv", encoding=decoded.encoding, delimiter=delimiter)


def _sniff_delimiter(text: str) -> str:
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first_line = sample.split("\n", 1)[0]
        counts = {d: first_line.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _read_xlsx(path: Path, sheet: str | None) -> Grid:
    from openpyxl import load_workbook

    handle = path.open("rb")  # a file object: openpyxl then ignores a misleading extension
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        handle.close()
        raise ExportError(
            f"{path.name} is damaged or not a real Excel file; open it in Excel and save it "
            "again as .xlsx, or export CSV from the survey tool."
        ) from exc
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for broken files
        handle.close()
        raise ExportError(
            f"{path.name} could not be opened as an Excel workbook ({type(exc).__name__}); save "
            "it again from Excel as .xlsx, or export CSV."
        ) from exc
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            names = ", ".join(f"'{n}'" for n in workbook.sheetnames)
            raise ExportError(f"{path.name} has no sheet '{sheet}'; its sheets are {names}.")
        rows = [[_cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
        title = worksheet.title
    except ExportError:
        raise
    except Exception as exc:  # noqa: BLE001 - truncated archives fail while reading rows
        raise ExportError(
            f"{path.name} is damaged (it could not be read to the end); open it in Excel and save "
            "it again, or export the responses again."
        ) from exc
    finally:
        workbook.close()
        handle.close()
    return Grid(rows=rows, kind="xlsx", sheet=title)


def _cell_text(value: object) -> str:
    """A cell value as the text Excel would show for it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.strftime("%Y-%m-%d %H:%M:%S")
            if value.time() != time(0)
            else value.strftime("%Y-%m-%d")
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
