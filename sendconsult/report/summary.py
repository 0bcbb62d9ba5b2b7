"""The Summary sheet: headline figures, themes ranked, a chart, and representative quotes."""

from __future__ import annotations

from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.aggregate import set_aside_summary
from sendconsult.quotes import Quote
from sendconsult.report.cells import write_count, write_share
from sendconsult.report.content import ReportContent
from sendconsult.report.workbook import (
    EXCEL_CELL_LIMIT,
    LABEL_FONT,
    NOTE_FONT,
    SECTION_FONT,
    SUBTITLE_FONT,
    add_table,
    clean_text,
    page_setup,
    row_height_for,
    set_rich,
    set_text,
    set_widths,
    write_header,
    write_title,
)
from sendconsult.suppression import suppress

QUOTE_RUN = InlineFont(rFont="Arial", sz=10)
ATTRIBUTION_RUN = InlineFont(rFont="Arial", sz=9, i=True, color="595959")  # as NOTE_FONT
WIDTHS = {1: 46, 2: 14, 3: 22}  # three columns: fits a portrait page
PAGE_WIDTH = sum(WIDTHS.values())


def write(sheet: Worksheet, content: ReportContent) -> None:
    agg = content.aggregates
    run = content.run
    threshold = content.options.suppression_threshold
    row = write_title(
        sheet,
        run.consultation_name,
        "Themes raised in free-text answers, counted by respondent. Percentages are of respondents "
        "who gave any free text.",
    )
    facts = [
        ("Export file", content.survey.source.name),
        ("Report run on", run.run_at.strftime("%d %B %Y %H:%M")),
        ("Responses", f"{agg.responses:,}"),
        ("Responses with any free text", f"{agg.with_text:,}"),
        (
            "Coded to at least one theme",
            f"{agg.coded:,} ({agg.coded_share:.1%} of those with free text)",
        ),
    ]
    set_aside = set_aside_summary(content.survey)
    if set_aside:
        left_out = agg.respondents_set_aside
        who = f"; {left_out:,} respondents with no other answer are not in the percentages"
        facts.append(("Answers set aside from the percentages", set_aside + (who if left_out else "")))
    campaigns = content.campaigns.campaigns
    if campaigns:
        sizes = ", ".join(f"{c.id}: {c.size} responses" for c in campaigns)
        counted = (
            "counted once each in these figures (--exclude-campaigns)"
            if content.options.exclude_campaigns
            else "counted as individual responses here; run with --exclude-campaigns to count each once"
        )
        facts.append(
            (
                "Campaigns (identical or near-identical letters)",
                f"{len(campaigns)} ({sizes}); {counted}",
            )
        )
    if content.suggestions is not None and agg.suggested is not None:
        facts.append(
            (
                "Suggestions from the trained classifier",
                f"{agg.suggested_responses:,} responses have themes the classifier "
                f"{content.suggestions.model_name} suggests and the dictionary did not find; they "
                "are listed in blue on the theme sheets and are not counted in any figure.",
            )
        )
    for label, value in facts:
        set_text(sheet.cell(row=row, column=1), label)
        sheet.cell(row=row, column=1).font = LABEL_FONT
        set_text(sheet.cell(row=row, column=2), value, wrap=True)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        height = row_height_for({2: value}, {2: WIDTHS[2] + WIDTHS[3]})
        if height:
            sheet.row_dimensions[row].height = height
        row += 1
    row += 1
    header_row = row
    write_header(sheet, header_row, ["Theme", "Respondents", "% of respondents with free text"])
    table = agg.theme_table
    hidden = suppress(table[["respondents"]], threshold)["respondents"]
    for i, record in enumerate(table.itertuples(index=False), start=1):
        r = header_row + i
        set_text(sheet.cell(row=r, column=1), record.label)
        write_count(
            sheet, r, 2, record.respondents, hidden=bool(hidden.iloc[i - 1]), threshold=threshold
        )
        write_share(sheet, r, 3, record.share, hidden=bool(hidden.iloc[i - 1]), threshold=threshold)
    last = header_row + len(table)
    add_table(sheet, "SummaryThemes", header_row, last, 3, repeat_header=False)
    sheet.freeze_panes = None
    sheet.row_dimensions[header_row].height = 28
    height = _chart(sheet, header_row, last, f"A{last + 2}")
    row = last + 2 + int(height / 0.5) + 2
    sheet.row_breaks.append(Break(id=row - 1))  # the quotes start on a new page
    _quotes(sheet, row, content)
    set_widths(sheet, WIDTHS)
    page_setup(sheet)
    sheet.page_setup.orientation = "portrait"


def _chart(sheet: Worksheet, header_row: int, last: int, anchor: str) -> float:
    """A bar chart of the theme table at `anchor` (below it); returns its height in cm."""
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = "Respondents raising each theme"
    chart.y_axis.title = "Respondents"
    chart.y_axis.majorGridlines = None
    chart.legend = None
    data = Reference(sheet, min_col=2, min_row=header_row, max_row=last)
    categories = Reference(sheet, min_col=1, min_row=header_row + 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    chart.x_axis.scaling.orientation = "maxMin"  # largest theme at the top, as in the table
    chart.height = max(7.5, 0.9 * (last - header_row) + 2)
    chart.width = 17
    sheet.add_chart(chart, anchor)
    return chart.height


def _quotes(sheet: Worksheet, row: int, content: ReportContent) -> int:
    set_text(
        sheet.cell(row=row, column=1), "What respondents said: representative quotes per theme"
    )
    sheet.cell(row=row, column=1).font = SUBTITLE_FONT
    note = "Quotes are redacted (names, contact details, NHS numbers) and never come from respondents who asked not to be published."
    if not content.options.redact:
        note = (
            "Quotes are NOT redacted (--no-redact): for internal use only, except those of "
            "respondents who asked to be published anonymously, which are always redacted. "
            "Respondents who asked not to be published are never quoted."
        )
    set_text(sheet.cell(row=row + 1, column=1), note)
    sheet.cell(row=row + 1, column=1).font = NOTE_FONT
    row += 3
    labels = dict(
        zip(
            content.aggregates.theme_table["theme_id"],
            content.aggregates.theme_table["label"],
            strict=True,
        )
    )
    for theme_id in content.aggregates.theme_table["theme_id"]:
        quotes = content.quotes.get(theme_id, [])
        set_text(sheet.cell(row=row, column=1), labels[theme_id])
        sheet.cell(row=row, column=1).font = SECTION_FONT
        row += 1
        if not quotes:
            set_text(sheet.cell(row=row, column=1), "No publishable quote.")
            sheet.cell(row=row, column=1).font = NOTE_FONT
            row += 2
            continue
        for quote in quotes:
            row = _quote(sheet, row, quote) + 1
        row += 1
    return row


def _quote(sheet: Worksheet, row: int, quote: Quote) -> int:
    """A quote and, on its last line, who said it: one cell, so that a printed page never
    separates the words from their attribution; returns the next row."""
    by = clean_text(f"{', '.join(quote.groups) or 'Group not stated'} ({quote.response_id})")
    said = clean_text(f"“{quote.text}”", limit=EXCEL_CELL_LIMIT - len(by) - 1)
    cell = sheet.cell(row=row, column=1)
    set_rich(cell, CellRichText(TextBlock(QUOTE_RUN, said), TextBlock(ATTRIBUTION_RUN, "\n" + by)))
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    height = row_height_for({1: f"{said}\n{by}"}, {1: PAGE_WIDTH * 1.25})  # merged: wraps later
    if height:
        sheet.row_dimensions[row].height = height
    return row + 1
