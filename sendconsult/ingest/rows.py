"""Data rows as an officer would count them: cleaned, one cell per header, blank rows dropped.

Each kept row remembers its spreadsheet row number, so a warning or a report can point at the
row the officer sees when they open the export in Excel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sendconsult.ingest.cleaning import clean_cell
from sendconsult.ingest.layouts import LayoutResult


@dataclass
class Rows:
    """Cleaned data rows, their spreadsheet row numbers, and what was noticed on the way."""

    cells: list[list[str]]
    numbers: list[int]
    warnings: list[str] = field(default_factory=list)

    def column(self, index: int) -> list[str]:
        """One column's cells, top to bottom."""
        return [row[index] for row in self.cells]


def tidy_rows(layout: LayoutResult) -> Rows:
    """Clean every cell, pad short rows, report long and blank rows, and drop blank rows.

    Blank rows after the last response are dropped silently: Excel leaves them behind when
    cells were formatted, and they are not rows anyone typed. `layout.combined` and
    `layout.other_text` are narrowed to the kept rows too.
    """
    width = len(layout.headers)
    last = max((i for i, row in enumerate(layout.rows) if any(c.strip() for c in row)), default=-1)
    kept: list[int] = []
    cells: list[list[str]] = []
    blank: list[int] = []
    long_rows: list[int] = []
    for offset, row in enumerate(layout.rows[: last + 1]):
        number = layout.first_data_row + offset
        if any(c.strip() for c in row[width:]):
            long_rows.append(number)
        cleaned = [clean_cell(c) for c in row[:width]]
        cleaned += [""] * (width - len(cleaned))
        if not any(cleaned):
            blank.append(number)
            continue
        kept.append(offset)
        cells.append(cleaned)
    _narrow(layout, kept)
    rows = Rows(cells, [layout.first_data_row + k for k in kept])
    if blank:
        rows.warnings.append(
            f"{len(blank)} blank {_plural(len(blank), 'row was', 'rows were')} skipped "
            f"({row_list(blank)})."
        )
    if long_rows:
        rows.warnings.append(
            f"{len(long_rows)} {_plural(len(long_rows), 'row has', 'rows have')} more cells than "
            f"there are column headings ({row_list(long_rows)}); the extra cells were ignored, so "
            "check those rows in the export for stray separators."
        )
    return rows


def _narrow(layout: LayoutResult, kept: list[int]) -> None:
    for header, lists in layout.combined.items():
        layout.combined[header] = [lists[k] for k in kept]
    for header, texts in layout.other_text.items():
        layout.other_text[header] = [texts[k] for k in kept]


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def row_list(numbers: list[int], limit: int = 8) -> str:
    """'row 6' or 'rows 6, 9 and 12', shortened with the count of the rest."""
    if len(numbers) == 1:
        return f"row {numbers[0]}"
    shown = [str(n) for n in numbers[:limit]]
    if len(numbers) > limit:
        return f"rows {', '.join(shown)} and {len(numbers) - limit} more"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"
