"""The Crosstabs sheet on a small export whose figures were worked out by hand: themes by
free-text question, by answer to the closed question, and raised together; then the same
tables with suppression on."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sendconsult.cli import app

runner = CliRunner()
TAXI = "The taxi was late again."
RESPITE = "We need more respite."
BUDGET = "A direct payment would help."
WHY, ELSE = "Why do you say that?", "Anything else you would like to tell us?"
CLOSED = "Do you agree with the plan?"
TRANSPORT, BREAKS = "Home-to-school transport", "Short breaks and respite"
BUDGETS = "Personal budgets and direct payments"
# (closed answer, why, anything else) per respondent; see each test for the counts by hand.
PEOPLE = (
    [("Agree", [TAXI], [])] * 6
    + [("Strongly agree", [RESPITE], [TAXI])] * 3
    + [("Disagree", [TAXI, RESPITE], [BUDGET])] * 4
    + [("Strongly disagree", [BUDGET], [])]
    + [("", [], [])] * 2
)


def _export(folder: Path) -> Path:
    rows = [["Response ID", "Who are you?", CLOSED, WHY, ELSE]]
    for n, (answer, why, other) in enumerate(PEOPLE, start=1):
        rows.append(
            [
                f"R{n:02d}",
                "Parent",
                answer,
                " ".join([*why, f"Thank you for reading message {n}."]),
                " ".join([*other, f"My postscript number {n}."]) if other else "",
            ]
        )
    path = folder / "crosstabs.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture(scope="module")
def sheets(tmp_path_factory) -> dict[int, object]:
    folder = tmp_path_factory.mktemp("crosstabs")
    export = _export(folder)
    made = {}
    for threshold in (0, 2):
        out = folder / f"report{threshold}.xlsx"
        result = runner.invoke(
            app, ["analyse", str(export), "--out", str(out), "--suppress", str(threshold),
                  "--no-cache", "--jobs", "1"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        made[threshold] = openpyxl.load_workbook(out)["Crosstabs"]
    return made


def _tables(sheet, first: str) -> list[tuple[list[str], dict[str, list]]]:
    rows = list(sheet.iter_rows(values_only=True))
    found = []
    for i, row in enumerate(rows):
        if row[0] == first:
            header = [v for v in row if v is not None]
            body = {}
            for r in rows[i + 1 :]:
                if r[0] is None:
                    break
                body[r[0]] = list(r[1 : len(header)])
            found.append((header, body))
    return found


def test_themes_by_free_text_question(sheets):
    """16 respondents with free text, 7 answering the second question. Transport: R1-6 and
    R10-13 in the first answer, R7-9 in the second (13 respondents); short breaks R7-13 in the
    first; personal budgets R14 in the first, R10-13 in the second."""
    header, body = _tables(sheets[0], "Theme (respondents)")[0]
    assert header == [
        "Theme (respondents)", "Any question (by respondent) (n=16)", f"{WHY} (n=16)",
        f"{ELSE} (n=7)",
    ]  # fmt: skip
    assert body[TRANSPORT] == [13, 10, 3]
    assert body[BREAKS] == [7, 7, 0]
    assert body[BUDGETS] == [5, 1, 4]
    _, shares = _tables(sheets[0], "Theme (%)")[0]
    assert shares[BUDGETS] == pytest.approx([5 / 16, 1 / 16, 4 / 7])


def test_codes_an_officer_changed_count_by_question_only_where_an_answer_raised_them(
    tmp_path: Path,
):
    """Transport removed from R07 (raised in its second answer) and budgets added to R01
    (raised in no answer): R07 leaves every transport column; R01 counts in the pooled column
    only, since no answer of theirs raised budgets."""
    export = _export(tmp_path)
    overrides = tmp_path / "overrides.csv"
    overrides.write_text(
        "response_id,theme,value,note\nR07,transport,0,a story\nR01,personal_budgets,1,asked\n",
        encoding="utf-8",
    )
    out = tmp_path / "report.xlsx"
    result = runner.invoke(
        app, ["analyse", str(export), "--out", str(out), "--suppress", "0", "--no-cache",
              "--jobs", "1", "--overrides", str(overrides)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    _, body = _tables(openpyxl.load_workbook(out)["Crosstabs"], "Theme (respondents)")[0]
    assert body[TRANSPORT] == [12, 10, 2]
    assert body[BUDGETS] == [6, 1, 4]


def test_themes_by_answer_to_the_closed_question(sheets):
    """Agree (strongly or not): R1-9; disagree (strongly or not): R10-14; no answer: R15-16."""
    header, body = _tables(sheets[0], "Theme (respondents)")[1]
    assert header == [
        "Theme (respondents)", "All (n=16)", "Agree (strongly or not) (n=9)",
        "Disagree (strongly or not) (n=5)", "No answer (n=2)",
    ]  # fmt: skip
    assert body[TRANSPORT] == [13, 9, 4, 0]
    assert body[BREAKS] == [7, 3, 4, 0]
    assert body[BUDGETS] == [5, 0, 5, 0]
    shares_header, shares = _tables(sheets[0], "Theme (%)")[1]
    assert shares_header[-2:] == ["Differs by answer? (indicative)", "Notably more often"]
    assert shares[BUDGETS][:4] == pytest.approx([5 / 16, 0, 1, 0])
    assert shares[BUDGETS][4].startswith("yes (p = ")  # nothing hidden: the exact p-value
    assert shares[BUDGETS][5] == "Disagree (strongly or not)"


def test_themes_raised_together(sheets):
    """Transport with short breaks: R7-13; with budgets: R10-13; breaks with budgets: R10-13."""
    header, body = _tables(sheets[0], "Theme")[-1]
    column = {name: i for i, name in enumerate(header[1:])}
    assert body[TRANSPORT][column[TRANSPORT]] == 13
    assert body[TRANSPORT][column[BREAKS]] == body[BREAKS][column[TRANSPORT]] == 7
    assert body[TRANSPORT][column[BUDGETS]] == 4
    assert body[BREAKS][column[BUDGETS]] == 4
    assert body[BUDGETS][column[BUDGETS]] == 5


def test_crosstabs_are_suppressed(sheets):
    """At threshold 2, every 1 is hidden; where a total gives a hidden 1 away, another cell
    goes: personal budgets by question is 5 = 1 + 4 at least, so the 4 is hidden too; by
    answer the columns add up to All, so no row keeps a lone hidden cell."""
    (_, body), (_, body2) = _tables(sheets[2], "Theme (respondents)")[:2]
    assert body[BUDGETS] == [5, "<2", "[c]"]
    for cells in body2.values():
        hidden = [c for c in cells[1:] if c in ("<2", "[c]")]
        assert len(hidden) != 1
        assert 1 not in cells
    (_, together) = _tables(sheets[2], "Theme")[-1]
    assert all(1 not in cells for cells in together.values())
