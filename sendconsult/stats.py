"""Indicative tests of whether respondent groups differ on a theme.

Respondents may belong to several groups, so groups are not independent samples: the tests are
labelled indicative, to point officers at differences worth reading, not to prove them.
"""

from __future__ import annotations

import math
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
        p_value = fisher_exact_p(table.astype(int))
        return _verdict("Fisher exact", p_value, groups, table, expected, "small counts")
    p_value = chi_square_p(table, expected, yates=len(groups) == 2)
    note = "some expected counts under 5: read with care" if expected.min() < 5 else ""
    return _verdict("chi-square", p_value, groups, table, expected, note)


# The two tests are written out (as scipy.stats computes them) rather than imported: importing
# scipy.stats costs every run a second of start-up, more than all the tests of a report.


def chi_square_p(table: np.ndarray, expected: np.ndarray, *, yates: bool) -> float:
    """Pearson's chi-square test of independence, with Yates' continuity correction for a 2x2
    table when `yates` (as scipy.stats.chi2_contingency does)."""
    observed = table.astype(float)
    dof = (table.shape[0] - 1) * (table.shape[1] - 1)
    if yates and dof == 1:
        difference = expected - observed
        observed = observed + np.sign(difference) * np.minimum(0.5, np.abs(difference))
    statistic = float(((observed - expected) ** 2 / expected).sum())
    return chi_square_sf(statistic, dof)


def chi_square_sf(statistic: float, dof: int) -> float:
    """P(X >= statistic) for a chi-square variable with `dof` (whole) degrees of freedom: the
    regularised upper incomplete gamma function Q(dof/2, statistic/2), in closed form."""
    if statistic <= 0:
        return 1.0
    half = statistic / 2
    if dof % 2 == 0:  # Q(n, x) = e^-x * sum_{j<n} x^j / j!
        term = total = math.exp(-half)
        for j in range(1, dof // 2):
            term *= half / j
            total += term
        return min(1.0, total)
    # Q(n + 1/2, x) = erfc(sqrt x) + e^-x * sum_{j<n} x^(j + 1/2) / Gamma(j + 3/2)
    total = math.erfc(math.sqrt(half))
    term = math.exp(-half) * math.sqrt(half) / math.gamma(1.5)
    for j in range((dof - 1) // 2):
        if j:
            term *= half / (j + 0.5)
        total += term
    return min(1.0, total)


def fisher_exact_p(table: np.ndarray) -> float:
    """Two-sided Fisher's exact test of a 2x2 table: the probability, given the margins, of
    every table at most as likely as this one (scipy.stats.fisher_exact's definition)."""
    (a, b), (c, d) = (int(v) for v in table[0]), (int(v) for v in table[1])
    row, other_row, column = a + b, c + d, a + c
    total = row + other_row

    def log_pmf(k: int) -> float:
        return _log_choose(row, k) + _log_choose(other_row, column - k) - _log_choose(total, column)

    support = range(max(0, column - other_row), min(column, row) + 1)
    observed = log_pmf(a)
    mode = int((column + 1) * (row + 1) / (total + 2))
    p_observed, p_mode = math.exp(observed), math.exp(log_pmf(mode))
    if abs(p_observed - p_mode) / max(p_observed, p_mode) <= TIES:
        return 1.0
    limit = observed + math.log1p(TIES)
    return min(1.0, sum(math.exp(lp) for k in support if (lp := log_pmf(k)) <= limit))


# Tables as likely as the observed one count in its p-value. Probabilities come from log-gamma,
# so equal ones can differ in the 14th digit; distinct ones of tables this size never agree to 9.
TIES = 1e-9


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


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
