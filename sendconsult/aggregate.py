"""Every number in the report, computed once here; report modules only display them.

Denominators: a theme's share is of respondents who gave any free text (only they could raise
a theme) that counts: answers that only point to an attachment, tests, and answers in another
language than the dictionary's (unless the officer includes them) are set aside, and a
respondent leaves the denominators only when every one of their answers is set aside. A respondent in two groups counts in both groups' columns; "All" counts each
respondent once, so group columns do not add up to "All". With campaigns counted once, each
campaign keeps one representative response and its other members are left out of the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sendconsult import crosstabs
from sendconsult.campaigns import CampaignResult
from sendconsult.coding import Coding
from sendconsult.crosstabs import Crosstab
from sendconsult.ingest.languages import language_name
from sendconsult.stats import GroupTest, compare_groups
from sendconsult.suppression import protect_listings, secondary, suppress_by_group
from sendconsult.survey import CONSENT, GROUPS, RESPONSE_ID, SET_ASIDE_KINDS, Consent, Survey
from sendconsult.textcat import Suggestions
from sendconsult.themes.model import ThemeDictionary

ALL = "All"
NOT_STATED = "Not stated"
OTHER_GROUPS = "Other groups"
GROUP_NOT_SHOWN = "Group not shown (small numbers)"
NO_ANSWER = "No answer"
LIKERT_ORDER = [
    "strongly agree", "agree", "tend to agree", "neither agree nor disagree", "tend to disagree",
    "disagree", "strongly disagree", "don't know", "dont know", "not sure",
]  # fmt: skip


@dataclass
class ClosedQuestion:
    """Answer counts and shares of one closed question, overall and by group."""

    question: str
    counts: pd.DataFrame  # rows: answers in order (incl. "No answer"); columns: All + groups
    shares: pd.DataFrame  # same shape, share of the column's respondents
    hidden: pd.DataFrame | None = None  # same shape: cells not to publish (suppression.py)
    secondary: pd.DataFrame | None = None  # hidden cells that are not small numbers ("[c]")

    @property
    def sizes(self) -> pd.Series:
        """Respondents per column (every answer, "No answer" included, adds up to it)."""
        return self.counts.sum()

    def headline(self) -> tuple[int, float, float] | None:
        """(respondents who answered, share who agree, share who disagree), over All, for an
        agree/disagree question; None when it is not one, or when a sum would reveal a hidden
        cell (a part of it is not published)."""
        agree = [a for a in self.counts.index if _side(a) == "agree"]
        disagree = [a for a in self.counts.index if _side(a) == "disagree"]
        if not agree or not disagree:
            return None
        parts = [*agree, *disagree, *([NO_ANSWER] if NO_ANSWER in self.counts.index else [])]
        if self.hidden is not None and bool(self.hidden.loc[parts, ALL].any()):
            return None
        column = self.counts[ALL]
        answered = int(column.sum() - (column.get(NO_ANSWER, 0)))
        if not answered:
            return None
        return (
            answered,
            int(column[agree].sum()) / answered,
            int(column[disagree].sum()) / answered,
        )

    def charted_groups(self) -> list[str]:
        """Group columns whose every figure is published: only these can be drawn in full."""
        hidden = self.hidden if self.hidden is not None else self.counts.astype(bool) & False
        return [c for c in self.counts.columns if c != ALL and not bool(hidden[c].any())]


@dataclass
class Aggregates:
    """The tables behind the report."""

    responses: int
    with_text: int
    coded: int
    theme_table: pd.DataFrame  # theme_id, label, respondents, share (of with_text), sorted
    groups: list[str]  # group columns in display order (largest first, Not stated last)
    group_sizes: dict[str, int]  # respondents with free text per group, plus ALL
    group_counts: pd.DataFrame  # index theme_id; columns ALL + groups
    group_shares: pd.DataFrame
    tests: dict[str, GroupTest]
    closed: list[ClosedQuestion] = field(default_factory=list)
    excluded_campaign_responses: int = 0
    # With a trained classifier: per theme, responses it suggests (not counted anywhere else).
    suggested: dict[str, int] | None = None
    suggested_responses: int = 0
    # Respondents with free text whose every answer was set aside (so not in `with_text`).
    respondents_set_aside: int = 0
    # Disclosure control (suppression.py), decided here once for every sheet.
    threshold: int = 0
    group_hidden: pd.DataFrame | None = None  # like group_counts: cells not to publish
    group_secondary: pd.DataFrame | None = None  # hidden cells that are not small ("[c]")
    group_of: dict[str, str] = field(default_factory=dict)  # exported group -> shown column
    pooled: list[str] = field(default_factory=list)  # exported groups shown as OTHER_GROUPS
    # Crosstabs (crosstabs.py): by free-text question, by closed answer, themes together.
    by_question: Crosstab | None = None
    by_answer: list[Crosstab] = field(default_factory=list)
    together: Crosstab | None = None

    def theme_hidden(self, theme_id: str) -> bool:
        """Whether the theme's respondent count (the All column) is not published."""
        return self.group_hidden is not None and bool(self.group_hidden.at[theme_id, ALL])

    def columns_of(self, exported: list[str] | tuple[str, ...]) -> list[str]:
        """The shown group columns a respondent with these exported groups counts in."""
        raw = list(exported) or [NOT_STATED]
        return list(dict.fromkeys(self.group_of.get(g, g) for g in raw))

    def group_label(self, exported: list[str] | tuple[str, ...], theme_id: str | None = None) -> str:
        """How a listed answer's respondent is described: the shown columns they count in
        (never an exported group too small to publish); with `theme_id`, only the columns
        whose count for that theme is published, so that counting listed answers cannot
        recover a hidden count."""
        columns = self.columns_of(exported)
        if theme_id is not None and self.group_hidden is not None:
            columns = [c for c in columns if not bool(self.group_hidden.at[theme_id, c])]
        return ", ".join(columns) or GROUP_NOT_SHOWN

    @property
    def coded_share(self) -> float:
        return self.coded / self.with_text if self.with_text else 0.0


