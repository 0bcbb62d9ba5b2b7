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

import pandas as pd

from sendconsult.campaigns import CampaignResult
from sendconsult.coding import Coding
from sendconsult.ingest.languages import language_name
from sendconsult.stats import GroupTest, compare_groups
from sendconsult.survey import CONSENT, GROUPS, RESPONSE_ID, SET_ASIDE_KINDS, Consent, Survey
from sendconsult.textcat import Suggestions
from sendconsult.themes.model import ThemeDictionary

ALL = "All"
NOT_STATED = "Not stated"
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
) -> Aggregates:
    """Count respondents per theme, per group, and closed-question answers.

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
    theme_table = theme_table.sort_values(
        ["respondents", "label"], ascending=[False, True]
    ).reset_index(drop=True)

    memberships = [list(g) if g else [NOT_STATED] for g in frame[GROUPS]]
    groups = _group_order(memberships)
    sizes = {ALL: with_text}
    group_counts = pd.DataFrame(
        0, index=pd.Index(theme_ids, name="theme_id"), columns=[ALL, *groups]
    )
    group_counts[ALL] = [int(counts[t]) for t in theme_ids]
    member_of = {g: pd.Series([g in m for m in memberships]) for g in groups}
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
    closed = [_closed(frame, q, member_of) for q in survey.closed_questions]
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
    return Aggregates(
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


def set_aside_summary(survey: Survey) -> str:
    """The answers set aside, as a sentence: "pointed to an attachment: 3; test answers: 1;
    38 answers not in English: 12 French, 11 German ... (left out of the percentages)"."""
    counts = survey.set_aside_counts()
    parts = []
    if counts.get("attachment"):
        parts.append(f"pointed to an attachment: {counts['attachment']:,}")
    if counts.get("test"):
        parts.append(f"test answers: {counts['test']:,}")
    languages = {k: v for k, v in counts.items() if k not in SET_ASIDE_KINDS}
    if languages:
        total = sum(languages.values())
        ranked = sorted(languages, key=lambda k: (-languages[k], language_name(k)))
        listed = ", ".join(f"{languages[k]:,} {language_name(k)}" for k in ranked)
        use = (
            "counted in the percentages (include_other_languages)"
            if survey.include_other_languages
            else "left out of the percentages and listed in Uncoded"
        )
        noun = "answer" if total == 1 else "answers"
        parts.append(
            f"{total:,} {noun} not in {language_name(survey.language)}: {listed} ({use})"
        )
    return "; ".join(parts)


def _group_order(memberships: list[list[str]]) -> list[str]:
    totals: dict[str, int] = {}
    for groups in memberships:
        for group in groups:
            totals[group] = totals.get(group, 0) + 1
    ordered = sorted(
        (g for g in totals if g not in (NOT_STATED, "Other")), key=lambda g: (-totals[g], g)
    )
    return ordered + [g for g in ("Other", NOT_STATED) if g in totals]


def _closed(frame: pd.DataFrame, question: str, member_of: dict[str, pd.Series]) -> ClosedQuestion:
    answers = pd.Series(
        [a if isinstance(a, str) and a else NO_ANSWER for a in frame[question]], dtype=object
    )
    order = _answer_order(answers)
    counts = pd.DataFrame(0, index=pd.Index(order, name="answer"), columns=[ALL, *member_of])
    counts[ALL] = answers.value_counts().reindex(order, fill_value=0).astype(int)
    for group, member in member_of.items():
        counts[group] = answers[member.to_numpy()].value_counts().reindex(order, fill_value=0)
    counts = counts.astype(int)
    totals = counts.sum()
    shares = counts.astype(float).div(totals.where(totals > 0, 1), axis=1)
    return ClosedQuestion(question, counts, shares)


def _answer_order(answers: pd.Series) -> list[str]:
    frequency = answers.value_counts()
    seen = list(dict.fromkeys(a for a in answers if a != NO_ANSWER))
    rank = {a: LIKERT_ORDER.index(a.lower()) for a in seen if a.lower() in LIKERT_ORDER}
    likert = sorted((a for a in seen if a in rank), key=rank.__getitem__)
    others = sorted((a for a in seen if a not in rank), key=lambda a: (-frequency[a], a))
    return likert + others + ([NO_ANSWER] if NO_ANSWER in frequency.index else [])
