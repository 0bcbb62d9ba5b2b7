"""The Changes sheet (with --compare): what a revised dictionary or overrides changed since an
earlier report. Per theme, responses coded before and now; then every response whose themes
changed, and why (the terms that matched, or an officer's override)."""

from __future__ import annotations

from collections.abc import Iterator

from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.compare import ADDED
from sendconsult.report.bulk_rows import BulkRows, CellValue, stream_table
from sendconsult.report.content import ReportContent
from sendconsult.report.workbook import (
    BODY_FONT,
    add_table,
    page_setup,
    set_text,
    set_widths,
    write_header,
    write_section,
    write_title,
)


def write(sheet: Worksheet, content: ReportContent) -> BulkRows | None:
    changes = content.changes
    assert changes is not None
    labels = {t.id: t.label for t in content.dictionary.themes}
    note = (
        f"Compared with {changes.before}. {changes.changed_responses:,} responses changed theme. "
        "Counts are of responses coded to each theme (all responses, as in the Coding sheet)."
    )
    if changes.only_before or changes.only_after:
        note += (
            f" {len(changes.only_before):,} responses of the earlier report are not in this "
            f"export and {len(changes.only_after):,} are new; they are not compared."
        )
    row = write_title(sheet, "Changes since the earlier report", note)
    headers = ["Theme id", "Theme", "Before", "Now", "Change"]
    write_header(sheet, row, headers)
    first = row
    for change in changes.themes:
        row += 1
        set_text(sheet.cell(row=row, column=1), change.theme_id)
        set_text(sheet.cell(row=row, column=2), labels.get(change.theme_id, "(not in dictionary)"))
        for column, value in ((3, change.before), (4, change.after), (5, change.delta)):
            cell = sheet.cell(row=row, column=column)
            if value is None:
                set_text(cell, "not in dictionary")
            else:
                cell.value = value
                cell.font = BODY_FONT
        sheet.cell(row=row, column=5).number_format = "+#,##0;-#,##0;0"
    add_table(sheet, "ChangesByTheme", first, row, len(headers), repeat_header=False)
    row += 2
    write_section(sheet, row, "Responses whose themes changed")
    row += 1

    def rows() -> Iterator[list[CellValue]]:
        for c in changes.responses:
            yield [
                c.response_id,
                labels.get(c.theme_id, c.theme_id),
                "Added" if c.change == ADDED else "Removed",
                c.reason,
            ]

    bulk = stream_table(
        sheet,
        header_row=row,
        headers=["Response ID", "Theme", "Change", "Why"],
        kinds=["text", "wrap", "text", "wrap"],
        widths={1: 22, 2: 36, 3: 12, 4: 70},
        table_name="ChangesByResponse",
        rows=rows(),
        n_rows=len(changes.responses),
        repeat_header=False,
    )
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    set_widths(sheet, {1: 22, 2: 36, 3: 12, 4: 70, 5: 12})
    page_setup(sheet)
    return bulk
