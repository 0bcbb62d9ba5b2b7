"""The normalised survey: what ingest produces and everything downstream reads.

Whatever tool wrote the export (Citizen Space, SurveyMonkey, MS Forms, Google Forms, Qualtrics,
anything else), it becomes one `Survey`: one row per response with a stable `response_id`, the
respondent groups as a list, the consent decision, and the closed and free-text answers keyed by
question text. Column roles are recorded so reports can say how the export was read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd


class Role(StrEnum):
    """What a column of the export holds."""

    ID = "id"
    GROUP = "group"
    CLOSED = "closed"
    TEXT = "text"
    CONSENT = "consent"
    PERSONAL = "personal"  # names, contacts, organisations, register numbers: never shown
    METADATA = "metadata"
    IGNORED = "ignored"


class Consent(StrEnum):
    """A respondent's publication decision. Unknown when the export has no consent question."""

    PUBLISH = "publish"
    ANONYMOUS = "anonymous"
    WITHHOLD = "withhold"
    UNKNOWN = "unknown"


class Layout(StrEnum):
    """The survey tool whose export layout was recognised."""

    CITIZEN_SPACE = "citizen_space"
    SURVEYMONKEY = "surveymonkey"
    MS_FORMS = "ms_forms"
    GOOGLE_FORMS = "google_forms"
    QUALTRICS = "qualtrics"
    GENERIC = "generic"


@dataclass(frozen=True)
class ColumnInfo:
    """One column of the export as it was read: its role and why."""

    name: str
    role: Role
    reason: str
    fill_rate: float = 0.0
    mean_words: float = 0.0
    distinct: int = 0


# Fixed column names of Survey.responses, besides one column per question.
RESPONSE_ID = "response_id"
SOURCE_ROW = "source_row"
GROUPS = "groups"
GROUPS_RAW = "groups_raw"
CONSENT = "consent"
FIXED_COLUMNS = (RESPONSE_ID, SOURCE_ROW, GROUPS, GROUPS_RAW, CONSENT)
# Kinds of answer that say nothing about the questions, whatever the language setting.
SET_ASIDE_KINDS = ("attachment", "test")


@dataclass
class Survey:
    """A consultation export, normalised.

    `responses` has the FIXED_COLUMNS (response_id: str, unique; source_row: int, the 1-based
    row in the file as a spreadsheet shows it; groups: list[str]; groups_raw: str as exported;
    consent: Consent) and then one column per question in `text_questions` and
    `closed_questions`, keyed by question text. Free-text cells hold str or None (None for blanks
    and non-answers such as "N/A"); closed cells hold str or None.
    """

    source: Path
    layout: Layout
    responses: pd.DataFrame
    text_questions: list[str]
    closed_questions: list[str]
    columns: list[ColumnInfo]
    group_column: str | None = None
    consent_column: str | None = None
    id_column: str | None = None
    group_options: list[str] = field(default_factory=list)
    other_texts: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    sheet: str | None = None
    # Free-text answers left out of the denominators, by (response ID, question): "attachment"
    # (the answer only points to an attached document), "test", or the answer's language code
    # when it is not the dictionary's language (see `language`).
    set_aside: dict[tuple[str, str], str] = field(default_factory=dict)
    language: str = "en"  # the theme dictionary's language
    include_other_languages: bool = False  # answers in other languages count in denominators
    _text_index: tuple[tuple[int, tuple[str, ...]], dict] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def n_responses(self) -> int:
        return len(self.responses)

    def consent_by_id(self) -> dict[str, Consent | None]:
        """Each response's publication decision, by response ID."""
        frame = self.responses
        return dict(zip(frame[RESPONSE_ID], frame[CONSENT], strict=True))

    def texts(self, response_id: str) -> dict[str, str]:
        """The non-empty free-text answers of one response, by question."""
        return dict(self._texts_by_id().get(response_id, ()))

    def _texts_by_id(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """Every response's non-empty answers, built once: reports look up thousands."""
        key = (id(self.responses), tuple(self.text_questions))
        if self._text_index is None or self._text_index[0] != key:
            frame = self.responses
            rows = frame[self.text_questions].itertuples(index=False)
            index = {
                rid: tuple(
                    (q, v)
                    for q, v in zip(self.text_questions, row, strict=True)
                    if isinstance(v, str) and v
                )
                for rid, row in zip(frame[RESPONSE_ID], rows, strict=True)
            }
            self._text_index = (key, index)
        return self._text_index[1]

    def has_any_text(self) -> pd.Series:
        """Boolean per response: has at least one free-text answer, whatever it says."""
        answers = self._texts_by_id()  # built once, and needed by every report anyway
        ids = self.responses[RESPONSE_ID].tolist()
        flags = np.fromiter(map(bool, map(answers.__getitem__, ids)), dtype=bool, count=len(ids))
        return pd.Series(flags, index=self.responses.index)

    def counts_answer(self, response_id: str, question: str) -> bool:
        """Whether an answer counts in the denominators: not an attachment pointer, not a test,
        and in the dictionary's language unless the officer included other languages."""
        note = self.set_aside.get((response_id, question))
        if note is None:
            return True
        return note not in SET_ASIDE_KINDS and self.include_other_languages

    def has_text(self) -> pd.Series:
        """Boolean per response: has at least one free-text answer that counts (see
        `counts_answer`). A respondent leaves the denominators only when every one of their
        answers is set aside."""
        any_text = self.has_any_text()
        if not self.set_aside:
            return any_text
        touched = {rid for rid, _ in self.set_aside}
        ids = self.responses[RESPONSE_ID]
        flags = any_text.to_numpy().copy()
        for index in [i for i, rid in enumerate(ids) if rid in touched]:
            rid = ids.iat[index]
            flags[index] = any(self.counts_answer(rid, q) for q in self.texts(rid))
        return pd.Series(flags, index=any_text.index)

    def set_aside_counts(self) -> dict[str, int]:
        """Answers set aside, by kind ("attachment", "test") or language code."""
        counts: dict[str, int] = {}
        for note in self.set_aside.values():
            counts[note] = counts.get(note, 0) + 1
        return counts
