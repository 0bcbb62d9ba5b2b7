"""The By group sheet: each theme by respondent group, with an indicative test."""

from __future__ import annotations

import pandas as pd
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.aggregate import ALL, OTHER_GROUPS
from sendconsult.report.cells import write_count, write_share
from sendconsult.report.charts import bar_block
from sendconsult.report.content import ReportContent
from sendconsult.report.workbook import (
    BODY_FONT,
    TOP,
    add_table,
    page_setup,
    set_text,
    set_widths,
    write_header,
    write_section,
    write_title,
)
from sendconsult.suppression import SECONDARY_LABEL, groups_partition


def write(sheet: Worksheet, content: ReportContent) -> None:
    agg = content.aggregates
    threshold = agg.threshold
    columns = [ALL, *agg.groups]
    counts = agg.group_counts[columns]
    hidden, second = _masks(agg, columns)
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
                "be worked out from All or from the answers listed on the theme sheets."
            )
    if agg.pooled:
        note += (
            f" {OTHER_GROUPS}: {', '.join(agg.pooled)}, shown together because a group of fewer "
            f"than {threshold} respondents with free text cannot be shown on its own."
        )
    row = write_title(sheet, "Themes by respondent group", note)
    names = [f"{c} (n={agg.group_sizes[c]:,})" for c in columns]
    labels = {t: content.dictionary.label(t) for t in counts.index}
    order = list(agg.theme_table["theme_id"])

    def table(title: str, first_header: str, name: str, kind: str, start: int) -> int:
        write_section(sheet, start, title)
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
    row += 1
    sheet.row_breaks.append(Break(id=row - 1))  # the charts start a page
    _charts(sheet, row, content, order, labels, hidden)
    sheet.freeze_panes = sheet.cell(row=shares_header + 1, column=2)
    set_widths(sheet, {1: 38, **{c: 13 for c in range(2, len(names) + 2)}})
    page_setup(sheet)


def _masks(agg, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:  # noqa: ANN001
    """The cells aggregate decided not to publish (none when suppression is off)."""
    counts = agg.group_counts[columns]
    if agg.group_hidden is None:
        none = counts.astype(bool) & False
        return none, none
    return agg.group_hidden[columns], agg.group_secondary[columns]


def _has_hidden(agg, theme: str) -> bool:  # noqa: ANN001
    return agg.group_hidden is not None and bool(agg.group_hidden.loc[theme].any())


def _charts(
    sheet: Worksheet,
    row: int,
    content: ReportContent,
    order: list[str],
    labels: dict[str, str],
    hidden: pd.DataFrame,
) -> int:
    """One chart per theme: the % of each group raising it, only groups whose figure is
    published; the groups left out are named under the chart."""
    agg = content.aggregates
    write_section(sheet, row, "Charts: % of each group raising each theme")
    row += 2
    for number, theme in enumerate(order):
        if number and number % 2 == 0:
            sheet.row_breaks.append(Break(id=row - 1))  # two charts to a printed page
        shown = [g for g in agg.groups if not bool(hidden.at[theme, g])]
        left_out = [g for g in agg.groups if bool(hidden.at[theme, g])]
        row = bar_block(
            sheet,
            row,
            title=labels[theme],
            headers=("Group", "% raising the theme"),
            categories=shown,
            values=[float(agg.group_shares.at[theme, g]) for g in shown],
            left_out=left_out,
            percent=True,
            left_out_reason=f"figures not published, fewer than {agg.threshold} or protecting one",
        )
    return row


def _tests(sheet: Worksheet, row: int, agg, order: list[str], labels: dict[str, str]) -> int:  # noqa: ANN001
    """The indicative test per theme, in a table of its own, and what it means."""
    write_section(sheet, row, "Do groups differ? Indicative tests")
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
        if test.p_value is not None and not _has_hidden(agg, theme):
            p_cell.value = round(test.p_value, 4)
            p_cell.number_format = "0.000"
        elif test.p_value is not None:
            # An exact p-value is a function of every cell: trying each value a hidden cell
            # may take would find the one that gives it. Only the verdict is shown.
            set_text(p_cell, "below 0.05" if test.p_value < 0.05 else "0.05 or more")
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
        "±2. Groups overlap, so these tests point at differences worth reading; they do not prove them. "
        "Where a theme has a hidden number, its p-value is given only as below 0.05 or not, as "
        "the exact value would reveal the hidden number.",
        wrap=True,
    )
    sheet.merge_cells(start_row=footnote, start_column=1, end_row=footnote, end_column=6)
    sheet.row_dimensions[footnote].height = 56
    return footnote + 1
