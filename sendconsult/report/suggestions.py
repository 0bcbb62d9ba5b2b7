"""Writing term suggestions for an officer (sendconsult themes suggest --out): a YAML snippet to
paste into a dictionary, or a workbook to read."""

from __future__ import annotations

from pathlib import Path

import yaml
from openpyxl import Workbook

from sendconsult.report.saving import save_atomic
from sendconsult.report.workbook import add_table, set_text, write_header
from sendconsult.suggest import Suggestions
from sendconsult.themes.model import ThemeDictionary
from sendconsult.writing import write_text_atomic


def write_suggestions(path: Path, suggestions: Suggestions, dictionary: ThemeDictionary) -> None:
    """.yaml: per theme id the suggested terms (and uncoded phrases to place); .xlsx: tables."""
    if path.suffix.lower() in {".yaml", ".yml"}:
        _write_yaml(path, suggestions, dictionary)
    else:
        _write_xlsx(path, suggestions, dictionary)


def _write_yaml(path: Path, suggestions: Suggestions, dictionary: ThemeDictionary) -> None:
    """Per theme id the suggested terms, and the uncoded phrases to place, as comments."""
    themes = [
        {"id": theme_id, "label": dictionary.label(theme_id), "terms": [s.phrase for s in found]}
        for theme_id, found in suggestions.by_theme.items()
        if found
    ]
    text = (
        "# Suggested terms: review each one, then copy the ones that fit into the theme's\n"
        "# terms in your dictionary. Phrases are lemmas, so they match other forms too.\n"
        + yaml.safe_dump({"themes": themes}, sort_keys=False, allow_unicode=True)
        + "\n# Common in responses no theme caught (place them in a theme, or a new one):\n"
        + "".join(f"#   - {s.phrase}\n" for s in suggestions.uncoded)
    )
    write_text_atomic(path, text, private=False)


def _write_xlsx(path: Path, suggestions: Suggestions, dictionary: ThemeDictionary) -> None:
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
