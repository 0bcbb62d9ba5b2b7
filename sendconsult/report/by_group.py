"""The By group sheet: each theme by respondent group, with an indicative test."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.aggregate import ALL
from sendconsult.report.cells import write_count, write_share
from sendconsult.report.content import ReportContent
from sendconsult.report.workbook import (
    BODY_FONT,
    SECTION_FONT,
    TOP,
    add_table,
    page_setup,
    set_text,
    set_widths,
    write_header,
    write_title,
)
from sendconsult.suppression import (
    SECONDARY_LABEL,
    groups_partition,
    secondary,
    suppress_by_group,
)


def write(sheet: Worksheet, content: ReportContent) -> None:
    agg = content.aggregates
    threshold = content.options.suppression_threshold
    columns = [ALL, *agg.groups]
    counts = agg.group_counts[columns]
    # Where each respondent is in one group, a row's groups add up to All and one hidden cell
    # could be worked out by subtraction, so a second is hidden. Where groups overlap (a
    # respondent who ticked two groups counts in both), the groups add up to more than All and
    # subtraction gives only a lower bound, so a second cell is hidden only when that bound
    # would pin a hidden count (see sendconsult.suppression).
    hidden = suppress_by_group(counts, threshold, total=ALL, sizes=agg.group_sizes)
    second = secondary(counts, hidden, threshold)
    exclusive = groups_partition(agg.group_sizes, ALL, agg.groups)
    note = (
        "Respondents who raised each theme, as a % of each group's respondents with free text "
        "(n in the header), then as numbers. "
        + (
            "Each respondent is in one group, so groups add up to All."
            if exclusive
            else "A respondent in two groups counts in both, so groups do not add up to All."
        )
    )
    if threshold > 1:
        note += f" Numbers from 1 to {threshold - 1} are shown as <{threshold}, and so are their %."
        if bool(second.to_numpy().any()):
            note += (
                f" {SECONDARY_LABEL}: a number hidden so that a number below {threshold} cannot "
                "be worked out from All."
            )
    row = write_title(sheet, "Themes by respondent group", note)
    names = [f"{c} (n={agg.group_sizes[c]:,})" for c in columns]
    labels = {t: content.dictionary.label(t) for t in counts.index}
    order = list(agg.theme_table["theme_id"])

    def table(title: str, first_header: str, name: str, kind: str, start: int) -> int:
        set_text(sheet.cell(row=start, column=1), title)
        sheet.cell(row=start, column=1).font = SECTION_FONT
        header_row = start + 1
        write_header(sheet, header_row, [first_header, *names])
        sheet.row_dimensions[header_row].height = 54
        for i, theme in enumerate(order, start=1):
            r = header_row + i
            set_text(sheet.cell(row=r, column=1), labels[theme])
            for j, column in enumerate(columns, start=2):
                shown = {
                    "hidden": bool(hidden.at[theme, column]),
                    "threshold": threshold,
                    "secondary": bool(second.at[theme, column]),
                }
                if kind == "count":
                    write_count(sheet, r, j, counts.at[theme, column], **shown)
                else:
                    write_share(sheet, r, j, agg.group_shares.at[theme, column], **shown)
        add_table(
            sheet, name, header_row, header_row + len(order), len(names) + 1, repeat_header=False
        )
        return header_row

    shares_header = table(
        "% of each group's respondents raising the theme", "Theme", "ThemesByGroupShares", "%", row
    )
    row = shares_header + len(order) + 2
    table("Number of respondents", "Theme (respondents)", "ThemesByGroupCounts", "count", row)
    row += len(order) + 3
    row = _tests(sheet, row, agg, order, labels)
    anchor_row = row + 1
    _chart(sheet, shares_header, shares_header + len(order), len(columns), anchor_row)
    sheet.freeze_panes = sheet.cell(row=shares_header + 1, column=2)
    set_widths(sheet, {1: 38, **{c: 13 for c in range(2, len(names) + 2)}})
    sheet.row_breaks.append(Break(id=anchor_row - 1))  # the chart on a page of its own
    page_setup(sheet)


def _tests(sheet: Worksheet, row: int, agg, order: list[str], labels: dict[str, str]) -> int:  # noqa: ANN001
    """The indicative test per theme, in a table of its own, and what it means."""
    set_text(sheet.cell(row=row, column=1), "Do groups differ? Indicative tests")
    sheet.cell(row=row, column=1).font = SECTION_FONT
    header_row = row + 1
    write_header(
        sheet,
        header_row,
        ["Theme", "Indicative test", "p-value", "Notably more often", "Notably less often"],
    )
    for i, theme in enumerate(order, start=1):
        r = header_row + i
        test = agg.tests[theme]
        set_text(sheet.cell(row=r, column=1), labels[theme])
        set_text(
            sheet.cell(row=r, column=2),
            test.method + (f" ({test.note})" if test.note else ""),
            wrap=True,
        )
        p_cell = sheet.cell(row=r, column=3)
        if test.p_value is not None:
            p_cell.value = round(test.p_value, 4)
            p_cell.number_format = "0.000"
        p_cell.font, p_cell.alignment = BODY_FONT, TOP
        set_text(sheet.cell(row=r, column=4), ", ".join(test.higher), wrap=True)
        set_text(sheet.cell(row=r, column=5), ", ".join(test.lower), wrap=True)
    last = header_row + len(order)
    add_table(sheet, "ThemesByGroupTests", header_row, last, 5, repeat_header=False)
    footnote = last + 2
    set_text(
        sheet.cell(row=footnote, column=1),
        "Indicative only: chi-square test (Fisher's exact test for two groups with small counts) of "
        "raised / not raised across groups, at p < 0.05; 'notably' means an adjusted residual beyond "
        "±2. Groups overlap, so these tests point at differences worth reading; they do not prove them.",
        wrap=True,
    )
    sheet.merge_cells(start_row=footnote, start_column=1, end_row=footnote, end_column=6)
    sheet.row_dimensions[footnote].height = 42
    return footnote + 1


def _chart(sheet: Worksheet, header_row: int, last: int, n_columns: int, anchor_row: int) -> None:
    """A clustered bar chart of the % table, below the tables."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.title = "% of each group raising the theme"
    chart.y_axis.number_format = "0%"
    chart.y_axis.majorGridlines = None
    for j in range(1, n_columns):  # groups, not All: compare groups with each other
        column = 2 + j
        chart.add_data(
            Reference(sheet, min_col=column, min_row=header_row, max_row=last),
            titles_from_data=True,
        )
    chart.set_categories(Reference(sheet, min_col=1, min_row=header_row + 1, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"
    chart.height = max(12, 1.6 * (last - header_row))
    chart.width = 26
    chart.legend.position = "b"
    sheet.add_chart(chart, f"A{anchor_row}")
