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
from sendconsult.themes.validate import DictionaryIssue

TOP_KEYS = {"name", "version", "description", "themes"}
THEME_KEYS = {"id", "label", "description", "terms", "weak", "exclude", "subthemes"}
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


MAX_SYNTAX_ERRORS = 20  # reported in one run; more usually means one mistake repeated
SHOWN_TERM_CHARS = 60  # a folded term can be hundreds of characters: show its start


class _Str(str):
    """A YAML string that remembers its lines and whether it was written without quotes."""

    line: int
    end_line: int
    plain: bool


class _List(list):
    """A YAML list that remembers the line of each item (a number or an empty item has no
    line of its own)."""

    lines: list[int]


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
    value.end_line = node.end_mark.line + 1
    value.plain = node.style is None
    return value


def _construct_list(loader: _LineLoader, node: yaml.SequenceNode) -> _List:
    items = _List(loader.construct_sequence(node, deep=True))
    items.lines = [item.start_mark.line + 1 for item in node.value]
    return items


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)
_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)


def load_dictionary(path: Path) -> ThemeDictionary:
    """Read a theme dictionary (YAML, or a CSV/XLSX sheet of theme and term columns).

    Raises DictionaryError naming the first mistake (and how many more `themes check` lists).
    """
    if Path(path).suffix.lower() in {".csv", ".xlsx"} and Path(path).is_file():
        from sendconsult.themes.tabular import load_tabular

        return load_tabular(Path(path))
    dictionary, issues = read_dictionary(path)
    errors = [i for i in issues if i.level == "error"]
    if errors or dictionary is None:
        first = errors[0]
        more = (
            f" ({len(errors) - 1} more problem{'s' if len(errors) > 2 else ''}: see "
            f"sendconsult themes check {Path(path).name})"
            if len(errors) > 1
            else ""
        )
        raise DictionaryError(f"{_where(Path(path).name, first.line)}{first.message}{more}")
    return dictionary


def read_dictionary(path: Path) -> tuple[ThemeDictionary | None, list[DictionaryIssue]]:
    """A dictionary and every mistake found in it, each with its line, in one pass.

    YAML stops at its first syntax error; this reports it at the line that holds the mistake
    (an unclosed quote is found where it opens, not where YAML gave up), sets that line aside
    and reads the file again, so one run lists every syntax error and every invalid theme or
    term. The dictionary returned holds what was valid (None if nothing usable was found);
    with any error-level issue it must not be used for a report.
    """
    path = Path(path)
    if not path.exists():
        raise DictionaryError(
            f"Theme dictionary {path} was not found; check the path.", fix="themes-path"
        )
    if path.is_dir():
        raise DictionaryError(f"{path} is a folder; give the theme dictionary file inside it.")
    suffix = path.suffix.lower()
    if suffix in {".csv", ".xlsx"}:
        from sendconsult.themes.tabular import load_tabular

        try:
            return load_tabular(path), []
        except DictionaryError as exc:
            message = str(exc).removeprefix(f"{path.name} ")
            return None, [DictionaryIssue("error", None, "", "", message)]
    if suffix not in {".yaml", ".yml"}:
        raise DictionaryError(
            f"{path.name} is not a theme dictionary sendconsult reads directly (YAML, CSV or "
            "XLSX); convert it to YAML first.",
            fix="import-dictionary",
            name=path.name,
        )
    text = path.read_text(encoding="utf-8-sig")
    raw, problems = _read_yaml(text)
    if raw is None and problems:
        return None, problems
    return parse_dictionary(raw, path, problems)


def _read_yaml(text: str) -> tuple[Any, list[DictionaryIssue]]:
    """Parse YAML, setting aside each line with a syntax error until the rest parses."""
    lines = text.splitlines(keepends=True)
    problems: list[DictionaryIssue] = []
    set_aside: set[int] = set()
    for _ in range(MAX_SYNTAX_ERRORS):
        try:
            return yaml.load("".join(lines), Loader=_LineLoader), problems  # noqa: S506
        except yaml.YAMLError as exc:
            index, message, repaired = _syntax_problem(exc, lines)
            if index is None or index in set_aside:
                if index is None or not problems:
                    problems.append(DictionaryIssue("error", _line_of(index), "", "", message))
                return None, problems
            problems.append(DictionaryIssue("error", index + 1, "", "", message))
            set_aside.add(index)
            lines[index] = repaired
    return None, problems


