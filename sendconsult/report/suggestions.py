"""Term suggestions as a workbook for an officer to read (sendconsult themes suggest --out)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from sendconsult.report.saving import save_atomic
from sendconsult.report.workbook import add_table, set_text, write_header
from sendconsult.suggest import Suggestions
from sendconsult.themes.model import ThemeDictionary


def write_suggestions_workbook(
    path: Path, suggestions: Suggestions, dictionary: ThemeDictionary
) -> None:
    """One table: each suggested phrase with its list (uncoded, or a theme), counts and an
    example answer."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Suggestions"
    write_header(sheet, 1, ["List", "Theme id", "Phrase", "Responses", "Lift", "Example"])
    row = 1
    lists = [("Uncoded", "", suggestions.uncoded)] + [
        (dictionary.label(t), t, found) for t, found in suggestions.by_theme.items()
    ]
    for name, theme_id, found in lists:
        for s in found:
            row += 1
            set_text(sheet.cell(row=row, column=1), name)
            set_text(sheet.cell(row=row, column=2), theme_id)
            set_text(sheet.cell(row=row, column=3), s.phrase)
            sheet.cell(row=row, column=4).value = s.responses
            sheet.cell(row=row, column=5).value = s.lift
            set_text(sheet.cell(row=row, column=6), s.example, wrap=True)
    add_table(sheet, "Suggestions", 1, max(row, 2), 6)
    for letter, width in zip("ABCDEF", (30, 22, 28, 11, 8, 90), strict=True):
        sheet.column_dimensions[letter].width = width
    save_atomic(workbook, path)
