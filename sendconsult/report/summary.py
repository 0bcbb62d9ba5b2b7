"""The Summary sheet: headline figures, themes ranked, a chart, and representative quotes."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.report import ReportContent
from sendconsult.report.cells import write_count, write_share
from sendconsult.report.workbook import (
    LABEL_FONT,
    NOTE_FONT,
    SECTION_FONT,
    SUBTITLE_FONT,
    add_table,
    page_setup,
    set_text,
    set_widths,
    write_header,
    write_title,
)
from sendconsult.suppression import suppress

CHART_ANCHOR_COLUMN = "E"


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
    for label, value in facts:
        set_text(sheet.cell(row=row, column=1), label)
        sheet.cell(row=row, column=1).font = LABEL_FONT
        set_text(sheet.cell(row=row, column=2), value)
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
    add_table(sheet, "SummaryThemes", header_row, last, 3)
    sheet.freeze_panes = None
    sheet.print_title_rows = None
    _chart(sheet, header_row, last)
    row = max(last + 2, header_row + 22)
    row = _quotes(sheet, row, content)
    set_widths(sheet, {1: 44, 2: 70, 3: 18, 4: 4})
    page_setup(sheet)


def _chart(sheet: Worksheet, header_row: int, last: int) -> None:
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
    chart.width = 18
    sheet.add_chart(chart, f"{CHART_ANCHOR_COLUMN}{header_row}")


def _quotes(sheet: Worksheet, row: int, content: ReportContent) -> int:
    set_text(
        sheet.cell(row=row, column=1), "What respondents said: representative quotes per theme"
    )
    sheet.cell(row=row, column=1).font = SUBTITLE_FONT
    note = "Quotes are redacted (names, contact details, NHS numbers) and never come from respondents who asked not to be published."
    if not content.options.redact:
        note = "Quotes are NOT redacted (--no-redact): for internal use only. Respondents who asked not to be published are never quoted."
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
            set_text(
                sheet.cell(row=row, column=1),
                f"{quote.response_id} ({', '.join(quote.groups) or 'group not stated'})",
                wrap=True,
            )
            sheet.cell(row=row, column=1).font = NOTE_FONT
            set_text(sheet.cell(row=row, column=2), f"“{quote.text}”", wrap=True)
            row += 1
        row += 1
    return row
