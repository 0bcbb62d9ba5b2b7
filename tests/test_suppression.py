"""Small-number suppression: primary cells, the threshold, and secondary suppression where a
published total would let a reader work out a hidden count; then the By group sheet of a small
export checked cell by cell."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sendconsult.cli import app
from sendconsult.suppression import (
    protect_listings,
    secondary,
    suppress,
    suppress_by_group,
    suppressed_label,
)

runner = CliRunner()
H, C = "<5", "[c]"  # shown for a small number, and for a cell hidden to protect one


def frame(rows: list[list[int]], columns: list[str] | None = None) -> pd.DataFrame:
    columns = columns or [f"c{i}" for i in range(len(rows[0]))]
    return pd.DataFrame(rows, index=[f"r{i}" for i in range(len(rows))], columns=columns)


def hidden_cells(mask: pd.DataFrame) -> set[tuple[str, str]]:
    return {(r, c) for r in mask.index for c in mask.columns if mask.at[r, c]}


# -- primary suppression and the threshold ------------------------------------------------------


def test_small_numbers_are_hidden_cell_by_cell():
    counts = frame([[0, 1, 4, 5], [12, 3, 0, 7]])
    mask = suppress(counts, 5)
    assert mask.to_numpy().tolist() == [[False, True, True, False], [False, True, False, False]]
    assert suppressed_label(5) == "<5"


@pytest.mark.parametrize("threshold", [0, 1])
def test_threshold_zero_or_one_turns_suppression_off(threshold):
    counts = frame([[1, 2, 3, 4], [0, 1, 1, 30]])
    assert not suppress(counts, threshold, rows_add_up=True, columns_add_up=True).to_numpy().any()
    groups = frame([[5, 4, 1]], ["All", "A", "B"])
    sizes = {"All": 10, "A": 8, "B": 2}
    assert not suppress_by_group(groups, threshold, total="All", sizes=sizes).to_numpy().any()


def test_custom_threshold():
    counts = frame([[1, 9, 10, 0, 25]])
    assert suppress(counts, 10).to_numpy().tolist() == [[True, True, False, False, False]]
    assert suppress(counts, 2).to_numpy().tolist() == [[True, False, False, False, False]]
    assert suppressed_label(10) == "<10"


def test_zeros_are_hidden_only_when_no_other_cell_is_left():
    counts = frame([[0, 6, 3, 40], [0, 2, 7, 9]])
    mask = suppress(counts, 5, rows_add_up=True, columns_add_up=True)
    assert not any(
        mask.at[r, c] for r in counts.index for c in counts.columns if counts.at[r, c] == 0
    )
    # A column of n = 8 showing "<5, <5, 0": both hidden cells must be 4, so the zero is hidden.
    column = frame([[4], [4], [0]])
    assert suppress(column, 5, columns_add_up=True)["c0"].tolist() == [True, True, True]
    # A column "0, <5" adding up to its published total is the total itself: the zero goes.
    column = frame([[0], [2]])
    assert suppress(column, 5, columns_add_up=True)["c0"].tolist() == [True, True]


# -- secondary suppression ----------------------------------------------------------------------


def test_one_hidden_cell_in_a_line_with_a_published_total_gets_a_second():
    # Columns add up to their n (a closed question): 3 could be worked out as n - 10 - 20.
    counts = frame([[10], [3], [20]], ["All"])
    mask = suppress(counts, 5, columns_add_up=True)
    assert hidden_cells(mask) == {("r1", "All"), ("r0", "All")}  # the smallest other cell
    assert hidden_cells(secondary(counts, mask, 5)) == {("r0", "All")}
    # Rows likewise.
    mask = suppress(frame([[2, 8, 30]]), 5, rows_add_up=True)
    assert hidden_cells(mask) == {("r0", "c0"), ("r0", "c1")}


def test_two_hidden_cells_that_must_both_be_one_get_a_third():
    # The row adds up to 32: the hidden pair adds up to 2, so both are 1.
    mask = suppress(frame([[1, 1, 30]]), 5, rows_add_up=True)
    assert hidden_cells(mask) == {("r0", "c0"), ("r0", "c1"), ("r0", "c2")}
    # A pair adding up to 5 could be 1+4 or 2+3: safe as it is.
    mask = suppress(frame([[2, 3, 30]]), 5, rows_add_up=True)
    assert hidden_cells(mask) == {("r0", "c0"), ("r0", "c1")}


def test_without_additive_lines_only_small_numbers_are_hidden():
    counts = frame([[2, 8, 30], [6, 7, 8]])
    assert hidden_cells(suppress(counts, 5)) == {("r0", "c0")}


def test_both_directions_until_no_line_has_a_lone_hidden_cell():
    counts = frame([[2, 10, 12], [9, 11, 20], [30, 3, 6]])
    mask = suppress(counts, 5, rows_add_up=True, columns_add_up=True)
    values = mask.to_numpy()
    assert values[0, 0] and values[2, 1]  # the small numbers
    for line in [*values, *values.T]:
        assert line.sum() != 1


def test_groups_that_partition_all_protect_each_row():
    # Each respondent is in one group: sizes 20 + 8 + 3 = 31 = All.
    columns = ["All", "Parent", "Teacher", "Young person"]
    sizes = {"All": 31, "Parent": 20, "Teacher": 8, "Young person": 3}
    counts = frame([[20, 12, 6, 2], [10, 10, 0, 0], [5, 3, 2, 0], [9, 7, 1, 1]], columns)
    mask = suppress_by_group(counts, 5, total="All", sizes=sizes)
    second = secondary(counts, mask, 5)
    assert hidden_cells(mask) == {
        ("r0", "Young person"), ("r0", "Teacher"),  # 2 = 20 - 12 - 6: hide the 6 too
        ("r2", "Parent"), ("r2", "Teacher"),  # 3 + 2 = 5: either could be 1 to 4
        ("r3", "Teacher"), ("r3", "Young person"), ("r3", "Parent"),  # 1 + 1 = 2: both 1
    }  # fmt: skip
    assert hidden_cells(second) == {("r0", "Teacher"), ("r3", "Parent")}
    assert not mask["All"].any()  # All is never hidden to protect a group


def test_overlapping_groups_need_a_second_cell_only_when_the_bound_pins_one():
    # Sizes add up to more than All: some respondents are in two groups.
    columns = ["All", "Parent", "Professional"]
    sizes = {"All": 45, "Parent": 40, "Professional": 10}
    counts = frame([[30, 26, 4], [30, 28, 4], [30, 27, 3]], columns)
    mask = suppress_by_group(counts, 5, total="All", sizes=sizes)
    # r0: Professional >= 30 - 26 = 4, and it is below 5, so it is 4: hide Parent too.
    # r1: Professional >= 2; with the overlap it could be 2, 3 or 4: safe.
    # r2: Professional >= 3; 3 or 4: safe.
    assert hidden_cells(mask) == {
        ("r0", "Professional"), ("r0", "Parent"), ("r1", "Professional"), ("r2", "Professional")
    }  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=12), min_size=3, max_size=3),
        min_size=1,
        max_size=6,
    ),
    st.integers(min_value=2, max_value=6),
)
def test_partitioned_rows_never_leave_a_recoverable_cell(groups, threshold):
    counts = pd.DataFrame(
        [[sum(row), *row] for row in groups], columns=["All", "A", "B", "C"]
    ).rename(index=lambda i: f"r{i}")
    sizes = {"All": 300, "A": 100, "B": 100, "C": 100}
    mask = suppress_by_group(counts, threshold, total="All", sizes=sizes)
    for row in counts.index:
        values, hidden = counts.loc[row], mask.loc[row]
        assert all(hidden[c] for c in counts.columns if 0 < values[c] < threshold)
        if any(values[c] > 0 for c in counts.columns if not hidden[c] and c != "All"):
            assert not any(hidden[c] for c in counts.columns if values[c] == 0)
        if not hidden["All"]:
            assert hidden.drop("All").sum() != 1  # one hidden group = All minus the others


def test_answers_listed_without_a_group_can_pin_a_hidden_cell_and_get_it_a_second():
    """A (8) and C (6) overlap in 5 respondents; B's 4 are in no other group: All is 13. From
    the totals B is at least 13 - 8 - 6 < 0: safe. But a theme sheet lists B's 4 answers with
    no group shown, so B is at least 4, which pins a "<5": another cell is hidden."""
    counts = frame([[13, 8, 6, 4]], ["All", "A", "C", "B"])
    sizes = {"All": 100, "A": 60, "C": 40, "B": 20}
    mask = suppress_by_group(counts, 5, total="All", sizes=sizes)
    assert hidden_cells(mask) == {("r0", "B")}
    seen: list[set[str]] = []

    def unlisted(row: object, hidden_columns: set[str]) -> int:
        seen.append(set(hidden_columns))
        return 4

    protected = protect_listings(counts, mask, 5, total="All", unlisted=unlisted)
    assert hidden_cells(protected) == {("r0", "B"), ("r0", "C")}  # the smallest shown
    assert seen[0] == {"B"}
    assert hidden_cells(protect_listings(counts, mask, 5, total="All", unlisted=lambda r, h: 3)) == {
        ("r0", "B")
    }  # B could be 3 or 4: nothing pinned


# -- the By group sheet of a small export, cell by cell -----------------------------------------

TAXI = "The taxi was late again."
RESPITE = "We need more respite."
BUDGET = "A direct payment would help."
SENCO = "The SENCO has too many pupils."


def _export(folder: Path) -> Path:
    """33 respondents, each in one group (none under 5, so none is pooled); theme counts
    chosen to need secondary suppression.

    transport: Parent 12, Teacher 6, Young person 2 (All 20); short breaks: Parent 10 (All 10);
    personal budgets: Parent 3, Teacher 2 (All 5); mainstream inclusion: 7, 1, 1 (All 9).
    """
    answers: list[tuple[str, list[str]]] = []
    for i in range(1, 21):
        parts = []
        if i <= 12:
            parts.append(TAXI)
        if i >= 11:
            parts.append(RESPITE)
        if i <= 3:
            parts.append(BUDGET)
        if 4 <= i <= 10:
            parts.append(SENCO)
        answers.append(("Parent", parts))
    for i in range(1, 9):
        parts = [TAXI] if i <= 6 else []
        if i <= 2:
            parts.append(BUDGET)
        if i == 7:
            parts.append(SENCO)
        answers.append(("Teacher", parts))
    answers += [("Young person", [TAXI]), ("Young person", [TAXI]), ("Young person", [SENCO])]
    answers += [("Young person", []), ("Young person", [])]
    rows = [["Response ID", "Who are you?", "Your comments"]]
    for n, (group, parts) in enumerate(answers, start=1):
        rows.append([f"R{n:02d}", group, " ".join([*parts, f"Thank you for reading message {n}."])])
    export = folder / "groups.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return export


def _table(sheet, first_header: str) -> tuple[list, dict[str, list]]:  # noqa: ANN001
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == first_header)
    header = [v for v in rows[start] if v is not None]
    body = {}
    for r in rows[start + 1 :]:
        if r[0] is None:
            break
        body[r[0]] = list(r[1 : len(header)])
    return header, body


@pytest.fixture(scope="module")
def by_group(tmp_path_factory):
    folder = tmp_path_factory.mktemp("suppression")
    export = _export(folder)
    sheets = {}
    for threshold in (5, 3, 0):
        out = folder / f"report{threshold}.xlsx"
        result = runner.invoke(
            app,
            ["analyse", str(export), "--out", str(out), "--no-cache", "--jobs", "1",
             "--suppress", str(threshold)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        sheets[threshold] = openpyxl.load_workbook(out)["By group"]
    return sheets


HEADER = ["All (n=33)", "Parent (n=20)", "Teacher (n=8)", "Young person (n=5)"]
TRANSPORT, BREAKS = "Home-to-school transport", "Short breaks and respite"
BUDGETS, MAINSTREAM = "Personal budgets and direct payments", "Inclusion in mainstream schools"


def test_by_group_counts_cell_by_cell(by_group):
    header, body = _table(by_group[5], "Theme (respondents)")
    assert header == ["Theme (respondents)", *HEADER]
    assert body[TRANSPORT] == [20, 12, C, H]  # 2 = 20 - 12 - 6, so the 6 is hidden too
    assert body[BREAKS] == [10, 10, 0, 0]
    assert body[BUDGETS] == [5, H, H, 0]  # 3 + 2 = 5 could be 1 + 4: safe
    assert body[MAINSTREAM] == [9, C, H, H]  # 1 + 1 = 9 - 7: both 1, so the 7 is hidden
    for theme, cells in body.items():
        if theme not in (TRANSPORT, BREAKS, BUDGETS, MAINSTREAM):
            assert cells == [0, 0, 0, 0], theme


def test_by_group_shares_are_hidden_with_their_counts(by_group):
    header, body = _table(by_group[5], "Theme")
    assert header == ["Theme", *HEADER]
    assert body[TRANSPORT][0] == pytest.approx(20 / 33)
    assert body[TRANSPORT][1] == pytest.approx(12 / 20)
    assert body[TRANSPORT][2:] == [C, H]
    assert body[BREAKS] == pytest.approx([10 / 33, 10 / 20, 0, 0])
    assert body[BUDGETS][0] == pytest.approx(5 / 33) and body[BUDGETS][1:] == [H, H, 0]
    assert body[MAINSTREAM][0] == pytest.approx(9 / 33) and body[MAINSTREAM][1:] == [C, H, H]


def test_by_group_note_explains_both_marks(by_group):
    note = by_group[5]["A2"].value
    assert "Each respondent is in one group, so groups add up to All." in note
    assert "Numbers from 1 to 4 are shown as <5" in note
    assert "[c]: a number hidden so that a number below 5 cannot be worked out from All" in note


def test_by_group_with_a_custom_threshold(by_group):
    _, body = _table(by_group[3], "Theme (respondents)")
    three = "<3"
    assert body[TRANSPORT] == [20, 12, C, three]
    assert body[BREAKS] == [10, 10, 0, 0]
    assert body[BUDGETS] == [5, C, three, 0]  # 3 is shown at threshold 3, but 2 = 5 - 3
    assert body[MAINSTREAM] == [9, C, three, three]


def test_by_group_with_suppression_off(by_group):
    _, body = _table(by_group[0], "Theme (respondents)")
    assert body[TRANSPORT] == [20, 12, 6, 2]
    assert body[BUDGETS] == [5, 3, 2, 0]
    assert body[MAINSTREAM] == [9, 7, 1, 1]
    values = [v for row in by_group[0].iter_rows(values_only=True) for v in row]
    assert "<5" not in values and C not in values
