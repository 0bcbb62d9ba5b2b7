"""What each dictionary term catches in an export: hit counts, dead terms, keyword in context."""

from __future__ import annotations

from dataclasses import dataclass

from sendconsult.coding import Coding
from sendconsult.survey import Survey
from sendconsult.themes.model import ThemeDictionary


@dataclass(frozen=True)
class TermHits:
    """How many responses one term coded, and how many of its matches were vetoed."""

    theme_id: str
    term: str
    line: int | None
    responses: int
    vetoed: int


@dataclass(frozen=True)
class KwicLine:
    """One occurrence of a term with its context, for reading what a term catches."""

    response_id: str
    question: str
    left: str
    keyword: str
    right: str
    counts: bool
    vetoed_by: str | None


def term_hits(dictionary: ThemeDictionary, coding: Coding) -> list[TermHits]:
    """Hits per term in dictionary order; terms with no hits are the dead ones."""
    responses: dict[tuple[str, str], set[str]] = {}
    vetoed: dict[tuple[str, str], int] = {}
    for response_id, matches in coding.matches.items():
        for m in matches:
            key = (m.rule_theme_id, m.term)
            if m.counts:
                responses.setdefault(key, set()).add(response_id)
            else:
                vetoed[key] = vetoed.get(key, 0) + 1
    hits: list[TermHits] = []
    for theme in dictionary.themes:
        for term in [*theme.terms, *theme.weak]:
            key = (theme.id, term.text)
            hits.append(
                TermHits(
                    theme.id, term.text, term.line, len(responses.get(key, ())), vetoed.get(key, 0)
                )
            )
    return hits


def kwic(
    survey: Survey, coding: Coding, term: str, *, width: int = 50, limit: int | None = None
) -> list[KwicLine]:
    """Keyword-in-context lines for one term (as written in the dictionary, any case)."""
    wanted = term.strip().lower()
    lines: list[KwicLine] = []
    for response_id, matches in coding.matches.items():
        texts = survey.texts(response_id)
        for m in matches:
            if m.term.lower() != wanted:
                continue
            text = texts.get(m.question, "")
            left = _flat(text[max(0, m.start - width) : m.start])
            right = _flat(text[m.end : m.end + width])
            lines.append(
                KwicLine(
                    response_id,
                    m.question,
                    left,
                    text[m.start : m.end],
                    right,
                    m.counts,
                    m.vetoed_by,
                )
            )
            if limit is not None and len(lines) >= limit:
                return lines
    return lines


def _flat(text: str) -> str:
    return " ".join(text.split()) if text.strip() else ""