def aggregate(
    survey: Survey,
    coding: Coding,
    dictionary: ThemeDictionary,
    *,
    campaigns: CampaignResult | None = None,
    exclude_campaigns: bool = False,
    suggestions: Suggestions | None = None,
    threshold: int = 0,
) -> Aggregates:
    """Count respondents per theme, per group, and closed-question answers, and decide which
    cells may be published (`threshold`: counts from 1 to threshold - 1 are hidden; 0 or 1
    turns suppression off).

    Groups with fewer than `threshold` respondents with free text are pooled as "Other groups"
    (see `_pool_small_groups`), so no group size under the threshold is ever shown.
    Classifier suggestions are counted on their own (per theme, and responses with any), over
    the same responses as the figures, and never added to them.
    """
    frame = survey.responses.reset_index(drop=True)
    keep = pd.Series(True, index=frame.index)
    excluded = 0
    if exclude_campaigns and campaigns is not None and campaigns.campaigns:
        representatives = campaigns.representatives()
        in_campaign = frame[RESPONSE_ID].map(lambda rid: rid in campaigns.by_response)
        keep = ~in_campaign | frame[RESPONSE_ID].isin(representatives)
        excluded = int((~keep).sum())
    frame = frame[keep].reset_index(drop=True)
    has_text = survey.has_text().reset_index(drop=True)[keep.to_numpy()].reset_index(drop=True)
    codes = coding.codes.loc[frame[RESPONSE_ID]].reset_index(drop=True)
    theme_ids = coding.theme_ids
    texted = codes[has_text.to_numpy()]
    with_text = int(has_text.sum())
    counts = texted[theme_ids].sum()
    theme_table = pd.DataFrame(
        {
            "theme_id": theme_ids,
            "label": [dictionary.label(t) for t in theme_ids],
            "respondents": [int(counts[t]) for t in theme_ids],
        }
    )
    theme_table["share"] = theme_table["respondents"] / with_text if with_text else 0.0
    # Most raised first; ties in the dictionary's order, so sheets keep their order run to run.
    theme_table = theme_table.sort_values(
        "respondents", ascending=False, kind="stable"
    ).reset_index(drop=True)

    exported = [list(g) if g else [NOT_STATED] for g in frame[GROUPS]]
    group_of, pooled = _pool_small_groups(exported, has_text.to_numpy(), threshold)
    memberships = [list(dict.fromkeys(group_of.get(g, g) for g in m)) for m in exported]
    groups = _group_order(memberships)
    sizes = {ALL: with_text}
    group_counts = pd.DataFrame(
        0, index=pd.Index(theme_ids, name="theme_id"), columns=[ALL, *groups]
    )
    group_counts[ALL] = [int(counts[t]) for t in theme_ids]
    member_of = _members(memberships, groups)
    for group in groups:
        member = member_of[group] & has_text
        sizes[group] = int(member.sum())
        group_counts[group] = codes[member.to_numpy()][theme_ids].sum().astype(int).to_numpy()
    group_shares = group_counts.astype(float).copy()
    for column in group_shares.columns:
        size = sizes[column]
        group_shares[column] = group_counts[column] / size if size else 0.0
    tests = {
        t: compare_groups(
            {g: int(group_counts.at[t, g]) for g in groups if g != NOT_STATED},
            {g: sizes[g] for g in groups if g != NOT_STATED},
        )
        for t in theme_ids
    }
    answers = {q: _answers(frame, q) for q in survey.closed_questions}
    closed = [_closed(q, answers[q], member_of) for q in survey.closed_questions]
    hidden = suppress_by_group(group_counts, threshold, total=ALL, sizes=sizes)
    if threshold > 1:
        # Per theme, how many of its respondents have each combination of group columns.
        combination, combinations = pd.factorize(
            pd.Series([frozenset(m) for m in memberships], dtype=object)
        )
        theme_columns = {
            t: _tally(combination[codes[t].to_numpy() == 1], combinations) for t in theme_ids
        }

        def unlisted(theme: object, hidden_columns: set[str]) -> int:
            """Respondents raising `theme` listed with no group (all theirs hidden)."""
            return sum(n for m, n in theme_columns[str(theme)].items() if m <= hidden_columns)

        hidden = protect_listings(group_counts, hidden, threshold, total=ALL, unlisted=unlisted)
    for question in closed:
        question.hidden = suppress_by_group(
            question.counts, threshold, total=ALL, sizes=question.sizes, columns_add_up=True
        )
        question.secondary = secondary(question.counts, question.hidden, threshold)
    suggested, suggested_responses = None, 0
    if suggestions is not None:
        kept = set(frame[RESPONSE_ID])
        suggested = {
            t: sum(1 for rid in suggestions.by_theme.get(t, {}) if rid in kept) for t in theme_ids
        }
        suggested_responses = len(
            {rid for s in suggestions.by_theme.values() for rid in s if rid in kept}
        )
    any_text = survey.has_any_text().reset_index(drop=True)[keep.to_numpy()]
    texted_rows = has_text.to_numpy()
    counted = survey.has_text().to_numpy() & keep.to_numpy()  # the same, in survey order
    texted_answers = {q: a[texted_rows].reset_index(drop=True) for q, a in answers.items()}
    texted_codes = texted.reset_index(drop=True)
    return Aggregates(
        by_question=_by_question(
            survey, coding, counted, counts, with_text, threshold
        ),
        by_answer=[
            crosstabs.by_answer(q, theme_ids, texted_answers[q], texted_codes, ALL, threshold)
            for q in survey.closed_questions
        ],
        together=crosstabs.together(theme_ids, texted, threshold),
        responses=len(frame),
        respondents_set_aside=int(any_text.sum()) - with_text,
        with_text=with_text,
        coded=int((texted[theme_ids].sum(axis=1) > 0).sum()),
        theme_table=theme_table,
        groups=groups,
        group_sizes=sizes,
        group_counts=group_counts,
        group_shares=group_shares,
        tests=tests,
        closed=closed,
        excluded_campaign_responses=excluded,
        suggested=suggested,
        suggested_responses=suggested_responses,
        threshold=threshold,
        group_hidden=hidden,
        group_secondary=secondary(group_counts, hidden, threshold),
        group_of=group_of,
        pooled=pooled,
    )


