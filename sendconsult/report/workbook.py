"""Workbook plumbing shared by every sheet: safe text, sheet names, tables, widths, heights.

Respondents' text is untrusted: anything starting with = + - @ would become a formula if
openpyxl were left to guess, and characters XML forbids make Excel, LibreOffice and openpyxl
refuse the whole file. Every string written into a workbook therefore goes through `clean_text`
(`set_text` and `set_rich` call it).
"""

from __future__ import annotations

import math
import re
import weakref

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

EXCEL_CELL_LIMIT = 32_767
SHEET_NAME_LIMIT = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

TITLE_FONT = Font(name="Arial", size=14, bold=True, color="1F3864")
NOTE_FONT = Font(name="Arial", size=9, italic=True, color="595959")
HEADER_FONT = Font(name="Arial", size=10, bold=True, color="FFFFFF")
LABEL_FONT = Font(name="Arial", size=10, bold=True, color="000000")
SUBTITLE_FONT = Font(name="Arial", size=12, bold=True, color="1F3864")
SECTION_FONT = Font(name="Arial", size=11, bold=True, color="1F3864")
BODY_FONT = Font(name="Arial", size=10)
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HIGHLIGHT_COLOUR = "C00000"
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
TABLE_STYLE = "TableStyleMedium2"


# Vertical tab and form feed separate words: removing them would glue the words together.
_WORD_BREAKS = re.compile("[\v\f]")
# What XML 1.0 forbids (C0 controls other than tab, line feed and carriage return; lone
# surrogates; U+FFFE and U+FFFF) and the other Unicode noncharacters, which Excel also rejects.
_UNSAFE = re.compile(
    "[\x00-\x08\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(p + 0xFFFE)}{chr(p + 0xFFFF)}" for p in range(0x10000, 0x110000, 0x10000))
    + "]"
)
_TO_CLEAN = re.compile("[\v\f" + _UNSAFE.pattern[1:])  # either of the two, in one class
REPLACEMENT = "\ufffd"  # "�": shows the reader that a character was there


def clean_text(value: str, limit: int = EXCEL_CELL_LIMIT) -> str:
    """Text every spreadsheet program opens, within `limit` characters (the cell limit; less
    where the cell holds more than this text), marked if cut.

    Vertical tab and form feed become spaces; characters XML forbids and noncharacters become
    "\ufffd", so nothing disappears unseen. The one function for every string we write."""
    text = value
    # A report writes a million strings: most are printable, which Python tells far faster
    # than the pattern (no character it flags is printable); only the others are searched.
    if not text.isprintable() and _TO_CLEAN.search(text):
        text = _UNSAFE.sub(REPLACEMENT, _WORD_BREAKS.sub(" ", text))
    if len(text) > limit:
        marker = f" … [truncated: {len(text):,} characters in full]"
        text = text[: limit - len(marker)] + marker
    return text


def set_text(cell: Cell, value: str | None, *, wrap: bool = False) -> None:
    """Write a string that stays a string, whatever it starts with."""
    cell.value = clean_text(value or "")
    cell.data_type = "s"
    cell.font = BODY_FONT
    cell.alignment = WRAP if wrap else TOP


def write_section(sheet: Worksheet, row: int, title: str, *, wrap: bool = False) -> None:
    """A section's title in column A, in the section font."""
    cell = sheet.cell(row=row, column=1)
    set_text(cell, title, wrap=wrap)
    cell.font = SECTION_FONT


def set_rich(cell: Cell, value: CellRichText) -> None:
    """Write rich text (runs of differing fonts), each run cleaned as `clean_text` does."""
    cell.value = CellRichText(
        *(
            TextBlock(block.font, clean_text(block.text))
            if isinstance(block, TextBlock)
            else clean_text(str(block))
            for block in value
        )
    )
    cell.alignment = WRAP


