"""The Crosstabs sheet: themes by free-text question, by answer to each closed question, and
which themes are raised together. Figures and their suppression come from crosstabs.py."""

from __future__ import annotations

from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.crosstabs import Crosstab
from sendconsult.report.cells import write_count, write_share
from sendconsult.report.content import ReportContent
from sendconsult.report.workbook import (
    NOTE_FONT,
    SUBTITLE_FONT,
    add_table,
    page_setup,
    set_text,
    set_widths,
    write_header,
    write_section,
    write_title,
)
from sendconsult.suppression import SECONDARY_LABEL

COLUMN_WIDTH = 16


def write(sheet: Worksheet, content: ReportContent) -> None:
    agg = content.aggregates
    threshold = agg.threshold
    note = (
        "Respondents with free text raising each theme, by the question it was raised in, by "
        "answer to each closed question, and with each other theme."
    )
    if threshold > 1:
        note += (
            f" Numbers from 1 to {threshold - 1} are shown as <{threshold}, and so are their %; "
            f"{SECONDARY_LABEL} is a number hidden so that one below {threshold} cannot be worked "
            f"out from a total. Columns of fewer than {threshold} respondents are pooled or left out."
        )
    row = write_title(sheet, "Crosstabs", note)
    labels = {t: content.dictionary.label(t) for t in content.coding.theme_ids}
    order = list(agg.theme_table["theme_id"])
    widest = 2
    table_number = 0

    def tables(crosstab: Crosstab, row: int, headers: list[str], with_tests: bool) -> int:
        nonlocal table_number, widest
        columns = list(crosstab.counts.columns)
        shares = crosstab.shares  # computed once per table, not per cell
        widest = max(widest, len(columns) + 1 + (2 if with_tests else 0))
        for kind in ("%", "count"):
            table_number += 1
            header_row = row
            extra = ["Differs by answer? (indicative)", "Notably more often"] if with_tests else []
            first = "Theme (%)" if kind == "%" else "Theme (respondents)"
            write_header(sheet, header_row, [first, *headers, *(extra if kind == "%" else [])])
            sheet.row_dimensions[header_row].height = 66
            for i, theme in enumerate(order, start=1):
                r = header_row + i
                set_text(sheet.cell(row=r, column=1), labels[theme])
                for j, column in enumerate(columns, start=2):
                    shown = {
                        "hidden": bool(crosstab.hidden.at[theme, column]),
                        "threshold": threshold,
                        "secondary": bool(crosstab.secondary.at[theme, column]),
                    }
                    if kind == "count":
                        write_count(sheet, r, j, crosstab.counts.at[theme, column], **shown)
                    else:
                        write_share(sheet, r, j, shares.at[theme, column], **shown)
                if with_tests and kind == "%":
                    _test(sheet, r, len(columns) + 2, crosstab, theme)
            width = len(columns) + 1 + (len(extra) if kind == "%" else 0)
            add_table(
                sheet, f"Crosstab{table_number}", header_row, header_row + len(order), width,
                repeat_header=False,
            )  # fmt: skip
            row = header_row + len(order) + 2
        return row

    crosstab = agg.by_question
    if crosstab is not None and len(crosstab.counts.columns) > 1:
        set_text(sheet.cell(row=row, column=1), crosstab.title)
        sheet.cell(row=row, column=1).font = SUBTITLE_FONT
        text = (
            "% of the respondents who answered each question (n in the header) whose answer to it "
            "raised the theme; the first column pools every answer of a respondent, as By group "
            "does. A respondent may raise a theme in two answers."
        )
        if crosstab.left_out:
            text += f" Left out (answered by fewer than {threshold}): {'; '.join(crosstab.left_out)}."
        set_text(sheet.cell(row=row + 1, column=1), text)
        sheet.cell(row=row + 1, column=1).font = NOTE_FONT
        headers = [_header(c, crosstab) for c in crosstab.counts.columns]
        row = tables(crosstab, row + 3, headers, with_tests=False)
    for number, crosstab in enumerate(agg.by_answer, start=1):
        sheet.row_breaks.append(Break(id=row - 1))
        set_text(
            sheet.cell(row=row, column=1), f"Themes by answer to closed question {number}"
        )
        sheet.cell(row=row, column=1).font = SUBTITLE_FONT
        write_section(sheet, row + 1, crosstab.title)
        text = (
            "% of the respondents with free text who gave each answer (n in the header) raising "
            "the theme: why those who agreed or disagreed said so. Each respondent gave one "
            "answer, so the answers add up to All."
        )
        if crosstab.pooled:
            text += f" Other answers: {', '.join(crosstab.pooled)}."
        text += (
            " The test is a chi-square across answers (Fisher's exact for two), indicative only; "
            "where a theme has a hidden number only its verdict is given."
        )
        set_text(sheet.cell(row=row + 2, column=1), text)
        sheet.cell(row=row + 2, column=1).font = NOTE_FONT
        headers = [_header(c, crosstab) for c in crosstab.counts.columns]
        row = tables(crosstab, row + 4, headers, with_tests=True)
    crosstab = agg.together
    if crosstab is not None:
        sheet.row_breaks.append(Break(id=row - 1))
        set_text(sheet.cell(row=row, column=1), crosstab.title)
        sheet.cell(row=row, column=1).font = SUBTITLE_FONT
        set_text(
            sheet.cell(row=row + 1, column=1),
            "Respondents raising both themes; on the diagonal, respondents raising the theme.",
        )
        sheet.cell(row=row + 1, column=1).font = NOTE_FONT
        header_row = row + 3
        write_header(sheet, header_row, ["Theme", *[labels[t] for t in order]])
        sheet.row_dimensions[header_row].height = 66
        for i, theme in enumerate(order, start=1):
            r = header_row + i
            set_text(sheet.cell(row=r, column=1), labels[theme])
            for j, other in enumerate(order, start=2):
                write_count(
                    sheet, r, j, crosstab.counts.at[theme, other],
                    hidden=bool(crosstab.hidden.at[theme, other]), threshold=threshold,
                )  # fmt: skip
        add_table(
            sheet, "ThemesTogether", header_row, header_row + len(order), len(order) + 1,
            repeat_header=False,
        )  # fmt: skip
        widest = max(widest, len(order) + 1)
    sheet.freeze_panes = None
    set_widths(sheet, {1: 38, **{c: COLUMN_WIDTH for c in range(2, widest + 1)}})
    page_setup(sheet)


def _header(column: str, crosstab: Crosstab) -> str:
    return f"{column} (n={crosstab.sizes[column]:,})"


def _test(sheet: Worksheet, row: int, column: int, crosstab: Crosstab, theme: str) -> None:
    """The verdict of the theme's test across answers, and the answers notably above."""
    test = crosstab.tests.get(theme)
    if test is None or test.p_value is None:
        set_text(sheet.cell(row=row, column=column), "not tested")
        return
    verdict = "yes" if test.notable else "no"
    if bool(crosstab.hidden.loc[theme].any()):
        verdict += " (p below 0.05)" if test.notable else " (p 0.05 or more)"
    else:
        verdict += f" (p = {test.p_value:.3f})"
    if test.note:
        verdict += f"; {test.note}"
    set_text(sheet.cell(row=row, column=column), verdict, wrap=True)
    set_text(sheet.cell(row=row, column=column + 1), ", ".join(test.higher), wrap=True)
