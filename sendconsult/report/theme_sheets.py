"""One sheet per theme: every coded answer, the matched words highlighted, the terms that fired."""

from __future__ import annotations

import re

from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.coding import Match
from sendconsult.report import ReportContent
from sendconsult.report.workbook import (
    HIGHLIGHT_COLOUR,
    add_table,
    clean_text,
    page_setup,
    set_rich,
    set_text,
    set_widths,
    write_header,
    write_title,
)
from sendconsult.survey import CONSENT, GROUPS, RESPONSE_ID, Consent

TEXT_LIMIT = 32_000  # below Excel's 32,767 characters per cell, leaving room for the marker
HIGHLIGHT = InlineFont(rFont="Arial", sz=10, b=True, color=HIGHLIGHT_COLOUR)
PLAIN = InlineFont(rFont="Arial", sz=10)


def assign_sheet_names(content: ReportContent, taken: set[str]) -> None:
    from sendconsult.report.workbook import safe_sheet_name

    for theme_id in content.aggregates.theme_table["theme_id"]:
        content.sheet_names[theme_id] = safe_sheet_name(content.dictionary.label(theme_id), taken)


def write_all(workbook: Workbook, content: ReportContent) -> None:
    for number, theme_id in enumerate(content.aggregates.theme_table["theme_id"], start=1):
        sheet = workbook.create_sheet(content.sheet_names[theme_id])
        write_theme(sheet, content, theme_id, number)


def write_theme(sheet: Worksheet, content: ReportContent, theme_id: str, number: int) -> None:
    frame = content.survey.responses
    consent = dict(zip(frame[RESPONSE_ID], frame[CONSENT], strict=True))
    groups = dict(zip(frame[RESPONSE_ID], frame[GROUPS], strict=True))
    coded = content.coding.coded_ids(theme_id)
    shown = [rid for rid in coded if consent.get(rid) is not Consent.WITHHOLD]
    withheld = len(coded) - len(shown)
    limit = content.options.max_rows_per_theme
    note = f"{len(coded):,} respondents raised this theme. Matched words are in bold red."
    if withheld:
        note += f" {withheld} asked not to be published and are not quoted here (they are counted)."
    if content.options.redact:
        note += " Names, contact details and NHS numbers are redacted."
    rows: list[tuple[str, str, str, list[Match]]] = []
    texts_cache: dict[str, dict[str, str]] = {}
    for rid in shown:
        by_question: dict[str, list[Match]] = {}
        for match in content.coding.evidence(rid, theme_id):
            by_question.setdefault(match.question, []).append(match)
        texts = texts_cache.setdefault(rid, content.survey.texts(rid))
        for question, matches in by_question.items():
            rows.append((rid, question, texts.get(question, ""), matches))
    if len(rows) > limit:
        note += f" Showing the first {limit:,} of {len(rows):,} answers; the Coding sheet lists every response."
        rows = rows[:limit]
    description = content.dictionary.theme(theme_id).description
    row = write_title(
        sheet, content.dictionary.label(theme_id), (description + " " if description else "") + note
    )
    write_header(
        sheet, row, ["Response ID", "Respondent group(s)", "Question", "Answer", "Matched terms"]
    )
    for i, (rid, question, text, matches) in enumerate(rows, start=1):
        r = row + i
        set_text(sheet.cell(row=r, column=1), rid)
        set_text(
            sheet.cell(row=r, column=2), ", ".join(groups.get(rid) or []) or "Not stated", wrap=True
        )
        set_text(sheet.cell(row=r, column=3), question, wrap=True)
        set_rich(sheet.cell(row=r, column=4), highlighted(text, matches, content))
        terms = ", ".join(dict.fromkeys(m.term for m in matches))
        set_text(sheet.cell(row=r, column=5), terms, wrap=True)
    add_table(sheet, f"Theme{number}", row, row + max(1, len(rows)), 5)
    set_widths(sheet, {1: 20, 2: 28, 3: 32, 4: 90, 5: 24})
    page_setup(sheet)


def highlighted(text: str, matches: list[Match], content: ReportContent) -> CellRichText:
    """The answer (redacted when on) with each matched span as a bold red run."""
    spans = sorted({(m.start, m.end) for m in matches})
    if content.options.redact and content.redactor is not None:
        shown, offset = content.redactor.redact_with_offsets(text)
        spans = [(offset(s), offset(e)) for s, e in spans]
    else:
        shown = text
    marker = ""
    if len(shown) > TEXT_LIMIT:
        marker = f" … [truncated: {len(shown):,} characters in full]"
        shown = shown[:TEXT_LIMIT]
        spans = [(s, min(e, TEXT_LIMIT)) for s, e in spans if s < TEXT_LIMIT]
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    rich = CellRichText()
    cursor = 0
    for start, end in merged:
        if start > cursor:
            rich.append(TextBlock(PLAIN, _safe(shown[cursor:start])))
        rich.append(TextBlock(HIGHLIGHT, _safe(shown[start:end])))
        cursor = end
    if cursor < len(shown) or not merged:
        rich.append(TextBlock(PLAIN, _safe(shown[cursor:])))
    if marker:
        rich.append(TextBlock(PLAIN, marker))
    return rich


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _safe(text: str) -> str:
    return clean_text(_ILLEGAL.sub("", text))
