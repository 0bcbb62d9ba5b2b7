"""The Coding sheet: one row per response, one 0/1 column per theme id. Machine-readable.

Other tools and the re-run loop read this sheet, so it holds plain values only: response_id,
respondent groups as exported, a column per theme id (header = the id exactly), `themes`
(comma-separated ids) and `campaign`.
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.report import ReportContent
from sendconsult.report.workbook import add_table, set_text, set_widths, write_header
from sendconsult.survey import GROUPS_RAW, RESPONSE_ID

HEADER_ROW = 1


def write(sheet: Worksheet, content: ReportContent) -> None:
    theme_ids = content.coding.theme_ids
    headers = ["response_id", "respondent_groups", *theme_ids, "themes", "campaign"]
    write_header(sheet, HEADER_ROW, headers)
    frame = content.survey.responses
    codes = content.coding.codes
    campaign_of = content.campaigns.by_response
    values = codes.loc[frame[RESPONSE_ID]].to_numpy()
    for i, (rid, groups_raw) in enumerate(zip(frame[RESPONSE_ID], frame[GROUPS_RAW], strict=True)):
        r = HEADER_ROW + 1 + i
        set_text(sheet.cell(row=r, column=1), rid)
        set_text(sheet.cell(row=r, column=2), groups_raw or "")
        row_codes = values[i]
        for j, code in enumerate(row_codes, start=3):
            sheet.cell(row=r, column=j).value = int(code)
        set_text(
            sheet.cell(row=r, column=3 + len(theme_ids)),
            ",".join(t for t, c in zip(theme_ids, row_codes, strict=True) if c),
        )
        set_text(sheet.cell(row=r, column=4 + len(theme_ids)), campaign_of.get(rid, ""))
    add_table(sheet, "Coding", HEADER_ROW, HEADER_ROW + max(1, len(frame)), len(headers))
    set_widths(
        sheet, {1: 22, 2: 40, **{c: max(10, len(t) + 4) for c, t in enumerate(theme_ids, start=3)}}
    )
    set_widths(sheet, {3 + len(theme_ids): 40, 4 + len(theme_ids): 10})
