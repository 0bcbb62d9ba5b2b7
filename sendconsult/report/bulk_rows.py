"""Writing a sheet's many table rows fast: openpyxl lays the sheet out, the rows are streamed in.

A report on 100,000 responses has a Coding sheet of well over a million cells. openpyxl
creates an object per cell and writes each through an XML serializer (about 7 µs a cell even
in write-only mode: most of the run's time); XlsxWriter measured no faster. So openpyxl builds
everything that needs its care (titles, headers, styles, the Excel table, frozen panes, widths,
charts) and the first body row of each large sheet, which registers that row's cell styles.
The remaining rows are then written straight into the saved file's sheet XML, each cell with
the style of its column in that first row. Text is always an inline string, never a formula,
whatever it starts with; control characters Excel rejects are removed first.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple
from xml.etree import ElementTree

from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.report.workbook import clean_text, line_height, text_lines


class Marked(NamedTuple):
    """A cell value written with another style than its column's (e.g. an officer's override)."""

    value: str | int | float
    style: int


CellValue = str | int | float | CellRichText | Marked | None

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ROWS_PER_WRITE = 2_000
_DISTINCT_KEPT = 20_000  # distinct values a column remembers the XML of


@dataclass
class BulkRows:
    """`n_rows` rows to stream into `sheet` after it is saved, from row `first_row` on.

    `styles` are the style ids of the sheet's template row, one per column; `wrap_widths`
    gives, for wrapped columns (1-based), the column width used to estimate row heights.
    """

    sheet: str
    first_row: int
    n_rows: int
    rows: Iterable[Sequence[CellValue]]
    styles: list[int]
    wrap_widths: dict[int, float] | None = None

    @property
    def n_columns(self) -> int:
        return len(self.styles)

    @property
    def last_row(self) -> int:
        return self.first_row + self.n_rows - 1


def register_style(
    sheet: Worksheet,
    *,
    fill: PatternFill,
    wrap: bool = False,
    number_format: str | None = None,
) -> int:
    """The id of a cell style for `Marked` values (body font, top-aligned, with `fill`).

    openpyxl registers a style only when a cell uses it, so a scratch cell is styled beyond the
    sheet's content and removed again: the sheet must hold nothing but its tables.
    """
    from sendconsult.report.workbook import BODY_FONT, TOP, WRAP

    probe = sheet.cell(row=1, column=sheet.max_column + 3)
    probe.fill = fill
    probe.font = BODY_FONT
    probe.alignment = WRAP if wrap else TOP
    if number_format:
        probe.number_format = number_format
    style = probe.style_id
    del sheet._cells[(probe.row, probe.column)]  # openpyxl keeps cells in this dict
    return style


def template_styles(sheet: Worksheet, row: int, n_columns: int) -> list[int]:
    """The style id of each cell in a row written with openpyxl (registering them)."""
    return [sheet.cell(row=row, column=c).style_id for c in range(1, n_columns + 1)]


def inject(source: Path, target: Path, bulk: Sequence[BulkRows]) -> None:
    """Copy the saved workbook `source` to `target`, streaming the bulk rows into their sheets."""
    with (
        zipfile.ZipFile(source) as zin,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout,
    ):
        paths = _sheet_paths(zin)
        by_path = {paths[b.sheet]: b for b in bulk}
        for info in zin.infolist():
            data = zin.read(info)
            rows = by_path.get(info.filename)
            if rows is None:
                zout.writestr(info, data, compresslevel=6)
                continue
            head, tail = _split_sheet(data)
            with zout.open(info.filename, "w", force_zip64=True) as handle:
                _write_in_background(
                    handle,
                    _chunks(_with_dimension(head, rows.n_columns, rows.last_row), rows, tail),
                )


def _chunks(head: bytes, rows: BulkRows, tail: bytes) -> Iterator[bytes]:
    """A sheet's XML in pieces of `_ROWS_PER_WRITE` rows."""
    yield head
    pieces: list[str] = []
    for xml in _rows_xml(rows):
        pieces.append(xml)
        if len(pieces) >= _ROWS_PER_WRITE:
            yield "".join(pieces).encode("utf-8")
            pieces.clear()
    yield "".join(pieces).encode("utf-8")
    yield tail


