"""The indicative group tests: which test is chosen, its p-value, and which groups are named."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency, fisher_exact

from sendconsult.stats import SIGNIFICANCE, compare_groups


def _table(coded: dict[str, int], sizes: dict[str, int]) -> np.ndarray:
    return np.array([[coded[g], sizes[g] - coded[g]] for g in sizes], dtype=float)


def _adjusted_residuals(table: np.ndarray) -> list[float]:
    """Adjusted (standardised) residuals of the 'raised' column, written out cell by cell."""
    n = table.sum()
    raised = table[:, 0].sum()
    residuals = []
    for row in table:
        size = row.sum()
        expected = size * raised / n
        variance = expected * (1 - size / n) * (1 - raised / n)
        residuals.append((row[0] - expected) / math.sqrt(variance))
    return residuals


def test_two_small_groups_use_fishers_exact():
    coded, sizes = {"Parents": 1, "Teachers": 7}, {"Parents": 10, "Teachers": 9}
    test = compare_groups(coded, sizes)
    _, expected_p = fisher_exact([[1, 9], [7, 2]])
    assert test.method == "Fisher exact"
    assert test.p_value == pytest.approx(expected_p)
    assert test.note == "small counts"
    assert test.notable and test.p_value < SIGNIFICANCE


def test_two_large_groups_use_chi_square_with_yates_correction():
    coded, sizes = {"Parents": 60, "Teachers": 20}, {"Parents": 100, "Teachers": 100}
    test = compare_groups(coded, sizes)
    _, corrected, _, _ = chi2_contingency([[60, 40], [20, 80]], correction=True)
    _, uncorrected, _, _ = chi2_contingency([[60, 40], [20, 80]], correction=False)
    assert test.method == "chi-square"
    assert test.note == ""
    assert test.p_value == pytest.approx(corrected)
    assert test.p_value != pytest.approx(uncorrected)
    assert test.higher == ("Parents",) and test.lower == ("Teachers",)


def test_three_groups_use_chi_square_even_with_small_expected_counts():
    # Expected 'raised' counts under 5 in two groups: chi-square still, with a warning note.
    coded = {"Parents": 30, "Young people": 1, "Health": 2}
    sizes = {"Parents": 100, "Young people": 8, "Health": 6}
    test = compare_groups(coded, sizes)
    _, expected_p, _, _ = chi2_contingency(_table(coded, sizes), correction=False)
    assert test.method == "chi-square"
    assert test.p_value == pytest.approx(expected_p)
    assert test.note == "some expected counts under 5: read with care"


def test_groups_named_by_adjusted_residuals_beyond_two():
    coded = {"A": 50, "B": 30, "C": 10, "D": 31}
    sizes = {"A": 100, "B": 100, "C": 100, "D": 100}
    test = compare_groups(coded, sizes)
    table = _table(coded, sizes)
    _, expected_p, _, _ = chi2_contingency(table)
    residuals = dict(zip(sizes, _adjusted_residuals(table), strict=True))
    assert test.p_value == pytest.approx(expected_p) and test.p_value < SIGNIFICANCE
    # A is well above (about +5.6), C well below (about -4.6); B and D sit within ±2.
    assert residuals["A"] > 2 and residuals["C"] < -2
    assert all(abs(residuals[g]) < 2 for g in ("B", "D"))
    assert test.higher == ("A",)
    assert test.lower == ("C",)


def test_residual_just_beyond_two_is_named_and_just_within_is_not():
    coded = {"Parents": 40, "Teachers": 48, "Health": 10}
    sizes = {"Parents": 120, "Teachers": 150, "Health": 100}
    residuals = _adjusted_residuals(_table(coded, sizes))
    assert 2 < residuals[0] < 2.1  # Parents: just beyond
    assert 1.9 < residuals[1] < 2  # Teachers: just within
    assert residuals[2] < -2  # Health
    test = compare_groups(coded, sizes)
    assert test.p_value < SIGNIFICANCE
    assert test.higher == ("Parents",)
    assert test.lower == ("Health",)


def test_no_group_is_named_when_the_test_is_not_significant():
    # Eight groups: one residual beyond 2 but the overall test not significant.
    sizes = {f"G{i}": 40 for i in range(8)}
    coded = {g: 10 for g in sizes}
    coded["G0"] = 17
    table = _table(coded, sizes)
    assert _adjusted_residuals(table)[0] > 2
    _, expected_p, _, _ = chi2_contingency(table)
    test = compare_groups(coded, sizes)
    assert test.p_value == pytest.approx(expected_p)
    assert test.p_value >= SIGNIFICANCE and not test.notable
    assert test.higher == () and test.lower == ()


def test_fisher_result_names_groups_too():
    coded, sizes = {"Parents": 0, "Teachers": 8}, {"Parents": 10, "Teachers": 9}
    test = compare_groups(coded, sizes)
    residuals = _adjusted_residuals(_table(coded, sizes))
    assert test.method == "Fisher exact"
    assert residuals[0] < -2 < 2 < residuals[1]
    assert test.higher == ("Teachers",) and test.lower == ("Parents",)


@pytest.mark.parametrize(
    ("coded", "sizes", "note"),
    [
        ({"A": 3}, {"A": 10}, "fewer than two groups"),
        ({"A": 3, "B": 0}, {"A": 10, "B": 0}, "fewer than two groups"),  # an empty group
        ({"A": 0, "B": 0}, {"A": 10, "B": 12}, "every group answered alike"),
        ({"A": 10, "B": 12}, {"A": 10, "B": 12}, "every group answered alike"),
    ],
)
def test_not_tested(coded: dict[str, int], sizes: dict[str, int], note: str):
    test = compare_groups(coded, sizes)
    assert test.method == "not tested"
    assert test.p_value is None and not test.notable
    assert test.note == note
    assert test.higher == () and test.lower == ()


@settings(max_examples=300, deadline=None)
@given(
    cells=st.lists(st.integers(0, 150), min_size=4, max_size=4),
)
def test_fisher_exact_is_scipys(cells: list[int]):
    """The written-out Fisher test gives scipy.stats.fisher_exact's p-value, ties included."""
    from sendconsult.stats import fisher_exact_p

    table = np.array(cells).reshape(2, 2)
    if table.sum(axis=0).min() == 0 or table.sum(axis=1).min() == 0:
        return
    assert fisher_exact_p(table) == pytest.approx(fisher_exact(table)[1], abs=1e-10)


@settings(max_examples=300, deadline=None)
@given(statistic=st.floats(0, 400, allow_nan=False), dof=st.integers(1, 40))
def test_chi_square_survival_is_scipys(statistic: float, dof: int):
    from scipy.stats import chi2

    from sendconsult.stats import chi_square_sf

    assert chi_square_sf(statistic, dof) == pytest.approx(chi2.sf(statistic, dof), abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(1, 300), st.integers(1, 300)), min_size=2, max_size=9))
def test_chi_square_test_is_scipys(rows: list[tuple[int, int]]):
    from sendconsult.stats import chi_square_p

    table = np.array(rows, dtype=float)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    yates = len(rows) == 2
    theirs = chi2_contingency(table, correction=yates)[1]
    assert chi_square_p(table, expected, yates=yates) == pytest.approx(theirs, abs=1e-12)
