"""The By group sheet: each theme by respondent group, with an indicative test."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.aggregate import ALL
from sendconsult.report import ReportContent
from sendconsult.report.cells import write_count, write_share
from sendconsult.report.workbook import (
    add_table,
    page_setup,
    set_text,
    set_widths,
    write_header,
    write_title,
)
from sendconsult.suppression import suppress


def write(sheet: Worksheet, content: ReportContent) -> None:
    agg = content.aggregates
    threshold = content.options.suppression_threshold
    columns = [ALL, *agg.groups]
    note = (
        "Respondents who raised each theme, as a count and a % of the group's respondents with free "
        "text (n in the header). A respondent in two groups counts in both, so groups do not add up "
        "to All."
    )
    if threshold > 1:
        note += f" Counts from 1 to {threshold - 1} are shown as <{threshold}."
    row = write_title(sheet, "Themes by respondent group", note)
    headers = ["Theme"]
    for column in columns:
        name = f"{column} (n={agg.group_sizes[column]:,})"
        headers += [f"{name}: count", f"{name}: %"]
    headers += ["Indicative test", "p-value", "Notably more often", "Notably less often"]
    write_header(sheet, row, headers)
    counts = agg.group_counts[columns]
    hidden = suppress(counts, threshold)
    labels = {t: content.dictionary.label(t) for t in counts.index}
    order = list(agg.theme_table["theme_id"])
    for i, theme in enumerate(order, start=1):
        r = row + i
        set_text(sheet.cell(row=r, column=1), labels[theme])
        for j, column in enumerate(columns):
            is_hidden = bool(hidden.at[theme, column])
            write_count(
                sheet, r, 2 + 2 * j, counts.at[theme, column], hidden=is_hidden, threshold=threshold
            )
            write_share(
                sheet,
                r,
                3 + 2 * j,
                agg.group_shares.at[theme, column],
                hidden=is_hidden,
                threshold=threshold,
            )
        test = agg.tests[theme]
        base = 2 + 2 * len(columns)
        set_text(
            sheet.cell(row=r, column=base), test.method + (f" ({test.note})" if test.note else "")
        )
        p_cell = sheet.cell(row=r, column=base + 1)
        if test.p_value is not None:
            p_cell.value = round(test.p_value, 4)
            p_cell.number_format = "0.000"
        set_text(sheet.cell(row=r, column=base + 2), ", ".join(test.higher), wrap=True)
        set_text(sheet.cell(row=r, column=base + 3), ", ".join(test.lower), wrap=True)
    last = row + len(order)
    add_table(sheet, "ThemesByGroup", row, last, len(headers))
    footnote = last + 2
    set_text(
        sheet.cell(row=footnote, column=1),
        "Indicative only: chi-square test (Fisher's exact test for two groups with small counts) of "
        "raised / not raised across groups, at p < 0.05; 'notably' means an adjusted residual beyond "
        "±2. Groups overlap, so these tests point at differences worth reading; they do not prove them.",
        wrap=True,
    )
    sheet.merge_cells(
        start_row=footnote, start_column=1, end_row=footnote, end_column=min(len(headers), 9)
    )
    sheet.row_dimensions[footnote].height = 42
    _chart(sheet, row, last, len(columns))
    set_widths(sheet, {1: 34, **{c: 10 for c in range(2, len(headers) - 3)}})
    base = len(headers) - 3
    set_widths(sheet, {base: 18, base + 1: 8, base + 2: 26, base + 3: 26})
    sheet.row_dimensions[row].height = 66
    page_setup(sheet)


def _chart(sheet: Worksheet, header_row: int, last: int, n_columns: int) -> None:
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.title = "% of each group raising the theme"
    chart.y_axis.number_format = "0%"
    chart.y_axis.majorGridlines = None
    for j in range(1, n_columns):  # groups, not All: compare groups with each other
        column = 3 + 2 * j
        chart.add_data(
            Reference(sheet, min_col=column, min_row=header_row, max_row=last),
            titles_from_data=True,
        )
    chart.set_categories(Reference(sheet, min_col=1, min_row=header_row + 1, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"
    chart.height = max(10, 1.4 * (last - header_row))
    chart.width = 26
    chart.legend.position = "b"
    sheet.add_chart(chart, f"A{last + 4}")