def _write_in_background(handle: IO[bytes], chunks: Iterator[bytes]) -> None:
    """Write `chunks` in order from another thread: zlib compresses without holding Python's
    lock, so the next rows are built meanwhile (a few chunks are held at most)."""
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending: deque[Future[int]] = deque()
        for chunk in chunks:
            pending.append(writer.submit(handle.write, chunk))
            if len(pending) > 2:
                pending.popleft().result()
        for done in pending:
            done.result()


def _with_dimension(head: bytes, n_columns: int, last_row: int) -> bytes:
    """The sheet's `<dimension>` widened to cover the streamed rows."""
    match = re.search(rb'<dimension ref="[^"]*?(\d+)"\s*/>', head)
    if match is None:
        return head
    last_row = max(last_row, int(match.group(1)))
    ref = f"A1:{get_column_letter(max(1, n_columns))}{max(1, last_row)}"
    return head[: match.start()] + f'<dimension ref="{ref}"/>'.encode() + head[match.end() :]


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> path of its XML inside the package."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_RELS}Relationship")}
    paths: dict[str, str] = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets[sheet.get(f"{_RELS}id")]
        paths[sheet.get("name", "")] = (
            target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        )
    return paths


def _split_sheet(data: bytes) -> tuple[bytes, bytes]:
    """The sheet XML before and from `</sheetData>` (an empty `<sheetData/>` is opened)."""
    if b"</sheetData>" in data:
        at = data.index(b"</sheetData>")
        return data[:at], data[at:]
    at = data.index(b"<sheetData")
    end = data.index(b"/>", at) + 2
    return data[:at] + b"<sheetData>", b"</sheetData>" + data[end:]


def _rows_xml(bulk: BulkRows) -> Iterator[str]:
    """Each row's XML. A cell is `<c r="` + column letter, the row number, then the rest of its
    XML, which depends only on its column and value: that rest is built once per distinct text
    or number of a column (group names, theme lists, 0/1 codes repeat across a sheet)."""
    letters = [get_column_letter(c) for c in range(1, bulk.n_columns + 1)]
    styles = [f' s="{s}"' if s else "" for s in bulk.styles]
    heads = [f'<c r="{letter}' for letter in letters]
    numbers: list[dict[int, str]] = [{} for _ in letters]
    texts: list[dict[str, str]] = [{} for _ in letters]
    wrap = sorted((bulk.wrap_widths or {}).items())
    lines_of: dict[tuple[int, str], int] = {}
    for number, values in zip(range(bulk.first_row, bulk.last_row + 1), bulk.rows, strict=True):
        row = str(number)
        parts: list[str] = []
        for column, value in enumerate(values):
            kind = type(value)
            if kind is int:  # a million 0/1 codes in a large report
                known = numbers[column]
                rest = known.get(value)
                if rest is None:
                    rest = known[value] = f'"{styles[column]} t="n"><v>{value}</v></c>'
            elif kind is str:
                if not value:
                    continue
                known_text = texts[column]
                rest = known_text.get(value)
                if rest is None:
                    rest = f'"{styles[column]} t="inlineStr"><is>{_t(value)}</is></c>'
                    if len(known_text) < _DISTINCT_KEPT:
                        known_text[value] = rest
            elif kind is Marked:
                parts.append(
                    _cell_xml(f"{letters[column]}{row}", f' s="{value.style}"', value.value)
                )
                continue
            elif value is None:
                continue
            else:
                parts.append(_cell_xml(f"{letters[column]}{row}", styles[column], value))
                continue
            parts += (heads[column], row, rest)
        height = _height(values, wrap, lines_of) if wrap else None
        attrs = f' ht="{height}" customHeight="1"' if height else ""
        yield f'<row r="{row}"{attrs}>{"".join(parts)}</row>'


def _cell_xml(ref: str, style: str, value: CellValue) -> str:
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return f'<c r="{ref}"{style} t="inlineStr"><is><t></t></is></c>'
        return f'<c r="{ref}"{style} t="n"><v>{value!r}</v></c>'
    if isinstance(value, CellRichText):
        return f'<c r="{ref}"{style} t="inlineStr"><is>{_runs(value)}</is></c>'
    return f'<c r="{ref}"{style} t="inlineStr"><is>{_t(str(value))}</is></c>'


