"""The Summary sheet: headline figures, themes ranked, a chart, and representative quotes."""

from __future__ import annotations

from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.aggregate import OTHER_GROUPS, set_aside_summary
from sendconsult.quotes import Quote
from sendconsult.report.cells import COUNT, PERCENT, write_count, write_share
from sendconsult.report.charts import ROW_CM
from sendconsult.report.content import ReportContent
from sendconsult.report.workbook import (
    BODY_FONT,
    EXCEL_CELL_LIMIT,
    LABEL_FONT,
    NOTE_FONT,
    SUBTITLE_FONT,
    add_table,
    clean_text,
    page_setup,
    row_height_for,
    set_rich,
    set_text,
    set_widths,
    write_header,
    write_section,
    write_title,
)

QUOTE_RUN = InlineFont(rFont="Arial", sz=10)
ATTRIBUTION_RUN = InlineFont(rFont="Arial", sz=9, i=True, color="595959")  # as NOTE_FONT
LEFT = Alignment(horizontal="left", vertical="top")
WIDTHS = {1: 42, 2: 18, 3: 22}  # three columns: fits a portrait page
PAGE_WIDTH = sum(WIDTHS.values())


TOP_THEMES_QUOTED = 3  # the briefing quotes the top themes; every answer is on its sheet
QUOTES_PER_THEME = 3


def write(sheet: Worksheet, content: ReportContent) -> None:
    agg = content.aggregates
    run = content.run
    threshold = agg.threshold
    row = write_title(
        sheet,
        run.consultation_name,
        "Themes raised in free-text answers, counted by respondent. Percentages are of respondents "
        "who gave any free text.",
    )
    row = _facts(sheet, row, content)
    row = _groups(sheet, row + 1, content)
    row += 1
    header_row = row
    write_header(sheet, header_row, ["Theme", "Respondents", "% of respondents with free text"])
    table = agg.theme_table
    for i, record in enumerate(table.itertuples(index=False), start=1):
        r = header_row + i
        hidden = agg.theme_hidden(record.theme_id)
        set_text(sheet.cell(row=r, column=1), record.label)
        write_count(sheet, r, 2, record.respondents, hidden=hidden, threshold=threshold)
        write_share(sheet, r, 3, record.share, hidden=hidden, threshold=threshold)
    last = header_row + len(table)
    add_table(sheet, "SummaryThemes", header_row, last, 3, repeat_header=False)
    sheet.freeze_panes = None
    sheet.row_dimensions[header_row].height = 28
    charted = [not agg.theme_hidden(t) for t in table["theme_id"]]
    shown_last = header_row + (charted.index(False) if False in charted else len(charted))
    left_out = [
        label for label, keep in zip(table["label"], charted, strict=True) if not keep
    ]
    row = last + 1
    if left_out:
        set_text(
            sheet.cell(row=row, column=1),
            f"Not in the chart (fewer than {threshold} respondents, or after one such): "
            + ", ".join(left_out)
            + ".",
            wrap=True,
        )
        sheet.cell(row=row, column=1).font = NOTE_FONT
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    height = _chart(sheet, header_row, shown_last, f"A{row + 1}") if shown_last > header_row else 0
    row = row + 1 + int(height / ROW_CM) + 1
    sheet.row_breaks.append(Break(id=row - 1))  # the headline answers and quotes: page 2
    row = _closed_headline(sheet, row, content)
    _quotes(sheet, row + 1, content)
    set_widths(sheet, WIDTHS)
    page_setup(sheet)
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToHeight = 0


