"""Writing counts and percentages, with small numbers suppressed, the same way on every sheet."""

from __future__ import annotations

from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.report.workbook import BODY_FONT
from sendconsult.suppression import suppressed_label

RIGHT = Alignment(horizontal="right", vertical="top")
PERCENT = "0.0%"
COUNT = "#,##0"


def write_count(
    sheet: Worksheet, row: int, column: int, count: int, *, hidden: bool, threshold: int
) -> None:
    cell = sheet.cell(row=row, column=column)
    if hidden:
        cell.value = suppressed_label(threshold)
        cell.data_type = "s"
    else:
        cell.value = int(count)
        cell.number_format = COUNT
    cell.font = BODY_FONT
    cell.alignment = RIGHT


def write_share(
    sheet: Worksheet, row: int, column: int, share: float, *, hidden: bool, threshold: int
) -> None:
    cell = sheet.cell(row=row, column=column)
    if hidden:
        cell.value = suppressed_label(threshold)
        cell.data_type = "s"
    else:
        cell.value = float(share)
        cell.number_format = PERCENT
    cell.font = BODY_FONT
    cell.alignment = RIGHT