def _t(text: str) -> str:
    text = clean_text(text)
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<t xml:space="preserve">{text}</t>'


def _runs(rich: CellRichText) -> str:
    parts = []
    for block in rich:
        if isinstance(block, TextBlock):
            parts.append(f"<r>{_font(block)}{_t(block.text)}</r>")
        else:
            parts.append(f"<r>{_t(str(block))}</r>")
    return "".join(parts)


def _font(block: TextBlock) -> str:
    font = block.font
    props = []
    if font.rFont:
        props.append(f'<rFont val="{font.rFont}"/>')
    if font.b:
        props.append("<b/>")
    if font.i:
        props.append("<i/>")
    if font.color is not None and font.color.rgb:
        props.append(f'<color rgb="{font.color.rgb}"/>')
    if font.sz:
        props.append(f'<sz val="{font.sz}"/>')
    return f"<rPr>{''.join(props)}</rPr>" if props else ""


def _height(
    values: Sequence[CellValue],
    wrap: list[tuple[int, float]],
    lines_of: dict[tuple[int, str], int],
) -> float | None:
    """Row height for wrapped text (Excel and LibreOffice do not grow rows themselves): as
    `row_height_for` reckons it, each repeated text of a column measured once."""
    needed = 1
    for column, width in wrap:
        if column > len(values):
            continue
        value = values[column - 1]
        if type(value) is Marked:  # measured by its text, not by the wrapper's
            value = value.value
        if value is None or value == "":
            continue
        if type(value) is str:
            lines = lines_of.get((column, value))
            if lines is None:
                lines = text_lines(value, width)
                if len(lines_of) < _DISTINCT_KEPT:
                    lines_of[(column, value)] = lines
        else:
            lines = text_lines(str(value), width)
        if lines > needed:
            needed = lines
    return line_height(needed)


ColumnKind = str  # "text", "wrap" (wrapped text), "number", "rich" (highlighted text)


def stream_table(
    sheet: Worksheet,
    *,
    header_row: int,
    headers: list[str],
    kinds: list[ColumnKind],
    widths: dict[int, float],
    table_name: str,
    rows: Iterator[Sequence[CellValue]],
    n_rows: int,
    repeat_header: bool = True,
) -> BulkRows | None:
    """A table of `n_rows` rows under `headers`: openpyxl writes the header, the Excel table
    and the first row; the other rows are returned to be streamed when the workbook is saved."""
    from sendconsult.report.workbook import (
        BODY_FONT,
        TOP,
        add_table,
        set_rich,
        set_text,
        set_widths,
        write_header,
    )

    write_header(sheet, header_row, headers)
    add_table(
        sheet,
        table_name,
        header_row,
        header_row + max(1, n_rows),
        len(headers),
        repeat_header=repeat_header,
    )
    set_widths(sheet, widths)
    first = next(rows, None)
    if first is None:
        return None
    marked: dict[int, int] = {}
    for column, (value, kind) in enumerate(zip(first, kinds, strict=True), start=1):
        cell = sheet.cell(row=header_row + 1, column=column)
        if isinstance(value, Marked):
            marked[column], value = value.style, value.value
        if kind == "rich" and isinstance(value, CellRichText):
            set_rich(cell, value)
        elif kind == "number" and isinstance(value, int | float):
            cell.value = value
            cell.font = BODY_FONT
            cell.alignment = TOP
        else:
            set_text(cell, "" if value is None else str(value), wrap=kind in ("wrap", "rich"))
    wrapped = {c: widths.get(c, 10) for c, k in enumerate(kinds, start=1) if k in ("wrap", "rich")}
    styles = template_styles(sheet, header_row + 1, len(headers))
    for column, style in marked.items():  # the first row's own marks, after reading styles
        cell = sheet.cell(row=header_row + 1, column=column)
        cell._style = copy(sheet.parent._cell_styles[style])  # openpyxl keeps styles by id
    return BulkRows(sheet.title, header_row + 2, n_rows - 1, rows, styles, wrapped or None)
