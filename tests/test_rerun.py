"""The revise-and-re-run loop: compare runs, officer overrides, and the diff command."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sendconsult.cli import app

runner = CliRunner()

ROWS = [
    ["Response ID", "Your comments"],
    ["R1", "The taxi to school is late every single morning and nobody tells us why."],
    ["R2", "We need respite in the school holidays, the Saturday club has closed."],
    ["R3", "Health and the council never talk to each other about our son."],
    ["R4", "College said they could not meet his needs after sixteen."],
    ["R5", "The minibus driver is lovely but the journey takes over an hour."],
    ["R6", "Nothing about transport, we are fine thank you, but respite please."],
]

FIRST = """\
themes:
  - id: transport
    label: Home-to-school transport
    terms: [transport, taxi*, bus]
  - id: short_breaks
    label: Short breaks
    terms: [respite, short break*]
  - id: joint_working
    label: Joint working
    terms: [health NEAR/5 council]
"""

# Revised: transport loses "taxi*" and gains "minibus"; short breaks gains "saturday club";
# a new theme post_16 is added.
REVISED = """\
themes:
  - id: transport
    label: Home-to-school transport
    terms: [transport, bus, minibus, journey]
  - id: short_breaks
    label: Short breaks
    terms: [respite, short break*, saturday club]
  - id: joint_working
    label: Joint working
    terms: [health NEAR/5 council]
  - id: post_16
    label: Post-16
    terms: [college]