def _consent_counts(frame: pd.DataFrame) -> dict[Consent, int]:
    counts = frame[CONSENT].value_counts()
    return {c: int(counts.get(c, 0)) for c in Consent if counts.get(c, 0)}


CONSENT_WORDS = {
    Consent.PUBLISH: "publish with name",
    Consent.ANONYMOUS: "publish anonymously",
    Consent.WITHHOLD: "do not publish (counted, never quoted)",
    Consent.UNKNOWN: "no answer",
}


def consent_counts(survey: Survey) -> str:
    """Respondents by publication choice, as a sentence ("" when the export has no consent
    question): "120 publish with name, 80 publish anonymously, 12 do not publish ..."."""
    if survey.consent_column is None:
        return ""
    counts = _consent_counts(survey.responses)
    return ", ".join(f"{counts[c]:,} {CONSENT_WORDS[c]}" for c in Consent if c in counts)


def set_aside_summary(survey: Survey, *, brief: bool = False, threshold: int = 0) -> str:
    """The answers set aside, as a sentence: "pointed to an attachment: 3; test answers: 1;
    38 answers not in English: 12 French, 11 German ... (left out of the percentages)".
    `brief` leaves out what is said beside it on the Summary: that they are left out.

    A language is a respondent's characteristic: with `threshold` (suppression on), no language
    is named with fewer answers than that; such languages are counted together as "other
    languages" (as "fewer than" the threshold when they are fewer). The Uncoded sheet does not
    name them either (report/uncoded.py `set_aside_note`)."""
    counts = survey.set_aside_counts()
    parts = []
    if counts.get("attachment"):
        parts.append(f"pointed to an attachment: {counts['attachment']:,}")
    if counts.get("test"):
        parts.append(f"test answers: {counts['test']:,}")
    languages = {k: v for k, v in counts.items() if k not in SET_ASIDE_KINDS}
    if languages:
        total = sum(languages.values())
        listed = _languages_listed(languages, _unnamed(counts, threshold), threshold)
        use = (
            "counted in the percentages (include_other_languages)"
            if survey.include_other_languages
            else "left out of the percentages and listed in Uncoded"
        )
        noun = "answer" if total == 1 else "answers"
        said = f"{total:,} {noun} not in {language_name(survey.language)}: {listed}"
        parts.append(said if brief and not survey.include_other_languages else f"{said} ({use})")
    return "; ".join(parts)


