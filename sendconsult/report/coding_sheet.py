"""The Coding sheet: one row per response, one 0/1 column per theme id. Machine-readable.

Other tools and the re-run loop read this sheet, so it holds plain values only: response_id,
respondent groups as exported, a column per theme id (header = the id exactly), `themes`
(comma-separated ids) and `campaign`. It has a row for every response, so its rows are
streamed (bulk_rows.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.report import ReportContent
from sendconsult.report.bulk_rows import BulkRows, CellValue, stream_table
from sendconsult.survey import GROUPS_RAW, RESPONSE_ID

HEADER_ROW = 1


def write(sheet: Worksheet, content: ReportContent) -> BulkRows | None:
    theme_ids = content.coding.theme_ids
    headers = ["response_id", "respondent_groups", *theme_ids, "themes", "campaign"]
    widths = {1: 22, 2: 40, **{c: max(10, len(t) + 4) for c, t in enumerate(theme_ids, start=3)}}
    widths.update({3 + len(theme_ids): 40, 4 + len(theme_ids): 10})
    return stream_table(
        sheet,
        header_row=HEADER_ROW,
        headers=headers,
        kinds=["text", "text", *(["number"] * len(theme_ids)), "text", "text"],
        widths=widths,
        table_name="Coding",
        rows=_rows(content),
        n_rows=len(content.survey.responses),
    )


def _rows(content: ReportContent) -> Iterator[list[CellValue]]:
    theme_ids = content.coding.theme_ids
    frame = content.survey.responses
    campaign_of = content.campaigns.by_response
    values = content.coding.codes.loc[frame[RESPONSE_ID]].to_numpy().tolist()
    for rid, groups_raw, row_codes in zip(
        frame[RESPONSE_ID], frame[GROUPS_RAW], values, strict=True
    ):
        themes = ",".join(t for t, c in zip(theme_ids, row_codes, strict=True) if c)
        yield [rid, groups_raw or "", *row_codes, themes, campaign_of.get(rid, "")]
