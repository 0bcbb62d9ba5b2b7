"""The Uncoded sheet (free text that no theme caught: where the dictionary needs work), and the
internal sheet of responses whose authors asked not to be published."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.report import ReportContent
from sendconsult.report.workbook import (
    add_table,
    page_setup,
    set_text,
    set_widths,
    write_header,
    write_title,
)
from sendconsult.survey import CONSENT, GROUPS, RESPONSE_ID, Consent


def _answers(content: ReportContent, rid: str) -> str:
    texts = content.survey.texts(rid)
    redactor = content.redactor if content.options.redact else None
    parts = [f"{q}\n{redactor.redact(t) if redactor else t}" for q, t in texts.items()]
    return "\n\n".join(parts)


def write(sheet: Worksheet, content: ReportContent) -> None:
    frame = content.survey.responses
    has_text = content.survey.has_text().to_numpy()
    codes = content.coding.codes
    uncoded = [
        (rid, groups, consent)
        for rid, groups, consent, text in zip(
            frame[RESPONSE_ID], frame[GROUPS], frame[CONSENT], has_text, strict=True
        )
        if text and int(codes.loc[rid].sum()) == 0
    ]
    shown = [u for u in uncoded if u[2] is not Consent.WITHHOLD]
    rows = [(rid, groups, _answers(content, rid)) for rid, groups, _ in shown]
    rows.sort(key=lambda r: -len(r[2].split()))
    note = f"{len(uncoded):,} responses have free text but no theme, longest first: read them to improve the dictionary."
    if len(shown) < len(uncoded):
        note += (
            f" {len(uncoded) - len(shown)} whose authors asked not to be published are not shown."
        )
    row = write_title(sheet, "Free text no theme caught", note)
    write_header(sheet, row, ["Response ID", "Respondent group(s)", "Words", "Answers"])
    for i, (rid, groups, text) in enumerate(rows, start=1):
        set_text(sheet.cell(row=row + i, column=1), rid)
        set_text(sheet.cell(row=row + i, column=2), ", ".join(groups) or "Not stated", wrap=True)
        sheet.cell(row=row + i, column=3).value = len(text.split())
        set_text(sheet.cell(row=row + i, column=4), text, wrap=True)
    add_table(sheet, "Uncoded", row, row + max(1, len(rows)), 4)
    set_widths(sheet, {1: 20, 2: 28, 3: 8, 4: 100})
    page_setup(sheet)


def write_withheld(sheet: Worksheet, content: ReportContent) -> None:
    frame = content.survey.responses
    rows = [
        (rid, g)
        for rid, g, c in zip(frame[RESPONSE_ID], frame[GROUPS], frame[CONSENT], strict=True)
        if c is Consent.WITHHOLD
    ]
    row = write_title(
        sheet,
        "Withheld from publication (INTERNAL)",
        "Respondents who asked not to be published: counted in every figure, never quoted elsewhere. Do not publish this sheet.",
    )
    write_header(sheet, row, ["Response ID", "Respondent group(s)", "Themes", "Answers"])
    for i, (rid, groups) in enumerate(rows, start=1):
        set_text(sheet.cell(row=row + i, column=1), rid)
        set_text(sheet.cell(row=row + i, column=2), ", ".join(groups) or "Not stated", wrap=True)
        set_text(
            sheet.cell(row=row + i, column=3), ", ".join(content.coding.themes_of(rid)), wrap=True
        )
        set_text(sheet.cell(row=row + i, column=4), _answers(content, rid), wrap=True)
    add_table(sheet, "Withheld", row, row + max(1, len(rows)), 4)
    set_widths(sheet, {1: 20, 2: 28, 3: 30, 4: 90})
