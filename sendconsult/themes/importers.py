"""Importing dictionaries analysts already have: LIWC, WordStat, quanteda, spreadsheets.

    LIWC .dic       %, "number<TAB>category" lines, %, then "word<TAB>n<TAB>n..." lines
    LIWC-22 .dicx   a CSV: first column "DicTerm", one column per category marked with X
    WordStat .cat   tab-indented categories; entries end with a weight "(1)"; _ joins words
    quanteda YAML   category: [terms] or category: {subcategory: [terms]} (nesting -> sub-themes)
    CSV / XLSX      theme,term columns (see tabular.py)

Entries our term syntax cannot express (regular expressions, ? or * inside a word) are skipped
and reported, never silently changed.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import yaml

from sendconsult.errors import DictionaryError
from sendconsult.themes.model import Term, Theme, ThemeDictionary, file_sha256
from sendconsult.themes.terms import TermSyntaxError, parse_term
from sendconsult.themes.validate import DictionaryIssue

_WEIGHT = re.compile(r"\s*\(\s*-?\d+(?:\.\d+)?\s*\)\s*$")


def import_dictionary(path: Path) -> tuple[ThemeDictionary, list[DictionaryIssue]]:
    """Read another tool's dictionary; returns it and the entries that had to be skipped."""
    path = Path(path)
    if not path.is_file():
        raise DictionaryError(f"{path} was not found; check the file name.")
    suffix = path.suffix.lower()
    if suffix == ".dic":
        return _finish(path, *_liwc(path))
    if suffix == ".dicx":
        return _finish(path, *_liwc22(path))
    if suffix == ".cat":
        return _finish(path, *_wordstat(path))
    if suffix in {".yml", ".yaml"}:
        text = _text(path)
        raw = yaml.safe_load(text)
        if isinstance(raw, dict) and "themes" in raw:
            from sendconsult.themes.loader import load_dictionary

            return load_dictionary(path), []
        return _finish(path, *_quanteda(path, raw))
    if suffix in {".csv", ".xlsx"}:
        from sendconsult.themes.tabular import load_tabular

        return load_tabular(path), []
    raise DictionaryError(
        f"{path.name}: sendconsult imports LIWC .dic/.dicx, WordStat .cat, quanteda .yml and "
        "theme,term .csv/.xlsx dictionaries; save it in one of those formats."
    )


def _text(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")  # pragma: no cover


Entries = dict[str, list[tuple[str, int]]]  # category -> (term text, line)


def _liwc(path: Path) -> tuple[list[tuple[str, str | None, Entries]], list[DictionaryIssue]]:
    lines = _text(path).splitlines()
    markers = [i for i, line in enumerate(lines) if line.strip() == "%"]
    if len(markers) < 2:
        raise DictionaryError(
            f"{path.name}: a LIWC .dic file needs two '%' lines around its category list."
        )
    categories: dict[str, str] = {}
    for line in lines[markers[0] + 1 : markers[1]]:
        parts = line.split()
        if len(parts) >= 2:
            categories[parts[0]] = " ".join(parts[1:])
    entries: Entries = {name: [] for name in categories.values()}
    for number, line in enumerate(lines[markers[1] + 1 :], start=markers[1] + 2):
        if not line.strip():
            continue
        parts = line.split("\t") if "\t" in line else line.split()
        word = parts[0].strip()
        for code in parts[1:]:
            code = code.strip()
            if code in categories:
                entries[categories[code]].append((word, number))
    return [(name, None, entries) for name in categories.values()], []


def _liwc22(path: Path) -> tuple[list[tuple[str, str | None, Entries]], list[DictionaryIssue]]:
    rows = list(csv.reader(io.StringIO(_text(path), newline="")))
    if not rows or rows[0][0].strip().lower() != "dicterm":
        raise DictionaryError(f"{path.name}: a LIWC-22 .dicx file starts with a 'DicTerm' column.")
    names = [h.strip() for h in rows[0][1:]]
    entries: Entries = {name: [] for name in names if name}
    for number, row in enumerate(rows[1:], start=2):
        if not row or not row[0].strip():
            continue
        for name, mark in zip(names, row[1:], strict=False):
            if name and mark.strip():
                entries[name].append((row[0].strip(), number))
    return [(name, None, entries) for name in entries], []


def _wordstat(path: Path) -> tuple[list[tuple[str, str | None, Entries]], list[DictionaryIssue]]:
    stack: list[tuple[int, str]] = []
    categories: list[tuple[str, str | None, Entries]] = []
    entries: Entries = {}
    for number, raw_line in enumerate(_text(path).splitlines(), start=1):
        if not raw_line.strip():
            continue
        depth = len(raw_line) - len(raw_line.lstrip("\t"))
        text = raw_line.strip()
        if _WEIGHT.search(text):
            if not stack:
                raise DictionaryError(
                    f"{path.name} line {number}: entry '{text}' comes before any category."
                )
            word = _WEIGHT.sub("", text).replace("_", " ").lower()
            entries[stack[-1][1]].append((word, number))
            continue
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1] if stack else None
        stack.append((depth, text))
        entries[text] = []
        categories.append((text, parent, entries))
    return categories, []


