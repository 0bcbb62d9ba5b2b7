"""A theme dictionary kept as a spreadsheet: one row per term, columns `theme` and `term`.

Optional columns: `label` (printed name; else the theme column's text), `description`,
`exclude` (yes/1 marks the row's phrase as an exclude phrase) and `weak` (yes/1 marks the row's
term as weak: it codes the theme only beside a second term of the theme). `theme` may be an id
(snake_case) or a label, from which an id is made. Errors name the file and row.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from sendconsult.errors import DictionaryError
from sendconsult.themes.model import Theme, ThemeDictionary, file_sha256
from sendconsult.themes.terms import TermSyntaxError, parse_term

TRUE = {"1", "yes", "y", "true", "x"}


def load_tabular(path: Path) -> ThemeDictionary:
    rows = _read_rows(path)
    if not rows:
        raise DictionaryError(
            f"{path.name} is empty; add a header row 'theme,term' and one row per term."
        )
    header = [h.strip().lower() for h in rows[0]]
    if "theme" not in header or "term" not in header:
        raise DictionaryError(
            f"{path.name} row 1: the header must include 'theme' and 'term' columns (found: {', '.join(h for h in header if h) or 'nothing'})."
        )
    col = {
        name: header.index(name)
        for name in ("theme", "term", "label", "description", "exclude", "weak")
        if name in header
    }
    themes: dict[str, Theme] = {}
    labelled: set[str] = set()  # themes whose label came from the label column
    for number, row in enumerate(rows[1:], start=2):
        cells = row + [""] * (len(header) - len(row))
        theme_text = cells[col["theme"]].strip()
        term_text = cells[col["term"]].strip()
        if not theme_text and not term_text:
            continue
        if not theme_text:
            raise DictionaryError(
                f"{path.name} row {number}: term '{term_text}' has no theme; fill in the theme column."
            )
        if not term_text:
            raise DictionaryError(
                f"{path.name} row {number}: theme '{theme_text}' has an empty term; fill it in or delete the row."
            )
        theme_id = (
            theme_text if re.fullmatch(r"[a-z][a-z0-9_]*", theme_text) else _snake(theme_text)
        )
        label = cells[col["label"]].strip() if "label" in col else ""
        theme = themes.get(theme_id)
        if theme is None:
            theme = themes[theme_id] = Theme(id=theme_id, label=label or theme_text, line=number)
        elif label and theme_id not in labelled:  # the label is on a later row of the theme
            theme.label = label
        if label:
            labelled.add(theme_id)
        if "description" in col and cells[col["description"]].strip() and not theme.description:
            theme.description = cells[col["description"]].strip()
        try:
            term = parse_term(term_text, number)
        except TermSyntaxError as exc:
            raise DictionaryError(f"{path.name} row {number}: {exc}.") from exc
        is_exclude = "exclude" in col and cells[col["exclude"]].strip().lower() in TRUE
        is_weak = "weak" in col and cells[col["weak"]].strip().lower() in TRUE
        if is_exclude and is_weak:
            raise DictionaryError(
                f"{path.name} row {number}: term '{term_text}' is marked both exclude and weak; "
                "keep one."
            )
        (theme.exclude if is_exclude else theme.weak if is_weak else theme.terms).append(term)
    for theme in themes.values():
        if not theme.terms and not theme.weak:
            raise DictionaryError(
                f"{path.name} row {theme.line}: theme '{theme.label}' has only exclude rows; add at least one term."
            )
    if not themes:
        raise DictionaryError(f"{path.name} has no terms; add rows under the 'theme,term' header.")
    return ThemeDictionary(
        themes=list(themes.values()), source=path, sha256=file_sha256(path), name=path.stem
    )


def _read_rows(path: Path) -> list[list[str]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same problem
            raise DictionaryError(
                f"{path.name} could not be opened as an Excel workbook; save it again as .xlsx."
            ) from exc
        try:
            return [
                ["" if v is None else str(v) for v in row]
                for row in workbook.worksheets[0].iter_rows(values_only=True)
            ]
        finally:
            workbook.close()
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover
        text = raw.decode("utf-8", errors="replace")
    return [row for row in csv.reader(io.StringIO(text, newline=""))]


def _snake(text: str) -> str:
    snake = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return snake if snake and snake[0].isalpha() else f"theme_{snake}"
