"""The Coding sheet: one row per response, one 0/1 column per theme id. Machine-readable.

Other tools and the re-run loop read this sheet (coding_record.py), so it holds plain values
only: response_id, respondent groups as exported, a column per theme id (header = the id
exactly), `themes` (comma-separated ids), `campaign`, `matched_terms` (per theme, the terms
whose matches counted) and `overrides` (cells an officer set, shown in yellow). It has a row for
every response, so its rows are streamed (bulk_rows.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.coding_record import FIXED_AFTER, FIXED_BEFORE, format_overrides, format_terms
from sendconsult.report import ReportContent
from sendconsult.report.bulk_rows import BulkRows, CellValue, Marked, stream_table
from sendconsult.report.workbook import BODY_FONT, TOP, page_setup
from sendconsult.survey import GROUPS_RAW, RESPONSE_ID

HEADER_ROW = 1
OVERRIDE_FILL = PatternFill("solid", fgColor="FFE699")


def write(sheet: Worksheet, content: ReportContent) -> BulkRows | None:
    theme_ids = content.coding.theme_ids
    headers = [*FIXED_BEFORE, *theme_ids, *FIXED_AFTER]
    widths = {1: 22, 2: 40, **{c: max(10, len(t) + 4) for c, t in enumerate(theme_ids, start=3)}}
    after = 3 + len(theme_ids)
    widths.update({after: 40, after + 1: 10, after + 2: 60, after + 3: 30})
    marked = _override_style(sheet, len(headers)) if content.coding.overridden else 0
    page_setup(sheet)  # landscape, one page wide: the table prints across, not over 40 pages
    return stream_table(
        sheet,
        header_row=HEADER_ROW,
        headers=headers,
        kinds=["text", "text", *(["number"] * len(theme_ids)), "text", "text", "text", "text"],
        widths=widths,
        table_name="Coding",
        rows=_rows(content, marked),
        n_rows=len(content.survey.responses),
    )


def _override_style(sheet: Worksheet, n_columns: int) -> int:
    """The style id of an overridden code cell (registered on a scratch cell, then removed:
    the sheet must hold nothing but its table)."""
    probe = sheet.cell(row=HEADER_ROW, column=n_columns + 3)
    probe.fill = OVERRIDE_FILL
    probe.font = BODY_FONT
    probe.alignment = TOP
    style = probe.style_id
    del sheet._cells[(probe.row, probe.column)]  # openpyxl keeps cells in this dict
    return style


def _rows(content: ReportContent, marked: int) -> Iterator[list[CellValue]]:
    coding = content.coding
    theme_ids = coding.theme_ids
    frame = content.survey.responses
    campaign_of = content.campaigns.by_response
    overridden = coding.overridden
    by_theme = {t: coding.evidence_by_response(t) for t in theme_ids}
    values = coding.codes.loc[frame[RESPONSE_ID]].to_numpy().tolist()
    for rid, groups_raw, row_codes in zip(
        frame[RESPONSE_ID], frame[GROUPS_RAW], values, strict=True
    ):
        cells: list[CellValue] = [rid, groups_raw or ""]
        terms: dict[str, list[str]] = {}
        set_by_officer: dict[str, int] = {}
        for theme, code in zip(theme_ids, row_codes, strict=True):
            if (rid, theme) in overridden:
                set_by_officer[theme] = int(code)
                cells.append(Marked(int(code), marked))
            else:
                cells.append(int(code))
            if code and rid in by_theme[theme]:
                terms[theme] = list(dict.fromkeys(m.term for m in by_theme[theme][rid]))
        themes = ",".join(t for t, c in zip(theme_ids, row_codes, strict=True) if c)
        yield [
            *cells,
            themes,
            campaign_of.get(rid, ""),
            format_terms(terms),
            format_overrides(set_by_officer),
        ]
