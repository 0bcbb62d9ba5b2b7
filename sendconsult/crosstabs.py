"""Crosstabs of themes: by free-text question, by answer to each closed question, and which
themes are raised together. Counted once here, with their suppression; report only shows them.

Every table counts respondents with free text, like By group. Categories with fewer than
`threshold` respondents are pooled (as groups are), so no small n is printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sendconsult.stats import GroupTest, compare_groups
from sendconsult.suppression import secondary, suppress, suppress_by_group

ANY_QUESTION = "Any question (by respondent)"
OTHER_ANSWERS = "Other answers"
AGREE, NEITHER, DISAGREE = "Agree (strongly or not)", "Neither agree nor disagree", "Disagree (strongly or not)"


@dataclass
class Crosstab:
    """Respondents raising each theme (rows) by category (columns after the total)."""

    title: str
    total: str  # the first column: every respondent of the table's base, once
    counts: pd.DataFrame  # index theme_id; columns: total, then categories
    sizes: dict[str, int]  # respondents per column
    hidden: pd.DataFrame
    secondary: pd.DataFrame
    tests: dict[str, GroupTest] = field(default_factory=dict)  # per theme, across categories
    pooled: list[str] = field(default_factory=list)  # categories shown together
    left_out: list[str] = field(default_factory=list)  # categories too small to show at all

    @property
    def shares(self) -> pd.DataFrame:
        """Each count as a share of its column's size (0 where the column is empty)."""
        sizes = np.array([self.sizes[c] for c in self.counts.columns], dtype=float)
        counts = self.counts.to_numpy(dtype=float)
        shares = np.divide(counts, sizes, out=np.zeros_like(counts), where=sizes > 0)
        return pd.DataFrame(shares, index=self.counts.index, columns=self.counts.columns)


def by_question(
    theme_ids: list[str],
    questions: list[str],
    answered: dict[str, int],
    raised_in: pd.DataFrame,
    pooled_counts: pd.Series,
    with_text: int,
    threshold: int,
) -> Crosstab:
    """Themes by the free-text question they were raised in, beside the pooled count.

    `answered`: question -> how many respondents answered it; `raised_in`: how many
    respondents' answer to each question (columns) raised each theme (rows). A question
    answered by fewer than `threshold` respondents is left out (its n would be a small count).
    """
    shown = [q for q in questions if answered.get(q, 0) >= max(threshold, 1)]
    left_out = [q for q in questions if q not in shown and answered.get(q)]
    counts = pd.DataFrame(
        0, index=pd.Index(theme_ids, name="theme_id"), columns=[ANY_QUESTION, *shown]
    )
    counts[ANY_QUESTION] = [int(pooled_counts[t]) for t in theme_ids]
    for question in shown:
        counts[question] = raised_in[question].reindex(theme_ids, fill_value=0).to_numpy()
    sizes = {ANY_QUESTION: with_text, **{q: answered[q] for q in shown}}
    # A respondent may raise a theme in two answers: the questions add up to at least the pooled
    # count (overlapping, as groups can), never exactly unless there is one question.
    hidden = suppress_by_group(counts, threshold, total=ANY_QUESTION, sizes=sizes)
    return Crosstab(
        "Themes by free-text question",
        ANY_QUESTION,
        counts,
        sizes,
        hidden,
        secondary(counts, hidden, threshold),
        left_out=left_out,
    )


def by_answer(
    question: str,
    theme_ids: list[str],
    answers: pd.Series,
    codes: pd.DataFrame,
    total: str,
    threshold: int,
) -> Crosstab:
    """Themes by answer to one closed question, among respondents with free text.

    `answers`: each respondent's answer (every respondent with free text, "No answer"
    included), aligned with `codes` (0/1 per theme). Agree/disagree scales are read as agree,
    neither and disagree; answers given by fewer than `threshold` respondents are pooled as
    "Other answers" (the smallest remaining joining while the pool is still small). Each
    respondent gives one answer, so the answers add up to the total and a lone hidden cell in a
    row gets a second.
    """
    categories = answers.map({a: _category(a) for a in answers.unique()})  # a few answers
    categories, pooled = _pool(categories, threshold)
    order = _order(categories)
    matrix = codes[theme_ids].to_numpy(dtype=np.int64)
    counts = pd.DataFrame(0, index=pd.Index(theme_ids, name="theme_id"), columns=[total, *order])
    counts[total] = matrix.sum(axis=0)
    sizes = {total: len(categories)}
    values = categories.to_numpy()
    for category in order:
        member = values == category
        sizes[category] = int(member.sum())
        counts[category] = matrix[member].sum(axis=0)
    hidden = suppress_by_group(counts, threshold, total=total, sizes=sizes)
    tests = {
        t: compare_groups({c: int(counts.at[t, c]) for c in order}, {c: sizes[c] for c in order})
        for t in theme_ids
    }
    return Crosstab(
        question, total, counts, sizes, hidden, secondary(counts, hidden, threshold), tests, pooled
    )


def together(theme_ids: list[str], codes: pd.DataFrame, threshold: int) -> Crosstab:
    """Respondents raising both themes of each pair (the diagonal: raising the theme at all).

    Its cells do not add up to anything published (a respondent raises any number of themes),
    so only small numbers are hidden.
    """
    matrix = codes[theme_ids].to_numpy(dtype=np.int64)
    both = matrix.T @ matrix
    counts = pd.DataFrame(both, index=pd.Index(theme_ids, name="theme_id"), columns=theme_ids)
    hidden = suppress(counts, threshold)
    sizes = {t: int(both[i, i]) for i, t in enumerate(theme_ids)}
    return Crosstab(
        "Themes raised together", "", counts, sizes, hidden, secondary(counts, hidden, threshold)
    )


def _category(answer: str) -> str:
    text = answer.lower()
    if "neither" in text and "agree" in text:
        return NEITHER
    if "disagree" in text:
        return DISAGREE
    if "agree" in text:
        return AGREE
    return answer


def _pool(categories: pd.Series, threshold: int) -> tuple[pd.Series, list[str]]:
    if threshold <= 1:
        return categories, []
    sizes = categories.value_counts()
    pool = {c for c, n in sizes.items() if n < threshold}
    if not pool:
        return categories, []
    rest = sorted((c for c in sizes.index if c not in pool), key=lambda c: (sizes[c], c))
    while int(sizes[list(pool)].sum()) < threshold and rest:
        pool.add(rest.pop(0))
    pooled = sorted(pool, key=lambda c: (-sizes[c], c))
    return categories.map({c: OTHER_ANSWERS if c in pool else c for c in sizes.index}), pooled


def _order(categories: pd.Series) -> list[str]:
    present = set(categories.unique())  # not set(categories): pandas yields one at a time
    scale = [c for c in (AGREE, NEITHER, DISAGREE) if c in present]
    last = [c for c in ("No answer", OTHER_ANSWERS) if c in present]
    frequency = categories.value_counts()
    others = sorted(
        (c for c in present if c not in scale and c not in last), key=lambda c: (-frequency[c], c)
    )
    return scale + others + last
