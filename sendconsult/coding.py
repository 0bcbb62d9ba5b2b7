"""What classification produces: codes per response and the evidence behind each one."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd


class Match(NamedTuple):
    """One place where a dictionary term matched an answer.

    `start`/`end` are character offsets into the answer text (`answer[start:end] == matched`),
    so a report can highlight the words. A match that a negation or an exclude phrase vetoed is
    kept (for `explain` and `evaluate`) with `vetoed_by` saying why, but does not code the theme.
    A named tuple: a run makes one per mention (600,000 at 100,000 responses), and a tuple is
    made three times faster than a frozen dataclass.
    """

    theme_id: str
    rule_theme_id: str
    term: str
    matched: str
    question: str
    start: int
    end: int
    sentence: str
    vetoed_by: str | None = None

    @property
    def counts(self) -> bool:
        return self.vetoed_by is None


# A Match from a tuple of its fields, without the named tuple's keyword handling: a run makes
# one per mention (600,000 at 100,000 responses).
match_from = functools.partial(tuple.__new__, Match)

# A match without its answer, as the classifier resolves it: (rule order, start, end, sentence
# start, sentence end, veto), with character offsets into the text it was found in. Parsing
# processes send these back; nlp.engine.ThemeClassifier.matches_of makes the Matches.
MatchRow = tuple[int, int, int, int, int, str | None]


@dataclass
class Coding:
    """The themes of every response.

    `codes`: one row per response in survey order, index = response_id, one int 0/1 column per
    top-level theme id (dictionary order). `matches`: per response_id, every match including
    vetoed ones; `evidence(rid)` gives the ones that count. `overridden`: the cells an officer
    set by hand (overrides.py); their code may have no evidence, or evidence that was overruled.
    `answer_codes`: the codes of each answer as classification found them, one row (response's
    row in `codes`, position in `questions`, theme's position in `theme_ids`) per code, for the
    tables by question (a row may repeat, for an answer too long to parse whole).
    """

    theme_ids: list[str]
    codes: pd.DataFrame
    matches: dict[str, list[Match]] = field(default_factory=dict)
    overridden: set[tuple[str, str]] = field(default_factory=set)  # (response_id, theme_id)
    answer_codes: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), dtype=np.int64))
    questions: list[str] = field(default_factory=list)
    _by_theme: dict[str, dict[str, list[Match]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def evidence(self, response_id: str, theme_id: str | None = None) -> list[Match]:
        """The matches that count for a response (for one theme, if given)."""
        if theme_id is not None:
            return list(self._evidence_index().get(theme_id, {}).get(response_id, ()))
        return [m for m in self.matches.get(response_id, []) if m.counts]

    def evidence_by_response(self, theme_id: str) -> dict[str, list[Match]]:
        """The counting matches of one theme, by response, in survey order."""
        return self._evidence_index().get(theme_id, {})

    def _evidence_index(self) -> dict[str, dict[str, list[Match]]]:
        """Counting matches by theme and response, built once: reports ask for every pair."""
        if self._by_theme is None:
            index: dict[str, dict[str, list[Match]]] = {}
            for rid, found in self.matches.items():
                for m in found:
                    if m.vetoed_by is None:
                        index.setdefault(m.theme_id, {}).setdefault(rid, []).append(m)
            self._by_theme = index
        return self._by_theme

    def themes_of(self, response_id: str) -> list[str]:
        row = self.codes.loc[response_id]
        return [t for t in self.theme_ids if int(row[t]) == 1]

    def coded_ids(self, theme_id: str) -> list[str]:
        """The responses coded to a theme, in survey order."""
        return self.codes.index[self.codes[theme_id].to_numpy() == 1].tolist()