def _facts(sheet: Worksheet, row: int, content: ReportContent) -> int:
    """Export, date and the response numbers, each a number in its own cell."""
    agg = content.aggregates
    run = content.run
    facts: list[tuple[str, object, str, str]] = [
        ("Export file", content.survey.source.name, "", ""),
        ("Report run on", run.run_at.replace(second=0), "d mmm yyyy hh:mm", ""),  # as shown
        ("Responses", agg.responses, COUNT, ""),
        ("Responses with any free text", agg.with_text, COUNT, ""),
        ("Coded to at least one theme", agg.coded, COUNT, ""),
        ("% of those with free text", agg.coded_share, PERCENT, ""),
    ]
    set_aside = set_aside_summary(
        content.survey, brief=True, threshold=content.options.suppression_threshold
    )
    if set_aside:
        left_out = agg.respondents_set_aside
        who = f"; {left_out:,} respondents with no other answer are left out" if left_out else ""
        n_answers = sum(content.survey.set_aside_counts().values())
        facts.append(("Answers set aside (listed in Uncoded)", n_answers, COUNT, set_aside + who))
    campaigns = content.campaigns.campaigns
    if campaigns:
        sizes = ", ".join(f"{c.id}: {c.size} responses" for c in campaigns)
        counted = (
            "each counted once here"
            if content.options.exclude_campaigns
            else "each letter counted as a response"
        )
        facts.append(
            ("Campaigns (identical or near-identical letters)", len(campaigns), COUNT, f"{sizes}; {counted}")
        )
    if content.suggestions is not None and agg.suggested is not None:
        facts.append(
            (
                "Suggestions from the trained classifier",
                agg.suggested_responses,
                COUNT,
                f"{content.suggestions.model_name}: listed in blue on the theme sheets, "
                "not counted in any figure",
            )
        )
    for label, value, number_format, note in facts:
        set_text(sheet.cell(row=row, column=1), label, wrap=True)
        sheet.cell(row=row, column=1).font = LABEL_FONT
        cell = sheet.cell(row=row, column=2)
        if isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value
            cell.number_format = number_format
            cell.font, cell.alignment = BODY_FONT, LEFT
        if note:
            set_text(sheet.cell(row=row, column=3), note, wrap=True)
            sheet.cell(row=row, column=3).font = NOTE_FONT
            height = row_height_for({3: note, 1: label}, WIDTHS)
            if height:
                sheet.row_dimensions[row].height = height
        row += 1
    return row


def _groups(sheet: Worksheet, row: int, content: ReportContent) -> int:
    """Respondents with free text by group (sizes under the threshold are pooled in aggregate)."""
    agg = content.aggregates
    if not agg.groups:
        return row
    header_row = row
    write_header(
        sheet,
        header_row,
        ["Respondent group", "Respondents with free text", "% of all with free text"],
    )
    sheet.row_dimensions[header_row].height = 28
    for i, group in enumerate(agg.groups, start=1):
        r = header_row + i
        set_text(sheet.cell(row=r, column=1), group, wrap=True)
        size = agg.group_sizes[group]
        write_count(sheet, r, 2, size, hidden=False, threshold=agg.threshold)
        share = size / agg.with_text if agg.with_text else 0.0
        write_share(sheet, r, 3, share, hidden=False, threshold=agg.threshold)
    last = header_row + len(agg.groups)
    add_table(sheet, "SummaryGroups", header_row, last, 3, repeat_header=False)
    notes = ["A respondent in two groups counts in both."]
    if agg.pooled:
        notes.append(f"{OTHER_GROUPS}: {', '.join(agg.pooled)}.")
    set_text(sheet.cell(row=last + 1, column=1), " ".join(notes), wrap=True)
    sheet.cell(row=last + 1, column=1).font = NOTE_FONT
    sheet.merge_cells(start_row=last + 1, start_column=1, end_row=last + 1, end_column=3)
    height = row_height_for({1: " ".join(notes)}, {1: PAGE_WIDTH})
    if height:
        sheet.row_dimensions[last + 1].height = height
    return last + 2


def _closed_headline(sheet: Worksheet, row: int, content: ReportContent) -> int:
    """Per agree/disagree question: who answered, % agreeing and % disagreeing (All)."""
    headlines = [(q.question, q.headline()) for q in content.aggregates.closed]
    headlines = [(q, h) for q, h in headlines if h is not None]
    if not headlines:
        return row
    set_text(sheet.cell(row=row, column=1), "Closed questions: agreement")
    sheet.cell(row=row, column=1).font = SUBTITLE_FONT
    header_row = row + 1
    write_header(sheet, header_row, ["Question", "Agree (strongly or not)", "Disagree (strongly or not)"])
    sheet.row_dimensions[header_row].height = 28
    for i, (question, (answered, agree, disagree)) in enumerate(headlines, start=1):
        r = header_row + i
        text = f"{question} ({answered:,} answered)"
        set_text(sheet.cell(row=r, column=1), text, wrap=True)
        write_share(sheet, r, 2, agree, hidden=False, threshold=0)
        write_share(sheet, r, 3, disagree, hidden=False, threshold=0)
        height = row_height_for({1: text}, WIDTHS)
        if height:
            sheet.row_dimensions[r].height = height
    last = header_row + len(headlines)
    add_table(sheet, "SummaryClosed", header_row, last, 3, repeat_header=False)
    set_text(
        sheet.cell(row=last + 1, column=1),
        "% of those who answered the question. By group: the Closed questions sheet.",
    )
    sheet.cell(row=last + 1, column=1).font = NOTE_FONT
    return last + 2


