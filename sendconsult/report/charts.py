"""Charts that plot only published numbers.

A chart drawn from a table with suppressed cells would plot "<5" and "[c]" as zero (or as
nothing, so a 100%-stacked bar fills up with the cells that are shown). Every chart here reads
a block of plain numbers written beside it, holding only figures the tables publish, and a
note under it names what was left out.
"""

from __future__ import annotations

import textwrap

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.report.cells import COUNT, PERCENT, RIGHT
from sendconsult.report.workbook import (
    BODY_FONT,
    NOTE_FONT,
    clean_text,
    set_text,
    write_header,
    write_section,
)

ROW_CM = 0.53  # the height of a default row, to leave room for a chart beside a block


def small_axis_text(chart: BarChart, size: int = 8) -> None:
    """Axis labels at `size` points, so long group names and questions stay legible."""
    for axis in (chart.x_axis, chart.y_axis):
        properties = CharacterProperties(sz=size * 100)
        axis.txPr = RichText(
            p=[Paragraph(pPr=ParagraphProperties(defRPr=properties), endParaRPr=properties)]
        )


def chart_title(text: str, width: int = 60) -> str:
    """A whole question as a chart title, wrapped on word boundaries (never cut)."""
    text = clean_text(text)
    return "\n".join(textwrap.wrap(" ".join(text.split()), width)) or text


def bar_block(
    sheet: Worksheet,
    row: int,
    *,
    title: str,
    headers: tuple[str, str],
    categories: list[str],
    values: list[float],
    left_out: list[str],
    percent: bool,
    chart_column: str = "D",
    left_out_reason: str,
) -> int:
    """A section title, a two-column table of published numbers, a bar chart of exactly those
    cells beside it, and a note naming the categories left out; returns the next free row."""
    write_section(sheet, row, title)
    header_row = row + 1
    write_header(sheet, header_row, list(headers))
    for i, (category, value) in enumerate(zip(categories, values, strict=True), start=1):
        set_text(sheet.cell(row=header_row + i, column=1), category)
        cell = sheet.cell(row=header_row + i, column=2)
        cell.value = float(value) if percent else int(value)
        cell.number_format = PERCENT if percent else COUNT
        cell.font, cell.alignment = BODY_FONT, RIGHT
    last = header_row + len(categories)
    note_row = last + 2  # a blank row: the note is not part of the table
    if left_out:
        set_text(
            sheet.cell(row=note_row, column=1),
            f"Not in the chart ({left_out_reason}): {', '.join(left_out)}.",
            wrap=True,
        )
        sheet.cell(row=note_row, column=1).font = NOTE_FONT
    height = max(5.0, 0.85 * len(categories) + 2.5)
    if categories:
        chart = BarChart()
        chart.type = "bar"
        chart.style = 10
        chart.title = chart_title(title, 50)
        chart.legend = None
        chart.y_axis.majorGridlines = None
        chart.y_axis.number_format = "0%" if percent else "#,##0"
        chart.y_axis.scaling.min = 0
        chart.add_data(
            Reference(sheet, min_col=2, min_row=header_row, max_row=last), titles_from_data=True
        )
        chart.set_categories(Reference(sheet, min_col=1, min_row=header_row + 1, max_row=last))
        chart.x_axis.scaling.orientation = "maxMin"  # first category at the top, as listed
        chart.height = height
        chart.width = 20
        small_axis_text(chart)
        sheet.add_chart(chart, f"{chart_column}{row}")
    rows_used = max(note_row - row + 1, int(height / ROW_CM) + 1)
    return row + rows_used + 1
