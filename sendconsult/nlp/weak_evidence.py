"""Weak evidence: terms that code a theme only beside a second term of the theme.

Some words are evidence of a theme only in company: "taxi" in a story about a distant placement
is not a complaint about transport, but "the taxi had no escort" is. A dictionary lists such
words under a theme's `weak:`. The rule, decided once per answer after exclude phrases and
negation have had their say:

    A weak term's match counts only when the same answer also holds a counting match of the
    same theme (its sub-themes and parent included) by a strong term (one listed under
    `terms:`), or by a different weak term on other words.

So "taxi" alone codes nothing, "taxi" and "escort" (strong) codes transport, and so do two
different weak terms together; the same weak word twice does not. A negated or excluded match
supports nothing. Every path that decides codes (a whole export, one text, explain, evaluate,
themes check) goes through `WeakRules.decide`; the parse cache keeps candidates, not decisions,
so it is unaffected.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sendconsult.coding import Match, MatchRow
    from sendconsult.themes.model import ThemeDictionary

WEAK_VETO = "weak: {term}, needs a second term of the theme"
WEAK_RULE = (
    "A weak term counts only when the same answer also has a strong term of the theme, or a "
    "second, different weak term on other words."
)


@dataclass(frozen=True)
class WeakRules:
    """For each rule of a classifier (by its order): is its term weak, which top-level theme it
    codes, and its term as written."""

    weak: tuple[bool, ...]
    root: tuple[str, ...]
    term: tuple[str, ...]

    @property
    def any(self) -> bool:
        return any(self.weak)

    @functools.cached_property
    def flags(self) -> np.ndarray:
        """`weak` as a boolean array, to pick out at once the rows of weak terms."""
        return np.array(self.weak, dtype=bool)

    def decide(self, rows: list[MatchRow]) -> list[MatchRow]:
        """One answer's match rows with every unsupported weak match vetoed (see module doc)."""
        weak, root, term = self.weak, self.root, self.term
        counting = [r for r in rows if r[5] is None]
        weak_rows = [r for r in counting if weak[r[0]]]
        if not weak_rows:
            return rows
        strong_roots = {root[r[0]] for r in counting if not weak[r[0]]}
        decided: list[MatchRow] = []
        for row in rows:
            order = row[0]
            unsupported = (
                row[5] is None
                and weak[order]
                and root[order] not in strong_roots
                and not any(_supports(other, row, root, term) for other in weak_rows)
            )
            if unsupported:
                row = (*row[:5], WEAK_VETO.format(term=term[order]))
            decided.append(row)
        return decided


def _supports(other: MatchRow, row: MatchRow, root: Sequence[str], term: Sequence[str]) -> bool:
    """Whether weak match `other` supports weak match `row`: same theme, another term, other
    words."""
    a, b = other[0], row[0]
    return (
        root[a] == root[b]
        and term[a].lower() != term[b].lower()
        and (other[2] <= row[1] or row[2] <= other[1])
    )


def weak_terms(dictionary: ThemeDictionary) -> frozenset[tuple[str, str]]:
    """(theme id, term) of every weak term, as a Match names them (rule_theme_id, term)."""
    return frozenset((theme.id, t.text) for theme in dictionary.themes for t in theme.weak)


def decided_by(
    match: Match, answer_matches: Iterable[Match], weak: frozenset[tuple[str, str]]
) -> str | None:
    """Which rule let a weak match count, for explain and evaluate: 'weak + strong (escort)' or
    'weak + weak (minibus)'; None for a strong term's match or one that does not count."""
    if not match.counts or (match.rule_theme_id, match.term) not in weak:
        return None
    others = [
        m
        for m in answer_matches
        if m.counts and m.theme_id == match.theme_id and m is not match
    ]
    strong = [m for m in others if (m.rule_theme_id, m.term) not in weak]
    if strong:
        return f"weak + strong ({strong[0].term})"
    second = [m for m in others if m.term.lower() != match.term.lower()]
    return f"weak + weak ({second[0].term})" if second else "weak"
