"""What classification produces: codes per response and the evidence behind each one."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Match:
    """One place where a dictionary term matched an answer.

    `start`/`end` are character offsets into the answer text (`answer[start:end] == matched`),
    so a report can highlight the words. A match that a negation or an exclude phrase vetoed is
    kept (for `explain` and `evaluate`) with `vetoed_by` saying why, but does not code the theme.
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


@dataclass
class Coding:
    """The themes of every response.

    `codes`: one row per response in survey order, index = response_id, one int 0/1 column per
    top-level theme id (dictionary order). `matches`: per response_id, every match including
    vetoed ones; `evidence(rid)` gives the ones that count.
    """

    theme_ids: list[str]
    codes: pd.DataFrame
    matches: dict[str, list[Match]] = field(default_factory=dict)

    def evidence(self, response_id: str, theme_id: str | None = None) -> list[Match]:
        found = [m for m in self.matches.get(response_id, []) if m.counts]
        if theme_id is not None:
            found = [m for m in found if m.theme_id == theme_id]
        return found

    def themes_of(self, response_id: str) -> list[str]:
        row = self.codes.loc[response_id]
        return [t for t in self.theme_ids if int(row[t]) == 1]

    def coded_ids(self, theme_id: str) -> list[str]:
        column = self.codes[theme_id]
        return list(column.index[column == 1])