def _quanteda(
    path: Path, raw: Any
) -> tuple[list[tuple[str, str | None, Entries]], list[DictionaryIssue]]:
    if not isinstance(raw, dict):
        raise DictionaryError(
            f"{path.name}: a quanteda dictionary is a mapping of category: [terms]."
        )
    categories: list[tuple[str, str | None, Entries]] = []
    entries: Entries = {}

    def walk(mapping: dict[str, Any], parent: str | None) -> None:
        for name, value in mapping.items():
            name = str(name)
            entries[name] = []
            categories.append((name, parent, entries))
            if isinstance(value, dict):
                walk(value, name)
            elif isinstance(value, list):
                entries[name].extend((str(v), 0) for v in value)
            elif isinstance(value, str):
                entries[name].append((value, 0))

    walk(raw, None)
    return categories, []


def _finish(
    path: Path, categories: list[tuple[str, str | None, Entries]], issues: list[DictionaryIssue]
) -> tuple[ThemeDictionary, list[DictionaryIssue]]:
    themes: list[Theme] = []
    ids: dict[str, str] = {}
    for name, parent, entries in categories:
        theme_id = _unique_id(_snake(name), ids.values())
        ids[name] = theme_id
        terms: list[Term] = []
        for text, line in entries.get(name, []):
            try:
                terms.append(parse_term(text, line or None))
            except TermSyntaxError as exc:
                issues.append(
                    DictionaryIssue("warning", line or None, theme_id, text, f"{name}: {exc}")
                )
        themes.append(
            Theme(
                id=theme_id,
                label=_label(name),
                terms=terms,
                parent=ids.get(parent) if parent else None,
            )
        )
    # A theme with no terms of its own keeps its sub-themes; drop empty leaves.
    keep = [t for t in themes if t.terms or any(c.parent == t.id for c in themes)]
    if not keep:
        raise DictionaryError(f"{path.name} has no entries sendconsult could import.")
    ordered: list[Theme] = []
    for theme in (t for t in keep if t.parent is None):
        ordered.append(theme)
        ordered.extend(_descendants(theme.id, keep))
    return ThemeDictionary(
        themes=ordered, source=path, sha256=file_sha256(path), name=path.stem
    ), issues


def _descendants(theme_id: str, themes: list[Theme]) -> list[Theme]:
    result: list[Theme] = []
    for child in (t for t in themes if t.parent == theme_id):
        result.append(child)
        result.extend(_descendants(child.id, themes))
    return result


def _label(name: str) -> str:
    label = name.strip().replace("_", " ")
    return label.capitalize() if label.isupper() else label


def _snake(text: str) -> str:
    snake = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return snake if snake and snake[0].isalpha() else f"theme_{snake}"


def _unique_id(base: str, taken) -> str:  # noqa: ANN001
    taken = set(taken)
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    return candidate