def _chart(sheet: Worksheet, header_row: int, last: int, anchor: str) -> float:
    """A bar chart of the theme table's published counts at `anchor`; returns its height (cm)."""
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = "Respondents raising each theme"  # the title names the axis: no axis title
    chart.y_axis.majorGridlines = None
    chart.y_axis.scaling.min = 0
    chart.legend = None
    data = Reference(sheet, min_col=2, min_row=header_row, max_row=last)
    categories = Reference(sheet, min_col=1, min_row=header_row + 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    chart.x_axis.scaling.orientation = "maxMin"  # largest theme at the top, as in the table
    chart.height = max(5.5, 0.55 * (last - header_row) + 1.5)
    chart.width = 17
    sheet.add_chart(chart, anchor)
    return chart.height


def _quotes(sheet: Worksheet, row: int, content: ReportContent) -> int:
    agg = content.aggregates
    set_text(sheet.cell(row=row, column=1), "What respondents said: the top themes in their words")
    sheet.cell(row=row, column=1).font = SUBTITLE_FONT
    note = (
        f"{QUOTES_PER_THEME} quotes for each of the {TOP_THEMES_QUOTED} themes raised most, spread "
        "across groups; every answer is on its theme's sheet. Quotes are redacted (names, contact "
        "details, NHS numbers) and never come from respondents who asked not to be published."
    )
    if not content.options.redact:
        note = (
            "Quotes are NOT redacted: for internal use only, except those of "
            "respondents who asked to be published anonymously, which are always redacted. "
            "Respondents who asked not to be published are never quoted."
        )
    set_text(sheet.cell(row=row + 1, column=1), note, wrap=True)
    sheet.cell(row=row + 1, column=1).font = NOTE_FONT
    sheet.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=3)
    height = row_height_for({1: note}, {1: PAGE_WIDTH})
    if height:
        sheet.row_dimensions[row + 1].height = height
    row += 3
    table = agg.theme_table
    top = [t for t in table["theme_id"] if not agg.theme_hidden(t)][:TOP_THEMES_QUOTED]
    for theme_id in top:
        quotes = content.quotes.get(theme_id, [])[:QUOTES_PER_THEME]
        write_section(sheet, row, content.dictionary.label(theme_id))
        row += 1
        if not quotes:
            set_text(sheet.cell(row=row, column=1), "No publishable quote.")
            sheet.cell(row=row, column=1).font = NOTE_FONT
            row += 2
            continue
        for quote in quotes:
            row = _quote(sheet, row, quote, agg.group_label(quote.groups, theme_id))
        row += 1
    return row


def _quote(sheet: Worksheet, row: int, quote: Quote, groups: str) -> int:
    """A quote and, on its last line, who said it (`groups`, as aggregate allows them shown):
    one cell, so that a printed page never separates the words from their attribution;
    returns the next row."""
    by = clean_text(f"{groups} ({quote.response_id})")
    said = clean_text(f"“{quote.text}”", limit=EXCEL_CELL_LIMIT - len(by) - 1)
    cell = sheet.cell(row=row, column=1)
    set_rich(cell, CellRichText(TextBlock(QUOTE_RUN, said), TextBlock(ATTRIBUTION_RUN, "\n" + by)))
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    height = row_height_for({1: f"{said}\n{by}"}, {1: PAGE_WIDTH * 1.25})  # merged: wraps later
    if height:
        sheet.row_dimensions[row].height = height
    return row + 1