"""


@pytest.fixture
def project(tmp_path: Path, write_csv) -> Path:  # noqa: ANN001
    write_csv(ROWS, name="export.csv")
    (tmp_path / "first.yaml").write_text(FIRST, encoding="utf-8")
    (tmp_path / "revised.yaml").write_text(REVISED, encoding="utf-8")
    return tmp_path


def analyse(project: Path, themes: str, out: str, *extra: str) -> str:
    result = runner.invoke(
        app,
        ["analyse", str(project / "export.csv"), "--themes", str(project / themes),
         "--out", str(project / out), "--suppress", "0", "--jobs", "1", *extra],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.output


def coding(path: Path) -> dict[str, dict]:
    sheet = openpyxl.load_workbook(path)["Coding"]
    rows = list(sheet.iter_rows(values_only=True))
    return {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}


def changes_rows(path: Path) -> list[tuple]:
    sheet = openpyxl.load_workbook(path)["Changes"]
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "Response ID")
    return [tuple(r[:4]) for r in rows[start + 1 :] if r[0]]


def test_a_dictionary_change_gives_exactly_the_expected_changes(project: Path):
    analyse(project, "first.yaml", "v1.xlsx")
    output = analyse(project, "revised.yaml", "v2.xlsx", "--compare", str(project / "v1.xlsx"))
    assert sorted(changes_rows(project / "v2.xlsx")) == [
        ("R1", "Home-to-school transport", "Removed", "no longer counts: taxi*"),
        ("R4", "Post-16", "Added", "matched: college"),
        ("R5", "Home-to-school transport", "Added", "matched: minibus, journey"),
    ]
    sheet = openpyxl.load_workbook(project / "v2.xlsx")["Changes"]
    by_theme = {r[0]: r[1:5] for r in sheet.iter_rows(min_row=5, max_row=8, values_only=True)}
    assert by_theme["transport"] == ("Home-to-school transport", 1, 1, 0)
    assert by_theme["short_breaks"] == ("Short breaks", 2, 2, 0)  # R2 already had respite
    assert by_theme["post_16"] == ("Post-16", "not in dictionary", 1, 1)
    assert "3 responses changed theme." in output
    names = openpyxl.load_workbook(project / "v2.xlsx").sheetnames
    assert names[-3:] == ["Coding", "Changes", "Method"]


def test_overrides_from_a_csv_survive_a_rerun_with_another_dictionary(project: Path):
    overrides = project / "overrides.csv"
    overrides.write_text(
        "response_id,theme,value,note\nR4,short_breaks,1,asked about holiday clubs\n"
        "R2,short_breaks,0,\n",
        encoding="utf-8",
    )
    for themes, out in (("first.yaml", "v1.xlsx"), ("revised.yaml", "v2.xlsx")):
        analyse(project, themes, out, "--overrides", str(overrides))
        rows = coding(project / out)
        assert rows["R4"]["short_breaks"] == 1
        assert rows["R2"]["short_breaks"] == 0
        assert rows["R4"]["overrides"] == "short_breaks=1"
        assert rows["R2"]["overrides"] == "short_breaks=0"
        assert rows["R6"]["short_breaks"] == 1  # not overridden: the dictionary's code stands
    book = openpyxl.load_workbook(project / "v2.xlsx")
    sheet = book["Coding"]
    header = [c.value for c in sheet[1]]
    yellow = {
        (row[0].value, header[i])
        for row in sheet.iter_rows(min_row=2)
        for i, cell in enumerate(row)
        if cell.fill.fgColor.rgb.endswith("FFE699")
    }
    assert yellow == {("R4", "short_breaks"), ("R2", "short_breaks")}
    method = [r for r in book["Method"].iter_rows(values_only=True) if r[0] in ("R2", "R4")]
    assert sorted(r[:5] for r in method) == [
        ("R2", "Short breaks", 1, 0, None),
        ("R4", "Short breaks", 0, 1, "asked about holiday clubs"),
    ]
    # The figures count the overrides: R4 is now in the Short breaks theme sheet.
    theme_sheet = book["Short breaks"]
    quoted = {r[0] for r in theme_sheet.iter_rows(min_row=5, values_only=True) if r[0]}
    assert quoted == {"R4", "R6"}


def test_an_edited_report_is_read_as_overrides_and_carried_forward(project: Path):
    analyse(project, "first.yaml", "v1.xlsx")
    book = openpyxl.load_workbook(project / "v1.xlsx")
    sheet = book["Coding"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "R3":
            row[header.index("transport")].value = 1  # the officer adds a theme
        if row[0].value == "R1":
            row[header.index("transport")].value = 0  # and takes one away
    book.save(project / "reviewed.xlsx")
    output = analyse(
        project, "revised.yaml", "v2.xlsx", "--overrides", str(project / "reviewed.xlsx")
    )
    rows = coding(project / "v2.xlsx")
    assert (rows["R3"]["transport"], rows["R1"]["transport"]) == (1, 0)
    assert "Officer overrides applied" in output
    # Used again as the reviewed file, the new report keeps both decisions without new edits.
    analyse(project, "first.yaml", "v3.xlsx", "--overrides", str(project / "v2.xlsx"))
    rows = coding(project / "v3.xlsx")
    assert (rows["R3"]["transport"], rows["R1"]["transport"]) == (1, 0)
    assert rows["R3"]["overrides"] == "transport=1"


def test_overrides_for_missing_responses_or_themes_are_warnings(project: Path):
    overrides = project / "overrides.csv"
    overrides.write_text(
        "response_id,theme,value\nR9,transport,1\nR1,not_a_theme,1\nR2,transport,1\n",
        encoding="utf-8",
    )
    output = " ".join(
        analyse(project, "first.yaml", "v1.xlsx", "--overrides", str(overrides)).split()
    )
    assert (
        "Warning: 1 override in overrides.csv name responses that are not in this export (R9)"
        in output
    )
    assert "name themes that are not in the dictionary (not_a_theme)" in output
    assert coding(project / "v1.xlsx")["R2"]["transport"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("response_id,value\nR1,1\n", "overrides.csv has no theme column"),
        (
            "response_id,theme,value\nR1,transport,maybe\n",
            "overrides.csv row 2: give a response_id",
        ),
    ],
)
def test_a_bad_overrides_file_is_one_clear_error(project: Path, content: str, message: str):
    overrides = project / "overrides.csv"
    overrides.write_text(content, encoding="utf-8")
    result = runner.invoke(
        app,
        ["analyse", str(project / "export.csv"), "--themes", str(project / "first.yaml"),
         "--overrides", str(overrides), "--out", str(project / "r.xlsx")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert " ".join(result.output.split()).startswith(f"Error: {message}")
    assert not (project / "r.xlsx").exists()


def test_an_edited_cell_that_is_not_a_code_names_its_row_and_column(project: Path):
    analyse(project, "first.yaml", "v1.xlsx")
    book = openpyxl.load_workbook(project / "v1.xlsx")
    sheet = book["Coding"]
    sheet.cell(row=3, column=3).value = "yes please"
    book.save(project / "reviewed.xlsx")
    result = runner.invoke(app, ["diff", str(project / "v1.xlsx"), str(project / "reviewed.xlsx")])
    assert result.exit_code == 1
    assert " ".join(result.output.split()) == (
        "Error: reviewed.xlsx, Coding sheet row 3, column transport: 'yes please' is not a "
        "code; use 1 or 0."
    )


def test_diff_two_reports(project: Path):
    analyse(project, "first.yaml", "v1.xlsx")
    analyse(project, "revised.yaml", "v2.xlsx")
    result = runner.invoke(
        app,
        ["diff", str(project / "v1.xlsx"), str(project / "v2.xlsx"),
         "--out", str(project / "changes.csv")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "3 responses changed theme." in result.output
    assert "post_16" not in result.output  # themes on screen by label, not id
    with (project / "changes.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted((r["response_id"], r["theme"], r["change"]) for r in rows) == [
        ("R1", "transport", "removed"),
        ("R4", "post_16", "added"),
        ("R5", "transport", "added"),
    ]
    result = runner.invoke(
        app,
        ["diff", str(project / "v1.xlsx"), str(project / "v2.xlsx"),
         "--out", str(project / "changes.xlsx")],
    )  # fmt: skip
    assert result.exit_code == 0
    book = openpyxl.load_workbook(project / "changes.xlsx")
    themes = {r[0]: r[1:] for r in book["Themes"].iter_rows(min_row=2, values_only=True)}
    assert themes["transport"][:3] == (1, 1, 0)  # R1 out, R5 in; R6 denies it is a concern
    assert themes["post_16"][:3] == (None, 1, 1)
    labels = {r[0]: r[4] for r in book["Themes"].iter_rows(min_row=2, values_only=True)}
    assert all(labels[t] and labels[t] != t for t in ("transport", "post_16")), labels
    result = runner.invoke(
        app,
        ["diff", str(project / "v1.xlsx"), str(project / "v2.xlsx"),
         "--out", str(project / "changes.xlsx")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "already exists; add --force" in result.output


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("missing.xlsx", None, "The report {path} was not found"),
        (
            "plain.xlsx",
            "workbook",
            "plain.xlsx has no Coding sheet, so it is not a sendconsult report (or was made "
            "with --publish",
        ),
        ("text.xlsx", "text", "text.xlsx could not be opened as an Excel workbook"),
    ],
)
def test_diff_refuses_what_is_not_a_report(project: Path, name: str, make, message: str):
    analyse(project, "first.yaml", "v1.xlsx")
    path = project / name
    if make == "workbook":
        openpyxl.Workbook().save(path)
    elif make == "text":
        path.write_text("not a workbook", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(project / "v1.xlsx"), str(path)])
    assert result.exit_code == 1
    assert " ".join(result.output.split()).startswith("Error: " + message.format(path=path))


def test_diff_as_a_real_command(project: Path):
    analyse(project, "first.yaml", "v1.xlsx")
    analyse(project, "revised.yaml", "v2.xlsx")
    shutil.copy(project / "v2.xlsx", project / "v2 copy.xlsx")
    completed = subprocess.run(
        [sys.executable, "-m", "sendconsult", "diff", str(project / "v1.xlsx"),
         str(project / "v2 copy.xlsx"), "--limit", "1"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "3 responses changed theme." in completed.stdout
    assert "and 2 more; use --out to list all." in completed.stdout
