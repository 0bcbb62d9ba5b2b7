"""Indicative tests of whether respondent groups differ on a theme.

Respondents may belong to several groups, so groups are not independent samples: the tests are
labelled indicative, to point officers at differences worth reading, not to prove them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class GroupTest:
    """The result of one theme's test across groups."""

    method: str  # "chi-square", "Fisher exact" or "not tested"
    p_value: float | None
    higher: tuple[str, ...]  # groups raising the theme notably more often
    lower: tuple[str, ...]
    note: str

    @property
    def notable(self) -> bool:
        """Whether the test found a difference at the 5% level (indicative only)."""
        return self.p_value is not None and self.p_value < SIGNIFICANCE


def compare_groups(coded: dict[str, int], sizes: dict[str, int]) -> GroupTest:
    """Chi-square (Fisher exact for two groups with small counts) on raised / not raised."""
    groups = [g for g in sizes if sizes[g] > 0]
    if len(groups) < 2:
        return GroupTest("not tested", None, (), (), "fewer than two groups")
    table = np.array([[coded[g], sizes[g] - coded[g]] for g in groups], dtype=float)
    if table[:, 0].sum() == 0 or table[:, 1].sum() == 0:
        return GroupTest("not tested", None, (), (), "every group answered alike")
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    if len(groups) == 2 and expected.min() < 5:
        from scipy.stats import fisher_exact  # imported here: a second's start-up otherwise

        _, p_value = fisher_exact(table.astype(int))
        return _verdict("Fisher exact", float(p_value), groups, table, expected, "small counts")
    from scipy.stats import chi2_contingency

    _, p_value, _, _ = chi2_contingency(table, correction=len(groups) == 2)
    note = "some expected counts under 5: read with care" if expected.min() < 5 else ""
    return _verdict("chi-square", float(p_value), groups, table, expected, note)


def _verdict(
    method: str,
    p_value: float,
    groups: list[str],
    table: np.ndarray,
    expected: np.ndarray,
    note: str,
) -> GroupTest:
    """Name the groups whose adjusted residual for 'raised' is beyond ±2."""
    total = table.sum()
    row_share = table.sum(axis=1) / total
    col_share = table.sum(axis=0) / total
    higher: list[str] = []
    lower: list[str] = []
    if p_value < SIGNIFICANCE:
        for i, group in enumerate(groups):
            denominator = np.sqrt(expected[i, 0] * (1 - row_share[i]) * (1 - col_share[0]))
            if denominator == 0:
                continue
            residual = (table[i, 0] - expected[i, 0]) / denominator
            if residual > 2:
                higher.append(group)
            elif residual < -2:
                lower.append(group)
    return GroupTest(method, p_value, tuple(higher), tuple(lower), note)