def _line_of(index: int | None) -> int | None:
    return None if index is None else index + 1


def _syntax_problem(exc: yaml.YAMLError, lines: list[str]) -> tuple[int | None, str, str]:
    """(line index, short message, the line repaired or blanked) for a YAML syntax error."""
    mark = getattr(exc, "problem_mark", None)
    at = min(mark.line, len(lines) - 1) if mark is not None and lines else None
    context = str(getattr(exc, "context", None) or "")
    opened = getattr(exc, "context_mark", None)
    if context.startswith("while parsing a flow") and opened is not None:
        opener, closer = ("[", "]") if "sequence" in context else ("{", "}")
        return (
            opened.line,
            f"the '{opener}' opened on this line is not closed; add '{closer}' at the end of "
            "the list.",
            lines[opened.line].rstrip("\r\n") + closer + "\n",
        )
    unclosed = next(
        (i for i in range(len(lines)) if (at is None or i <= at) and _unclosed_quote(lines[i])),
        None,
    )
    if unclosed is not None:
        line = lines[unclosed]
        quote = _unclosed_quote(line)
        return (
            unclosed,
            f"the {'double' if quote == chr(34) else 'single'} quote opened on this line is not "
            f"closed; add {quote} at the end of the term, or remove the quote.",
            line.rstrip("\r\n") + quote + "\n",
        )
    problem = str(getattr(exc, "problem", None) or exc)
    if context.startswith("while scanning a simple key") and opened is not None:
        # YAML took a line for the start of a "key: value" and failed lines later
        return (
            opened.line,
            "this is not valid YAML: the line is neither a '- ' list item nor a 'key:' line; "
            "start a term with '- ' lined up with the others, or end a key with ':'.",
            "\n",
        )
    advice = _SYNTAX_ADVICE.get(_problem_kind(problem), _GENERAL_ADVICE)
    blank = "\n" if at is not None and at < len(lines) and lines[at].endswith("\n") else ""
    return at, advice, blank


def _problem_kind(problem: str) -> str:
    for kind in _SYNTAX_ADVICE:
        if kind in problem:
            return kind
    return ""


_GENERAL_ADVICE = (
    "this is not valid YAML; check the indentation, and put in quotes a term that holds ':' "
    "or '#' or starts with '*', '&', '!', '%', '@' or a quote."
)
_SYNTAX_ADVICE = {
    "\\t": "this is not valid YAML: a tab is used for indentation; indent with spaces.",
    "character '\\t'": "this is not valid YAML: a tab is used for indentation; indent with spaces.",
    "alias": (
        "this is not valid YAML: a term cannot start with '*' (YAML reads it as a reference); "
        "put the term in quotes, e.g. \"*word\", or delete the '*'."
    ),
    "anchor": (
        "this is not valid YAML: a term cannot start with '&' or '*'; put the term in quotes."
    ),
    "mapping values are not allowed": (
        "this is not valid YAML: a ':' where it cannot be (a term holding ':' must be in "
        "quotes) or a line indented further than the one above."
    ),
    "expected '-' indicator": (
        "this is not valid YAML: this line is not lined up with the list around it; line up "
        "its '- ' with the other terms."
    ),
    "expected <block end>": (
        "this is not valid YAML: this line is not lined up with the lines above it; check its "
        "indentation (each term's '- ' lined up with the others)."
    ),
    "could not find expected ':'": (
        "this is not valid YAML: a key without ':' or a line indented like a key; check the "
        "line ends 'terms:' and the indentation."
    ),
}