def safe_sheet_name(label: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name from a label: <= 31 chars, none of []:*?/\\, cut at
    a word boundary (never mid-word) and unique case-insensitively."""
    name = _BAD_SHEET_CHARS.sub("-", clean_text(label)).strip().strip("'").strip() or "Theme"
    candidate = shorten(name, SHEET_NAME_LIMIT)
    number = 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f" ({number})"
        candidate = shorten(name, SHEET_NAME_LIMIT - len(suffix)) + suffix
        number += 1
    taken.add(candidate)
    return candidate


_DANGLING = {"and", "or", "of", "the", "to", "for", "in", "with", "a", "an", "&", "-"}


def shorten(name: str, limit: int) -> str:
    """`name` in at most `limit` characters, cut after a whole word, without a dangling
    'and', 'of' or punctuation; a single over-long word is cut at the limit."""
    if len(name) <= limit:
        return name.rstrip().rstrip("'")
    words = name[: limit + 1].split(" ")
    words = words[:-1] if len(words) > 1 else [name[:limit]]
    while len(words) > 1 and words[-1].lower().strip(",;.-") in _DANGLING | {""}:
        words.pop()
    return " ".join(words).rstrip(" ,;.-'") or name[:limit]


def write_title(sheet: Worksheet, title: str, note: str) -> int:
    """A bold title row and a one-line explanation; returns the next free row."""
    set_text(sheet.cell(row=1, column=1), title)
    sheet.cell(row=1, column=1).font = TITLE_FONT
    set_text(sheet.cell(row=2, column=1), note)
    sheet.cell(row=2, column=1).font = NOTE_FONT
    sheet.row_dimensions[1].height = 22
    return 4


def write_header(sheet: Worksheet, row: int, headers: list[str]) -> None:
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=column)
        set_text(cell, header, wrap=True)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL


def add_table(
    sheet: Worksheet,
    name: str,
    first_row: int,
    last_row: int,
    n_columns: int,
    *,
    repeat_header: bool = True,
) -> None:
    """Make a header + body range an Excel Table (filters, banding) and freeze its header;
    with `repeat_header` (sheets holding one long table) its header is printed on every page.

    The columns are named here from the header row: left to itself, openpyxl reads the whole
    range to find them, making a cell object for every position of a 100,000-row table.
    """
    last_row = max(last_row, first_row + 1)
    ref = f"A{first_row}:{get_column_letter(n_columns)}{last_row}"
    taken = _table_names.setdefault(sheet.parent, set())
    if name.casefold() in taken:
        raise ValueError(f"Table with name {name} already exists")
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    table._initialise_columns()
    for column, table_column in enumerate(table.tableColumns, start=1):
        value = sheet.cell(row=first_row, column=column).value
        table_column.name = str(value) if value not in (None, "") else f"Column{column}"
    # Not sheet.add_table, which compares the name with every table of the workbook: a
    # report with thousands of closed questions spent minutes on that. Names are checked above.
    taken.add(name.casefold())
    sheet._tables.add(table)
    sheet.freeze_panes = sheet.cell(row=first_row + 1, column=1)
    if repeat_header:
        sheet.print_title_rows = f"{first_row}:{first_row}"


# The table names of each workbook being written (Excel requires them unique in a workbook).
_table_names: weakref.WeakKeyDictionary[Workbook, set[str]] = weakref.WeakKeyDictionary()


def merge_title(sheet: Worksheet, row: int, last_column: int) -> None:
    """Merge a title cell across columns 1 to `last_column`.

    Like sheet.merge_cells, without its comparison with every merged range of the sheet, which
    made a sheet of thousands of titles take minutes; these ranges are on rows of their own.
    """
    merged = MergedCellRange(sheet, f"A{row}:{get_column_letter(last_column)}{row}")
    sheet.merged_cells.ranges.add(merged)
    sheet._clean_merge_range(merged)


def set_widths(sheet: Worksheet, widths: dict[int, float]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def page_setup(sheet: Worksheet) -> None:
    """Landscape, fit to one page wide, for committee papers."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = False


INTERNAL_MARK = "INTERNAL - NOT FOR PUBLICATION"
INTERNAL_TAB = "C00000"


def print_header(sheet: Worksheet, title: str, *, internal: bool = False) -> None:
    """Every printed page names the consultation and says "Page N of M"; an internal sheet
    says so on every page and has a red tab."""
    name = clean_text(title, limit=120).replace("&", "&&")
    left = f"{INTERNAL_MARK}: {name}" if internal else name
    for header_footer in (sheet.oddHeader, sheet.evenHeader, sheet.firstHeader):
        header_footer.left.text = left
        header_footer.left.size = 9
        if internal:
            header_footer.left.font = "Arial,Bold"
            header_footer.left.color = INTERNAL_TAB
        header_footer.right.text = "&A"
        header_footer.right.size = 9
    for header_footer in (sheet.oddFooter, sheet.evenFooter, sheet.firstFooter):
        header_footer.center.text = "Page &P of &N"
        header_footer.center.size = 9
    if internal:
        sheet.sheet_properties.tabColor = INTERNAL_TAB


LINE_HEIGHT = 13.0
MAX_LINES = 30


def row_height_for(texts: dict[int, str], widths: dict[int, float]) -> float | None:
    """The height a row needs for its wrapped texts (by column), or None for one line.

    Lines are estimated from each text and its column's width.
    """
    lines_needed = 1
    for column, text in texts.items():
        lines_needed = max(lines_needed, text_lines(text, widths.get(column, 10)))
    return line_height(lines_needed)


def text_lines(text: str, width: float) -> int:
    """The lines a text wraps to in a column `width` wide (at least one per line break)."""
    chars_per_line = max(1.0, width * 1.15)
    return sum(max(1, math.ceil(len(part) / chars_per_line)) for part in text.split("\n"))


def line_height(lines: int) -> float | None:
    """The height of a row of `lines` lines of wrapped text (None for one line)."""
    if lines <= 1:
        return None
    return LINE_HEIGHT * min(lines, MAX_LINES) + 2


def fit_row_heights(sheet: Worksheet) -> None:
    """Set row heights for wrapped text: Excel and LibreOffice do not grow rows openpyxl wrote."""
    widths: dict[int, float] = {}
    merged_starts = {str(r).split(":")[0] for r in sheet.merged_cells.ranges}
    for row in sheet.iter_rows():
        texts: dict[int, str] = {}
        for cell in row:
            if cell.value is None or not (cell.alignment and cell.alignment.wrap_text):
                continue
            if cell.coordinate in merged_starts:
                continue
            column = cell.column
            if column not in widths:
                widths[column] = sheet.column_dimensions[cell.column_letter].width or 10
            texts[column] = str(cell.value)
        height = row_height_for(texts, widths) if texts else None
        if height:
            sheet.row_dimensions[row[0].row].height = height
