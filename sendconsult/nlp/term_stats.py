"""What each dictionary term catches in an export: hit counts, dead terms, keyword in context,
and the warnings `analyse` gives about themes and terms that found nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING

from sendconsult.coding import Coding
from sendconsult.survey import Survey
from sendconsult.themes.model import Term, ThemeDictionary

if TYPE_CHECKING:
    from sendconsult.nlp.engine import ThemeClassifier


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


SHOWN_DEAD_TERMS = 8


@dataclass(frozen=True)
class DictionaryFindings:
    """What the dictionary found nothing for in one export, by theme label."""

    silent_themes: list[str]  # a warning per theme that coded no response
    dead_terms: list[str]  # per theme, the terms that matched nothing
    n_dead_terms: int

    @property
    def all(self) -> list[str]:
        """Every finding, in dictionary order, as the Method sheet lists them."""
        return [*self.silent_themes, *self.dead_terms]

    @property
    def run_warnings(self) -> list[str]:
        """What a run warns about: each silent theme, and the dead terms in one line (a broad
        dictionary always has some; they are listed on the Method sheet)."""
        if not self.n_dead_terms:
            return self.silent_themes
        return [
            *self.silent_themes,
            f"{self.n_dead_terms} terms of {len(self.dead_terms)} themes matched no answer in "
            "this export; the Method sheet lists them under Dictionary warnings.",
        ]


def dictionary_warnings(
    dictionary: ThemeDictionary, coding: Coding, classifier: ThemeClassifier
) -> DictionaryFindings:
    """Each theme (by label) that coded no response, and each theme's terms that matched
    nothing at all: a theme reading 0 in a published table must be a finding, not a slip in
    the dictionary that nobody noticed.

    Where two terms of a theme find the same words the first listed names the match, so a
    term can match and still name nothing ("buses" after "bus"); such terms are not called
    dead (see _named_by_another)."""
    # A run holds a match per mention (hundreds of thousands): counted with C-level iterators.
    every = list(chain.from_iterable(coding.matches.values()))
    found = set(map(attrgetter("rule_theme_id", "term"), every))
    counted = {m.rule_theme_id for m in every if m.vetoed_by is None}
    vetoed = Counter(m.rule_theme_id for m in every if m.vetoed_by is not None)
    families = {t.id: {t.id} for t in dictionary.themes}
    for theme in dictionary.themes:
        if theme.parent is not None:
            families[dictionary.root_of(theme.id)].add(theme.id)
    unmatched = [  # of themes that matched something: the others are reported whole
        (theme.id, t)
        for theme in dictionary.themes
        if families[theme.id] & counted
        for t in [*theme.terms, *theme.weak]
        if (theme.id, t.text) not in found
    ]
    named_by_another = _named_by_another(classifier, unmatched)
    warnings: list[str] = []
    dead_terms: list[str] = []
    n_dead = 0
    for theme in dictionary.themes:
        label = _label(dictionary, theme.id)
        if not families[theme.id] & counted:
            not_counted = sum(vetoed.get(t, 0) for t in families[theme.id])
            why = {0: "", 1: " (its one mention was negated, excluded or a weak term alone)"}.get(
                not_counted,
                f" (its {not_counted} mentions were all negated, excluded or weak terms alone)",
            )
            warnings.append(
                f"Theme '{label}' matched no response in this export{why}; check its terms "
                "against how respondents wrote."
            )
            continue
        dead = [
            t.text
            for theme_id, t in unmatched
            if theme_id == theme.id and (theme_id, t.text) not in named_by_another
        ]
        if dead:
            shown = ", ".join(dead[:SHOWN_DEAD_TERMS])
            more = f" and {len(dead) - SHOWN_DEAD_TERMS} more" if len(dead) > SHOWN_DEAD_TERMS else ""
            dead_terms.append(f"Terms of '{label}' that matched nothing: {shown}{more}.")
            n_dead += len(dead)
    return DictionaryFindings(warnings, dead_terms, n_dead)


def _named_by_another(
    classifier: ThemeClassifier, terms: list[tuple[str, Term]]
) -> set[tuple[str, str]]:
    """The (theme id, term) pairs where another term of the theme names a match in the term's
    own words ("bus" in "buses", "SENCO*" in "SENCo"): their matches may all have been named
    by that term."""
    from sendconsult.nlp.workers import find_rows

    texts = [" ".join(w.removesuffix("*") for w in term.words) for _, term in terms]
    named: set[tuple[str, str]] = set()
    for (theme_id, term), text, rows in zip(terms, texts, find_rows(classifier, texts), strict=True):
        matches = classifier.matches_of(rows, text, "")
        if any(m.rule_theme_id == theme_id and m.term != term.text for m in matches):
            named.add((theme_id, term.text))
    return named


def _label(dictionary: ThemeDictionary, theme_id: str) -> str:
    theme = dictionary.theme(theme_id)
    if theme.parent is None:
        return theme.label
    return f"{_label(dictionary, theme.parent)} > {theme.label}"


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