def _unclosed_quote(line: str) -> str | None:
    """The quote character a YAML value opens on this line and does not close, if any.

    Only a quote at the start of a value counts ("- 'x", "key: \"x", "[a, 'x"): an
    apostrophe inside a word, as in "- didn't turn up", is not a quote in YAML.
    """
    i, n = 0, len(line)
    value_start, flow = True, 0
    while i < n:
        char = line[i]
        if char == "#" and (i == 0 or line[i - 1] in " \t"):
            return None
        if char in "\"'" and value_start:
            close = _closing(line, i)
            if close is None:
                return char
            i = close + 1
            value_start = False
            continue
        separated = i + 1 == n or line[i + 1] in " \t\r\n"
        flow += (char in "[{") - (char in "]}")
        if char in "[{" or (char == "," and flow > 0) or (char in "-?:" and separated):
            value_start = True
        elif char not in " \t\r\n":
            value_start = False
        i += 1
    return None


def _closing(line: str, start: int) -> int | None:
    """Where the quote opened at `start` closes on this line (YAML escapes: \\" and '')."""
    quote, i = line[start], start + 1
    while i < len(line):
        if quote == '"' and line[i] == "\\":
            i += 2
            continue
        if line[i] == quote:
            if quote == "'" and i + 1 < len(line) and line[i + 1] == "'":
                i += 2
                continue
            return i
        i += 1
    return None


class _Problems:
    """The mistakes found while validating, in the order found."""

    def __init__(self, found: list[DictionaryIssue]) -> None:
        self.found = found

    def error(self, line: int | None, message: str, theme_id: str = "", term: str = "") -> None:
        self.found.append(DictionaryIssue("error", line, theme_id, term, message))


def parse_dictionary(
    raw: Any, path: Path, found: list[DictionaryIssue] | None = None
) -> tuple[ThemeDictionary | None, list[DictionaryIssue]]:
    """Validate loaded YAML into a ThemeDictionary, with every mistake found (see
    read_dictionary)."""
    problems = _Problems(found if found is not None else [])
    if not isinstance(raw, dict) or "themes" not in raw:
        problems.error(
            None,
            "the file must start with 'themes:' followed by a list of themes (see the README).",
        )
        return None, problems.found
    _check_keys(problems, raw, TOP_KEYS, "the file")
    themes_raw = raw["themes"]
    if not isinstance(themes_raw, list) or not themes_raw:
        problems.error(_line(raw, "themes"), "'themes' must be a list of at least one theme.")
        return None, problems.found
    themes: list[Theme] = []
    for theme_raw in themes_raw:
        themes.extend(_theme(problems, theme_raw, parent=None))
    seen: dict[str, int | None] = {}
    for theme in themes:
        if theme.id in seen:
            problems.error(
                theme.line,
                f"theme id '{theme.id}' is used twice (also line {seen[theme.id]}); give each "
                "theme its own id.",
                theme.id,
            )
        seen.setdefault(theme.id, theme.line)
    if not themes:
        return None, problems.found
    dictionary_name = raw.get("name")
    dictionary = ThemeDictionary(
        themes=themes,
        source=path,
        sha256=file_sha256(path),
        name=str(dictionary_name) if dictionary_name else path.stem,
    )
    return dictionary, problems.found