def unnamed_languages(survey: Survey, threshold: int) -> frozenset[str]:
    """The languages a report must not name (see set_aside_summary)."""
    return _unnamed(survey.set_aside_counts(), threshold)


def _unnamed(counts: dict[str, int], threshold: int) -> frozenset[str]:
    """Languages with fewer set-aside answers than `threshold` (none when suppression is off)."""
    if threshold <= 1:
        return frozenset()
    return frozenset(k for k, n in counts.items() if k not in SET_ASIDE_KINDS and n < threshold)


def _languages_listed(languages: dict[str, int], unnamed: frozenset[str], threshold: int) -> str:
    """ "12 French, 11 German, 7 in other languages": the `unnamed` languages counted
    together (see set_aside_summary)."""
    ranked = sorted(languages, key=lambda k: (-languages[k], language_name(k)))
    named = [k for k in ranked if k not in unnamed]
    listed = [f"{languages[k]:,} {language_name(k)}" for k in named]
    others = sum(languages[k] for k in ranked if k not in named)
    if others:
        listed.append(
            f"{others:,} in other languages"
            if others >= threshold
            else f"fewer than {threshold} in other languages"
        )
    return ", ".join(listed)


def _by_question(
    survey: Survey,
    coding: Coding,
    counted: np.ndarray,
    pooled: pd.Series,
    with_text: int,
    threshold: int,
) -> Crosstab:
    """Themes by the free-text question whose answer raised them (the answer-level codes, as
    the council's coding rules ask; a code an officer added has no answer and counts only in
    the pooled column, and one an officer removed counts in no column). `counted`: whether
    each response, in survey order, is among the table's respondents."""
    frame = survey.responses
    answered = {}
    for question in survey.text_questions:
        column = frame[question]  # an answer is a non-empty string, else None (Survey)
        given = column.notna().to_numpy() & (column.to_numpy() != "")
        answered[question] = int((given & counted).sum())
    rows, questions, themes = coding.answer_codes.T
    coded = coding.codes[coding.theme_ids].to_numpy()
    still = counted[rows] & (coded[rows, themes] == 1)
    n_rows, n_questions = len(frame), len(coding.questions)
    # each respondent once per theme and question, however many of their answers' pieces
    cells = np.unique((themes[still] * n_questions + questions[still]) * n_rows + rows[still])
    raised = np.bincount(cells // n_rows, minlength=len(coding.theme_ids) * n_questions)
    raised_in = pd.DataFrame(
        raised.reshape(len(coding.theme_ids), n_questions),
        index=coding.theme_ids,
        columns=coding.questions,
    ).reindex(columns=survey.text_questions, fill_value=0)
    return crosstabs.by_question(
        coding.theme_ids, survey.text_questions, answered, raised_in, pooled, with_text, threshold
    )


def _pool_small_groups(
    exported: list[list[str]], has_text: object, threshold: int
) -> tuple[dict[str, str], list[str]]:
    """Exported group -> shown column, and the groups pooled as OTHER_GROUPS.

    A group with fewer than `threshold` respondents with free text cannot be shown: its size
    would be a small count, and every count in its column would be smaller still. Such groups
    (with "Other", if exported, which the pool is part of) are shown together as "Other
    groups"; while the pool itself is under the threshold, the smallest remaining group joins
    it. Sizes are of respondents with free text (the By group denominators), which are never
    more than a group's respondents, so closed-question columns are at least as large.
    """
    if threshold <= 1:
        return {}, []
    sizes: dict[str, int] = {}
    for groups, texted in zip(exported, has_text, strict=True):  # type: ignore[call-overload]
        for group in groups:
            sizes[group] = sizes.get(group, 0) + int(bool(texted))
    small = {g for g, n in sizes.items() if n < threshold}
    if not small:
        return {}, []
    pool = small | ({"Other"} & set(sizes))

    def pool_size() -> int:
        return sum(
            1
            for groups, texted in zip(exported, has_text, strict=True)  # type: ignore[call-overload]
            if texted and pool & set(groups)
        )

    rest = sorted((g for g in sizes if g not in pool), key=lambda g: (sizes[g], g))
    while pool_size() < threshold and rest:
        pool.add(rest.pop(0))
    pooled = sorted(pool, key=lambda g: (-sizes[g], g))
    return {g: OTHER_GROUPS for g in pooled}, pooled


def _group_order(memberships: list[list[str]]) -> list[str]:
    totals: dict[str, int] = {}
    for groups in memberships:
        for group in groups:
            totals[group] = totals.get(group, 0) + 1
    last = ("Other", OTHER_GROUPS, NOT_STATED)
    ordered = sorted((g for g in totals if g not in last), key=lambda g: (-totals[g], g))
    return ordered + [g for g in last if g in totals]


def _members(memberships: list[list[str]], groups: list[str]) -> dict[str, pd.Series]:
    """Per group, whether each respondent is in it: one pass over the memberships, not one per
    group (this runs over every response of the export)."""
    rows: dict[str, list[int]] = {g: [] for g in groups}
    for row, member in enumerate(memberships):
        for group in member:
            rows[group].append(row)
    flags = {}
    for group in groups:
        flag = np.zeros(len(memberships), dtype=bool)
        flag[rows[group]] = True
        flags[group] = pd.Series(flag)
    return flags


def _tally(values: np.ndarray, uniques: pd.Index) -> dict[object, int]:
    """How many times each of `uniques` occurs in `values` (positions into `uniques`), as a
    Counter would say: those that never occur are left out."""
    counts = np.bincount(values, minlength=len(uniques))
    return {uniques[i]: int(n) for i, n in enumerate(counts) if n}


def _answers(frame: pd.DataFrame, question: str) -> pd.Series:
    """Each respondent's answer to a closed question, NO_ANSWER for none."""
    answers = frame[question].tolist()  # a list: iterating a Series is far slower
    return pd.Series([a if isinstance(a, str) and a else NO_ANSWER for a in answers], dtype=object)


def _closed(question: str, answers: pd.Series, member_of: dict[str, pd.Series]) -> ClosedQuestion:
    order = _answer_order(answers)
    position = pd.Index(order).get_indexer(answers)  # every answer is in the order
    counts = pd.DataFrame(0, index=pd.Index(order, name="answer"), columns=[ALL, *member_of])
    counts[ALL] = np.bincount(position, minlength=len(order))
    for group, member in member_of.items():
        counts[group] = np.bincount(position[member.to_numpy()], minlength=len(order))
    counts = counts.astype(int)
    totals = counts.sum()
    shares = counts.astype(float).div(totals.where(totals > 0, 1), axis=1)
    return ClosedQuestion(question, counts, shares)


def _side(answer: str) -> str | None:
    """'agree', 'disagree' or None (neither, don't know, anything else)."""
    text = answer.lower()
    if "neither" in text or "agree" not in text:
        return None
    return "disagree" if "disagree" in text else "agree"


def _answer_order(answers: pd.Series) -> list[str]:
    frequency = answers.value_counts()
    seen = [a for a in answers.unique() if a != NO_ANSWER]  # in order of first appearance
    rank = {a: LIKERT_ORDER.index(a.lower()) for a in seen if a.lower() in LIKERT_ORDER}
    likert = sorted((a for a in seen if a in rank), key=rank.__getitem__)
    others = sorted((a for a in seen if a not in rank), key=lambda a: (-frequency[a], a))
    return likert + others + ([NO_ANSWER] if NO_ANSWER in frequency.index else [])
