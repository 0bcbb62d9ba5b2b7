"""Data rows as an officer would count them: cleaned, one cell per header, blank rows dropped.

Each kept row remembers its spreadsheet row number, so a warning or a report can point at the
row the officer sees when they open the export in Excel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sendconsult.ingest.cleaning import clean_column
from sendconsult.ingest.layouts import LayoutResult


@dataclass
class Rows:
    """Cleaned data rows, held column by column, their spreadsheet row numbers, and what was
    noticed on the way."""

    columns: list[list[str]]  # one list per header, each as long as `numbers`
    numbers: list[int]
    warnings: list[str] = field(default_factory=list)

    def column(self, index: int) -> list[str]:
        """One column's cells, top to bottom (the list itself: do not change it)."""
        return self.columns[index]


def tidy_rows(layout: LayoutResult) -> Rows:
    """Clean every cell, pad short rows, report long and blank rows, and drop blank rows.

    Blank rows after the last response are dropped silently: Excel leaves them behind when
    cells were formatted, and they are not rows anyone typed. `layout.combined` and
    `layout.other_text` are narrowed to the kept rows too. Cells are cleaned a column at a
    time, each distinct value once (see `clean_column`).
    """
    width = len(layout.headers)
    data = layout.rows[: _last_filled(layout.rows) + 1]
    first = layout.first_data_row
    long_rows = [
        first + offset
        for offset, row in enumerate(data)
        if len(row) > width and any(c.strip() for c in row[width:])
    ]
    fitted = [row if len(row) == width else _fit(row, width) for row in data]
    columns = [clean_column(cells) for cells in zip(*fitted, strict=True)] if fitted else []
    if not columns:
        columns = [[] for _ in range(width)]
    blank = _blank_offsets(columns, len(data))
    kept = list(range(len(data)))
    if blank:
        dropped = set(blank)
        kept = [k for k in kept if k not in dropped]
        columns = [[cells[k] for k in kept] for cells in columns]
    _narrow(layout, kept)  # also drops the blank rows after the last response
    rows = Rows(columns, [first + k for k in kept])
    if blank:
        numbers = [first + b for b in blank]
        rows.warnings.append(
            f"{len(numbers)} blank {_plural(len(numbers), 'row was', 'rows were')} skipped "
            f"({row_list(numbers)})."
        )
    if long_rows:
        rows.warnings.append(
            f"{len(long_rows)} {_plural(len(long_rows), 'row has', 'rows have')} more cells than "
            f"there are column headings ({row_list(long_rows)}); the extra cells were ignored, so "
            "check those rows in the export for stray separators."
        )
    return rows


def _last_filled(rows: list[list[str]]) -> int:
    """The index of the last row with a non-blank cell, -1 if there is none."""
    for index in range(len(rows) - 1, -1, -1):
        if any(c.strip() for c in rows[index]):
            return index
    return -1


def _fit(row: list[str], width: int) -> list[str]:
    """A row cut or padded with blanks to the header's width."""
    return row[:width] + [""] * (width - len(row))


def _blank_offsets(columns: list[list[str]], n_rows: int) -> list[int]:
    """The rows whose cleaned cells are all empty, found a column at a time."""
    if not columns:
        return list(range(n_rows))
    blank = [i for i, cell in enumerate(columns[0]) if not cell]
    for cells in columns[1:]:
        if not blank:
            break
        blank = [i for i in blank if not cells[i]]
    return blank


def _narrow(layout: LayoutResult, kept: list[int]) -> None:
    for header, lists in layout.combined.items():
        layout.combined[header] = [lists[k] for k in kept]
    for header, texts in layout.other_text.items():
        layout.other_text[header] = [texts[k] for k in kept]


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def row_list(numbers: list[int], limit: int = 8, noun: str = "row") -> str:
    """'row 6' or 'rows 6, 9 and 12' (or lines), shortened with the count of the rest."""
    if len(numbers) == 1:
        return f"{noun} {numbers[0]}"
    shown = [str(n) for n in numbers[:limit]]
    if len(numbers) > limit:
        return f"{noun}s {', '.join(shown)} and {len(numbers) - limit} more"
    return f"{noun}s {', '.join(shown[:-1])} and {shown[-1]}"
