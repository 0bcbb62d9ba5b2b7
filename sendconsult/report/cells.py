"""Writing counts and percentages, with small numbers suppressed, the same way on every sheet."""

from __future__ import annotations

from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.report.workbook import BODY_FONT
from sendconsult.suppression import SECONDARY_LABEL, suppressed_label

RIGHT = Alignment(horizontal="right", vertical="top")
PERCENT = "0.0%"
COUNT = "#,##0"


def write_count(
    sheet: Worksheet,
    row: int,
    column: int,
    count: int,
    *,
    hidden: bool,
    threshold: int,
    secondary: bool = False,
) -> None:
    """A count, or, hidden, "<threshold" (a small number) or "[c]" (`secondary`: a number
    hidden so that a small one cannot be worked out from a total)."""
    cell = sheet.cell(row=row, column=column)
    if hidden:
        cell.value = SECONDARY_LABEL if secondary else suppressed_label(threshold)
        cell.data_type = "s"
    else:
        cell.value = int(count)
        cell.number_format = COUNT
    cell.font = BODY_FONT
    cell.alignment = RIGHT


def write_share(
    sheet: Worksheet,
    row: int,
    column: int,
    share: float,
    *,
    hidden: bool,
    threshold: int,
    secondary: bool = False,
) -> None:
    """A share as %, hidden with its count, labelled as write_count labels it."""
    cell = sheet.cell(row=row, column=column)
    if hidden:
        cell.value = SECONDARY_LABEL if secondary else suppressed_label(threshold)
        cell.data_type = "s"
    else:
        cell.value = float(share)
        cell.number_format = PERCENT
    cell.font = BODY_FONT
    cell.alignment = RIGHT
