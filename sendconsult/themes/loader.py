"""Loading an officer's theme dictionary, with errors that name the file, line and term.

The YAML format (see the README for a worked example):

    name: SEND strategy themes          # optional
    themes:
      - id: personal_budgets            # snake_case, unique
        label: Personal budgets         # as printed in reports
        description: ...                # optional
        terms:                          # phrases, word* wildcards, "a NEAR/5 b",
          - personal budget             # or {near: [a, b], within: 5}
        weak: [worker]                  # optional: terms that count only beside a second
                                        # term of the theme in the same answer
        exclude: [school budget]        # optional: phrases that cancel a match nearby
        subthemes: [...]                # optional, same shape; a match codes the parent too

A dictionary can also be a spreadsheet with `theme` and `term` columns (see tabular.py).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml

from sendconsult.errors import DictionaryError
from sendconsult.themes.model import Term, Theme, ThemeDictionary, file_sha256
from sendconsult.themes.terms import TermSyntaxError, near_term, parse_term

TOP_KEYS = {"name", "version", "description", "themes"}
THEME_KEYS = {"id", "label", "description", "terms", "weak", "exclude", "subthemes"}
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class _Str(str):
    """A YAML string that remembers its line."""

    line: int


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that records where every mapping and string starts."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__key_lines__"] = {
        str(key_node.value): key_node.start_mark.line + 1 for key_node, _ in node.value
    }
    return mapping


def _construct_str(loader: _LineLoader, node: yaml.ScalarNode) -> _Str:
    value = _Str(loader.construct_scalar(node))
    value.line = node.start_mark.line + 1
    return value


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)


def load_dictionary(path: Path) -> ThemeDictionary:
    """Read a theme dictionary (YAML, or a CSV/XLSX sheet of theme and term columns)."""
    path = Path(path)
    if not path.exists():
        raise DictionaryError(
            f"Theme dictionary {path} was not found; check the path given to --themes."
        )
    if path.is_dir():
        raise DictionaryError(f"{path} is a folder; give the theme dictionary file inside it.")
    suffix = path.suffix.lower()
    if suffix in {".csv", ".xlsx"}:
        from sendconsult.themes.tabular import load_tabular

        return load_tabular(path)
    if suffix not in {".yaml", ".yml"}:
        raise DictionaryError(
            f"{path.name} is not a theme dictionary sendconsult reads directly (YAML, CSV or XLSX); "
            f"convert it with: sendconsult themes import {path.name} --out themes.yaml"
        )
    text = path.read_text(encoding="utf-8-sig")
    try:
        raw = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DictionaryError(
            f"{path.name}{where}: this is not valid YAML ({problem}); check the indentation and "
            "that phrases containing ':' or '#' are in quotes."
        ) from exc
    return parse_dictionary(raw, path)


def parse_dictionary(raw: Any, path: Path) -> ThemeDictionary:
    """Validate loaded YAML into a ThemeDictionary."""
    name = path.name
    if not isinstance(raw, dict) or "themes" not in raw:
        raise DictionaryError(
            f"{name}: the file must start with 'themes:' followed by a list of themes (see the README)."
        )
    _check_keys(name, raw, TOP_KEYS, "the file")
    themes_raw = raw["themes"]
    if not isinstance(themes_raw, list) or not themes_raw:
        raise DictionaryError(
            f"{name} line {_line(raw, 'themes')}: 'themes' must be a list of at least one theme."
        )
    themes: list[Theme] = []
    for theme_raw in themes_raw:
        themes.extend(_theme(name, theme_raw, parent=None))
    seen: dict[str, int | None] = {}
    for theme in themes:
        if theme.id in seen:
            raise DictionaryError(
                f"{name} line {theme.line}: theme id '{theme.id}' is used twice (also line "
                f"{seen[theme.id]}); give each theme its own id."
            )
        seen[theme.id] = theme.line
    dictionary_name = raw.get("name")
    return ThemeDictionary(
        themes=themes,
        source=path,
        sha256=file_sha256(path),
        name=str(dictionary_name) if dictionary_name else path.stem,
    )


def _theme(name: str, raw: Any, parent: str | None) -> list[Theme]:
    if not isinstance(raw, dict):
        line = getattr(raw, "line", "?")
        raise DictionaryError(
            f"{name} line {line}: each theme must be a block with 'id:', 'label:' and 'terms:' lines."
        )
    line = raw["__line__"]
    _check_keys(name, raw, THEME_KEYS, "a theme")
    theme_id = raw.get("id")
    if not isinstance(theme_id, str) or not theme_id.strip():
        raise DictionaryError(
            f"{name} line {line}: a theme has no 'id:'; add one in snake_case, e.g. id: short_breaks."
        )
    if not ID_PATTERN.match(theme_id):
        raise DictionaryError(
            f"{name} line {_line(raw, 'id')}: theme id '{theme_id}' must be snake_case (lower-case "
            f"letters, digits and _), e.g. '{_snake(theme_id)}'."
        )
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise DictionaryError(
            f"{name} line {line}: theme '{theme_id}' has no 'label:'; add the name to print in reports."
        )
    description = raw.get("description") or ""
    terms = _terms(name, raw, "terms", theme_id)
    weak = _terms(name, raw, "weak", theme_id)
    exclude = _terms(name, raw, "exclude", theme_id)
    subthemes_raw = raw.get("subthemes") or []
    if not isinstance(subthemes_raw, list):
        raise DictionaryError(
            f"{name} line {_line(raw, 'subthemes')}: 'subthemes' of '{theme_id}' must be a list."
        )
    children: list[Theme] = []
    for child in subthemes_raw:
        children.extend(_theme(name, child, parent=theme_id))
    if not terms and not weak and not any(c.terms or c.weak for c in children):
        raise DictionaryError(
            f"{name} line {line}: theme '{theme_id}' has no terms; add words under 'terms:' or delete the theme."
        )
    theme = Theme(
        id=str(theme_id),
        label=str(label).strip(),
        description=str(description).strip(),
        terms=terms,
        exclude=exclude,
        parent=parent,
        line=line,
        weak=weak,
    )
    return [theme, *children]


def _terms(name: str, raw: dict[str, Any], key: str, theme_id: str) -> list[Term]:
    items = raw.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise DictionaryError(
            f"{name} line {_line(raw, key)}: '{key}' of theme '{theme_id}' must be a list, one term per line starting with '- '."
        )
    terms: list[Term] = []
    for item in items:
        line = (
            getattr(item, "line", None)
            or (item.get("__line__") if isinstance(item, dict) else None)
            or _line(raw, key)
        )
        try:
            if isinstance(item, dict):
                terms.append(_structured_near(item, line))
            elif isinstance(item, str):
                terms.append(parse_term(str(item), line))
            else:
                raise TermSyntaxError(
                    f'term {item!r} is a number or empty; put it in quotes, e.g. "{item}"'
                )
        except TermSyntaxError as exc:
            raise DictionaryError(f"{name} line {line}: theme '{theme_id}' {exc}.") from exc
    return terms


def _structured_near(item: dict[str, Any], line: int) -> Term:
    words = item.get("near")
    within = item.get("within")
    extra = set(item) - {"near", "within", "__line__", "__key_lines__"}
    if extra or not (
        isinstance(words, list) and len(words) == 2 and all(isinstance(w, str) for w in words)
    ):
        raise TermSyntaxError("a structured term must be 'near: [word, word]' with 'within: N'")
    if not isinstance(within, int) or isinstance(within, bool):
        raise TermSyntaxError(f"'near: [{words[0]}, {words[1]}]' needs 'within:' a number of words")
    return near_term(str(words[0]), str(words[1]), within, line)


def _check_keys(name: str, raw: dict[str, Any], allowed: set[str], what: str) -> None:
    lines = raw.get("__key_lines__", {})
    for key in raw:
        if key in {"__line__", "__key_lines__"} or key in allowed:
            continue
        close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else f"allowed keys are {', '.join(sorted(allowed))}."
        )
        raise DictionaryError(
            f"{name} line {lines.get(key, raw.get('__line__'))}: unknown key '{key}' in {what}; {hint}"
        )


def _line(raw: dict[str, Any], key: str) -> int:
    return raw.get("__key_lines__", {}).get(key, raw.get("__line__", 0))


def _snake(text: str) -> str:
    snake = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return snake if snake and snake[0].isalpha() else f"theme_{snake}"
