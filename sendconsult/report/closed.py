"""The Closed questions sheet: answers to each agree/disagree question, overall and by group."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.report.cells import write_count, write_share
from sendconsult.report.content import ReportContent
from sendconsult.report.workbook import (
    SECTION_FONT,
    add_table,
    clean_text,
    merge_title,
    page_setup,
    set_text,
    set_widths,
    write_header,
    write_title,
)
from sendconsult.suppression import SECONDARY_LABEL, secondary, suppress_by_group


def write(sheet: Worksheet, content: ReportContent) -> None:
    """Per question: a counts table, a % table (same cells suppressed) and a stacked bar chart."""
    agg = content.aggregates
    threshold = content.options.suppression_threshold
    row = write_title(
        sheet,
        "Closed questions",
        "Answers to each closed question: counts, then % of each column's respondents. A respondent "
        "in two groups counts in both."
        + (
            f" Numbers from 1 to {threshold - 1} are shown as <{threshold}, and so are their %; "
            f"{SECONDARY_LABEL} is a number hidden so that one below {threshold} cannot be worked "
            "out from a total."
            if threshold > 1
            else ""
        ),
    )
    if not agg.closed:
        set_text(sheet.cell(row=row, column=1), "The export has no closed questions.")
        return
    widest = 0
    breaks: list[Break] = []  # set once at the end: openpyxl copies the list on every append
    for number, question in enumerate(agg.closed, start=1):
        if number > 1:
            breaks.append(Break(id=row - 1))  # each question starts a page
        set_text(sheet.cell(row=row, column=1), question.question, wrap=True)
        sheet.cell(row=row, column=1).font = SECTION_FONT
        merge_title(sheet, row, 8)
        sheet.row_dimensions[row].height = 30
        row += 1
        columns = list(question.counts.columns)
        sizes = question.counts.sum()
        widest = max(widest, len(columns) + 1)
        hidden = suppress_by_group(
            question.counts, threshold, total=columns[0], sizes=sizes, columns_add_up=True
        )  # columns[0] is All; groups add up to it when each respondent is in one group
        second = secondary(question.counts, hidden, threshold)  # not small: not "<5"
        for block, kind in ((0, "count"), (1, "%")):
            header_row = row
            write_header(
                sheet,
                header_row,
                [
                    "Answer" if kind == "count" else "Answer (%)",
                    *[f"{c} (n={int(sizes[c]):,})" for c in columns],
                ],
            )
            for i, answer in enumerate(question.counts.index, start=1):
                set_text(sheet.cell(row=header_row + i, column=1), answer)
                for j, column in enumerate(columns, start=2):
                    shown = {
                        "hidden": bool(hidden.at[answer, column]),
                        "threshold": threshold,
                        "secondary": bool(second.at[answer, column]),
                    }
                    if kind == "count":
                        value = question.counts.at[answer, column]
                        write_count(sheet, header_row + i, j, value, **shown)
                    else:
                        value = question.shares.at[answer, column]
                        write_share(sheet, header_row + i, j, value, **shown)
            last = header_row + len(question.counts.index)
            add_table(
                sheet,
                f"Closed{number}{'Counts' if kind == 'count' else 'Shares'}",
                header_row,
                last,
                len(columns) + 1,
                repeat_header=False,
            )
            if block == 0:
                counts_header, counts_last = header_row, last
            row = last + 2
        # The chart goes below the question's tables, on a page of its own in print.
        breaks.append(Break(id=row - 1))
        height = _chart(
            sheet, counts_header, counts_last, len(columns), f"A{row}", question.question
        )
        row += int(height / 0.5) + 3
    sheet.row_breaks.brk = breaks
    sheet.freeze_panes = "A4"
    set_widths(sheet, {1: 30, **{c: 15 for c in range(2, widest + 1)}})
    page_setup(sheet)


def _chart(
    sheet: Worksheet, header_row: int, last: int, n_columns: int, anchor: str, title: str
) -> float:
    """A 100% stacked bar chart of one question's counts at `anchor`; returns its height (cm)."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "percentStacked"
    chart.overlap = 100
    title = clean_text(title)
    chart.title = title if len(title) <= 70 else title[:67] + "…"
    chart.y_axis.number_format = "0%"
    chart.y_axis.majorGridlines = None
    data = Reference(sheet, min_col=1, max_col=n_columns + 1, min_row=header_row + 1, max_row=last)
    chart.add_data(data, from_rows=True, titles_from_data=True)
    chart.set_categories(
        Reference(sheet, min_col=2, max_col=n_columns + 1, min_row=header_row, max_row=header_row)
    )
    chart.x_axis.scaling.orientation = "maxMin"
    chart.height = max(8, 1.1 * n_columns + 4)
    chart.width = 24
    chart.legend.position = "b"
    sheet.add_chart(chart, anchor)
    return chart.height
