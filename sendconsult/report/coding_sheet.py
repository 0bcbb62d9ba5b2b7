"""The Coding sheet: one row per response, one 0/1 column per theme id. Machine-readable.

Other tools and the re-run loop read this sheet (coding_record.py), so it holds plain values
only: response_id, respondent groups as exported, a column per theme id (header = the id
exactly), `themes` (comma-separated ids), `campaign`, `matched_terms` (per theme, the terms
whose matches counted) and `overrides` (cells an officer set, shown in yellow); with a trained
classifier, `suggested` (`theme=score` for each theme it suggests, not coded). It has a row for
every response, so its rows are streamed (bulk_rows.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.coding_record import (
    FIXED_AFTER,
    FIXED_BEFORE,
    SUGGESTED,
    format_overrides,
    format_suggested,
    format_terms,
)
from sendconsult.report.bulk_rows import (
    BulkRows,
    CellValue,
    Marked,
    register_style,
    stream_table,
)
from sendconsult.report.content import ReportContent
from sendconsult.report.workbook import page_setup
from sendconsult.survey import GROUPS_RAW, RESPONSE_ID

HEADER_ROW = 1
OVERRIDE_FILL = PatternFill("solid", fgColor="FFE699")


def write(sheet: Worksheet, content: ReportContent) -> BulkRows | None:
    theme_ids = content.coding.theme_ids
    suggested = () if content.suggestions is None else (SUGGESTED,)
    headers = [*FIXED_BEFORE, *theme_ids, *FIXED_AFTER, *suggested]
    widths = {1: 22, 2: 40, **{c: max(10, len(t) + 4) for c, t in enumerate(theme_ids, start=3)}}
    after = 3 + len(theme_ids)
    widths.update({after: 40, after + 1: 10, after + 2: 60, after + 3: 30, after + 4: 40})
    marked = register_style(sheet, fill=OVERRIDE_FILL) if content.coding.overridden else 0
    page_setup(sheet)  # landscape, one page wide: the table prints across, not over 40 pages
    return stream_table(
        sheet,
        header_row=HEADER_ROW,
        headers=headers,
        kinds=["text", "text", *(["number"] * len(theme_ids)), *(["text"] * (4 + len(suggested)))],
        widths=widths,
        table_name="Coding",
        rows=_rows(content, marked),
        n_rows=len(content.survey.responses),
    )


def _rows(content: ReportContent, marked: int) -> Iterator[list[CellValue]]:
    coding = content.coding
    theme_ids = coding.theme_ids
    frame = content.survey.responses
    campaign_of = content.campaigns.by_response
    overridden = coding.overridden
    overridden_ids = {rid for rid, _ in overridden}
    by_theme = [coding.evidence_by_response(t) for t in theme_ids]
    suggestions = content.suggestions
    codes = coding.codes.loc[frame[RESPONSE_ID]].to_numpy()
    values = codes.tolist()
    as_ints = codes.dtype.kind not in "iu"  # 0/1 as Python ints, as the sheet holds them
    no_terms, no_overrides = format_terms({}), format_overrides({})
    patterns: dict[tuple[int, ...], tuple[list[int], str]] = {}  # codes -> coded, `themes`
    for rid, groups_raw, row_codes in zip(
        frame[RESPONSE_ID], frame[GROUPS_RAW], values, strict=True
    ):
        key = tuple(row_codes)
        pattern = patterns.get(key)
        if pattern is None:
            coded = [j for j, code in enumerate(row_codes) if code]
            pattern = patterns[key] = (coded, ",".join(theme_ids[j] for j in coded))
        coded, themes = pattern
        cells: list[CellValue] = [rid, groups_raw or ""]
        cells += [int(code) for code in row_codes] if as_ints else row_codes
        overrides = no_overrides
        if rid in overridden_ids:
            set_by_officer: dict[str, int] = {}
            for j, theme in enumerate(theme_ids):
                if (rid, theme) in overridden:
                    set_by_officer[theme] = int(row_codes[j])
                    cells[2 + j] = Marked(int(row_codes[j]), marked)
            overrides = format_overrides(set_by_officer)
        terms: dict[str, list[str]] = {}
        for j in coded:
            found = by_theme[j].get(rid)
            if found is not None:
                terms[theme_ids[j]] = list(dict.fromkeys(m.term for m in found))
        cells += [
            themes,
            campaign_of.get(rid, ""),
            format_terms(terms) if terms else no_terms,
            overrides,
        ]
        if suggestions is not None:
            cells.append(format_suggested(suggestions.of_response(rid)))
        yield cells