def _theme(problems: _Problems, raw: Any, parent: str | None) -> list[Theme]:
    """The theme (and its sub-themes) of one YAML block; [] when it cannot be used."""
    if not isinstance(raw, dict):
        problems.error(
            getattr(raw, "line", None),
            "each theme must be a block with 'id:', 'label:' and 'terms:' lines.",
        )
        return []
    line = raw["__line__"]
    _check_keys(problems, raw, THEME_KEYS, "a theme")
    theme_id = raw.get("id")
    if not isinstance(theme_id, str) or not theme_id.strip():
        problems.error(line, "a theme has no 'id:'; add one in snake_case, e.g. id: short_breaks.")
        return []
    if not ID_PATTERN.match(theme_id):
        problems.error(
            _line(raw, "id"),
            f"theme id '{theme_id}' must be snake_case (lower-case letters, digits and _), e.g. "
            f"'{_snake(theme_id)}'.",
            theme_id,
        )
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        problems.error(
            line, f"theme '{theme_id}' has no 'label:'; add the name to print in reports.", theme_id
        )
        label = theme_id
    description = raw.get("description") or ""
    terms = _terms(problems, raw, "terms", theme_id)
    weak = _terms(problems, raw, "weak", theme_id)
    exclude = _terms(problems, raw, "exclude", theme_id)
    subthemes_raw = raw.get("subthemes") or []
    if not isinstance(subthemes_raw, list):
        problems.error(
            _line(raw, "subthemes"), f"'subthemes' of '{theme_id}' must be a list.", theme_id
        )
        subthemes_raw = []
    children: list[Theme] = []
    for child in subthemes_raw:
        children.extend(_theme(problems, child, parent=theme_id))
    written = any(isinstance(raw.get(key), list) and raw[key] for key in ("terms", "weak"))
    if not (terms or weak or written or any(c.terms or c.weak for c in children)):
        problems.error(
            line,
            f"theme '{theme_id}' has no terms; add words under 'terms:' or delete the theme.",
            theme_id,
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


def _terms(problems: _Problems, raw: dict[str, Any], key: str, theme_id: str) -> list[Term]:
    items = raw.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        problems.error(
            _line(raw, key),
            f"'{key}' of theme '{theme_id}' must be a list, one term per line starting with '- '.",
            theme_id,
        )
        return []
    terms: list[Term] = []
    lines = getattr(items, "lines", None) or [_line(raw, key)] * len(items)
    for item, line in zip(items, lines, strict=True):
        if isinstance(item, _Str) and item.plain and item.end_line > item.line:
            problems.error(
                line,
                f"theme '{theme_id}' term '{_shown(item)}' runs lines {line} to "
                f"{item.end_line} together: a '- ' indented further than the line above is "
                "read as part of that term; line up each term's '- ' with the others.",
                theme_id,
                str(item),
            )
            continue
        try:
            if isinstance(item, dict):
                terms.append(_structured_near(item, line))
            elif isinstance(item, str):
                terms.append(parse_term(str(item), line))
            elif item is None:
                raise TermSyntaxError(
                    "has an empty term (a '- ' with nothing after it, or a term starting with "
                    "'&', which YAML reads as a label); delete the line or put the term in quotes"
                )
            else:
                raise TermSyntaxError(
                    f'term {item!r} is a number, not text; put it in quotes, e.g. "{item}"'
                )
        except TermSyntaxError as exc:
            problems.error(line, f"theme '{theme_id}' {exc}.", theme_id, str(item))
    return terms


def _shown(text: str) -> str:
    """A term as a message shows it: whitespace made single, long ones cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= SHOWN_TERM_CHARS else flat[: SHOWN_TERM_CHARS - 1] + "…"


def _where(name: str, line: int | None) -> str:
    return f"{name} line {line}: " if line else f"{name}: "


def _structured_near(item: dict[str, Any], line: int) -> Term:
    words = item.get("near")
    within = item.get("within")
    extra = set(item) - {"near", "within", "__line__", "__key_lines__"}
    if "near" not in item and len(extra) == 1:
        key = next(iter(extra))
        raise TermSyntaxError(
            f"term '{key}: {item[key]}' holds ':', which YAML reads as a key; put the term in "
            f"quotes, e.g. \"{key}: {item[key]}\""
        )
    if extra or not (
        isinstance(words, list) and len(words) == 2 and all(isinstance(w, str) for w in words)
    ):
        raise TermSyntaxError("a structured term must be 'near: [word, word]' with 'within: N'")
    if not isinstance(within, int) or isinstance(within, bool):
        raise TermSyntaxError(f"'near: [{words[0]}, {words[1]}]' needs 'within:' a number of words")
    return near_term(str(words[0]), str(words[1]), within, line)


def _check_keys(problems: _Problems, raw: dict[str, Any], allowed: set[str], what: str) -> None:
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
        problems.error(lines.get(key, raw.get("__line__")), f"unknown key '{key}' in {what}; {hint}")


def _line(raw: dict[str, Any], key: str) -> int:
    return raw.get("__key_lines__", {}).get(key, raw.get("__line__", 0))


def _snake(text: str) -> str:
    snake = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return snake if snake and snake[0].isalpha() else f"theme_{snake}"
