"""The Closed questions sheet: answers to each agree/disagree question, overall and by group."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.aggregate import ALL, ClosedQuestion
from sendconsult.report.cells import write_count, write_share
from sendconsult.report.charts import ROW_CM, chart_title, small_axis_text
from sendconsult.report.content import ReportContent
from sendconsult.report.workbook import (
    NOTE_FONT,
    add_table,
    merge_title,
    page_setup,
    set_text,
    set_widths,
    write_header,
    write_section,
    write_title,
)
from sendconsult.suppression import SECONDARY_LABEL


def write(sheet: Worksheet, content: ReportContent) -> None:
    """Per question: a counts table, a % table (same cells suppressed) and a stacked bar chart."""
    agg = content.aggregates
    threshold = agg.threshold
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
        write_section(sheet, row, question.question, wrap=True)
        merge_title(sheet, row, 8)
        sheet.row_dimensions[row].height = 30
        row += 1
        columns = list(question.counts.columns)
        sizes = question.sizes
        widest = max(widest, len(columns) + 1)
        none = question.counts.astype(bool) & False
        hidden = question.hidden if question.hidden is not None else none
        second = question.secondary if question.secondary is not None else none
        for kind in ("count", "%"):
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
            row = last + 2
        # The chart goes below the question's tables, on a page of its own in print.
        breaks.append(Break(id=row - 1))
        row = _chart(sheet, row, question, number, threshold)
    sheet.row_breaks.brk = breaks
    sheet.freeze_panes = "A4"
    set_widths(sheet, {1: 30, **{c: 15 for c in range(2, widest + 1)}})
    page_setup(sheet)


def _chart(
    sheet: Worksheet, row: int, question: ClosedQuestion, number: int, threshold: int
) -> int:
    """A stacked bar of each column's % answering each answer, drawn from a block of the
    published %: groups with any hidden figure are left out (a bar missing a hidden segment
    would mislead) and named under the chart; returns the next free row."""
    charted = [ALL, *question.charted_groups()]
    left_out = [c for c in question.counts.columns if c not in charted]
    sizes = question.sizes
    write_section(sheet, row, "Chart data: % of each column's respondents")
    header_row = row + 1
    write_header(
        sheet,
        header_row,
        ["Answer (% charted)", *[f"{c} (n={int(sizes[c]):,})" for c in charted]],
    )
    answers = list(question.counts.index)
    for i, answer in enumerate(answers, start=1):
        set_text(sheet.cell(row=header_row + i, column=1), answer)
        for j, column in enumerate(charted, start=2):
            write_share(
                sheet,
                header_row + i,
                j,
                question.shares.at[answer, column],
                hidden=False,
                threshold=threshold,
            )
    last = header_row + len(answers)
    add_table(sheet, f"Closed{number}Chart", header_row, last, len(charted) + 1, repeat_header=False)
    row = last + 2  # a blank row: the note is not part of the table
    if left_out:
        set_text(
            sheet.cell(row=row, column=1),
            "Not in the chart (a figure of theirs is not published: fewer than "
            f"{threshold} or protecting one): {', '.join(left_out)}.",
        )
        sheet.cell(row=row, column=1).font = NOTE_FONT
    row += 2
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = chart_title(question.question, 80)
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.majorGridlines = None
    data = Reference(sheet, min_col=1, max_col=len(charted) + 1, min_row=header_row + 1, max_row=last)
    chart.add_data(data, from_rows=True, titles_from_data=True)
    chart.set_categories(
        Reference(sheet, min_col=2, max_col=len(charted) + 1, min_row=header_row, max_row=header_row)
    )
    chart.x_axis.scaling.orientation = "maxMin"
    chart.height = max(8, 1.1 * len(charted) + 5)
    chart.width = 24
    chart.legend.position = "b"
    small_axis_text(chart)
    sheet.add_chart(chart, f"A{row}")
    return row + int(chart.height / ROW_CM) + 3
