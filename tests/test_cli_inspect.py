"""`sendconsult inspect` as an officer runs it: what it shows, warnings, errors and exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import flat
from typer.testing import CliRunner

from sendconsult.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = Path(__file__).parent / "fixtures" / "exports"
runner = CliRunner()


pytestmark = pytest.mark.usefixtures("wide_console")


def test_help_ends_with_a_real_example():
    result = runner.invoke(app, ["inspect", "--help"])
    assert result.exit_code == 0
    example = "Example: sendconsult inspect sample_responses/leicester_send_strategy_2019.csv"
    assert example in flat(result.output)
    assert (ROOT / "sample_responses" / "leicester_send_strategy_2019.csv").is_file()


def test_inspect_shows_layout_roles_groups_and_text_columns():
    result = runner.invoke(app, ["inspect", str(EXPORTS / "surveymonkey_cp1252.csv")])
    assert result.exit_code == 0, result.output
    output = flat(result.output)
    assert (
        "surveymonkey_cp1252.csv: SurveyMonkey layout, 3 responses (spreadsheet rows 3 to 5)"
        in output
    )
    assert "Response IDs: Respondent ID" in output
    for heading in ("Columns", "Respondent groups", "Free-text questions", "mean words"):
        assert heading in output
    assert "Your views text detected: free text, 100% filled, mean 10 words 100% 10" in output
    assert "Education professional (school, college or early years setting) 1" in output
    assert "1 respondents typed their own 'Other' group" in output


def test_warnings_go_to_stderr(tmp_path: Path):
    export = tmp_path / "export.csv"
    export.write_text(
        "Timestamp,Comments\n2019/06/14 9:31:07 am GMT+1,The taxi is late every day.\n"
        "2019/06/14 9:41:07 am GMT+1,We need more respite please.\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["inspect", str(export)])
    assert result.exit_code == 0
    assert "Warning: No response ID column found" in flat(result.stderr)
    assert "Warning" not in result.stdout
    assert "Response IDs: made from row numbers" in flat(result.stdout)


def test_overrides_are_shown_as_reasons():
    result = runner.invoke(
        app,
        ["inspect", str(EXPORTS / "google_forms_small.csv"), "--text-column", "Do you agree?"],
    )
    assert result.exit_code == 0, result.output
    output = flat(result.stdout)
    assert "Do you agree? text --text-column" in output
    assert "not analysed: --text-column names the text columns" in output


def test_config_beside_the_export_is_used(tmp_path: Path):
    export = tmp_path / "export.csv"
    export.write_bytes((EXPORTS / "mojibake_semicolon.csv").read_bytes())
    (tmp_path / "sendconsult.toml").write_text('[columns]\ngroup = "Agree?"\n', encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(export)])
    assert result.exit_code == 0, result.output
    assert "Agree? group config" in flat(result.stdout)


def test_bad_config_is_one_line_and_exit_1(tmp_path: Path):
    config = tmp_path / "bad.toml"
    config.write_text("[columns]\ntext = 3\n", encoding="utf-8")
    result = runner.invoke(
        app, ["inspect", str(EXPORTS / "google_forms_small.csv"), "--config", str(config)]
    )
    assert result.exit_code == 1
    assert result.output.strip() == (
        'Error: bad.toml: [columns] text must be a list of column names, e.g. ["First", "Second"].'
    )


def test_unknown_column_and_bad_file_are_one_line_errors():
    result = runner.invoke(
        app, ["inspect", str(EXPORTS / "google_forms_small.csv"), "--group-column", "Timestmp"]
    )
    assert result.exit_code == 1
    assert "did you mean 'Timestamp'?" in flat(result.output)
    result = runner.invoke(app, ["inspect", str(EXPORTS / "encrypted.xlsx")])
    assert result.exit_code == 1
    assert flat(result.output).startswith("Error: encrypted.xlsx looks password-protected")
    assert "Traceback" not in result.output


def test_unknown_sheet_lists_sheets():
    result = runner.invoke(app, ["inspect", str(EXPORTS / "msforms_small.xlsx"), "--sheet", "Data"])
    assert result.exit_code == 1
    assert "msforms_small.xlsx has no sheet 'Data'; its sheets are 'Sheet1'." in flat(result.output)


def test_real_subprocess():
    completed = subprocess.run(
        [sys.executable, "-m", "sendconsult", "inspect", str(EXPORTS / "qualtrics_small.csv")],
        capture_output=True, text=True, timeout=120, check=False,
        env={"COLUMNS": "200", "PATH": "", "PYTHONIOENCODING": "utf-8"},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    output = flat(completed.stdout)
    assert "qualtrics_small.csv: Qualtrics layout, 3 responses (spreadsheet rows 4 to 6)" in output
    assert "Why do you say that?" in output
    assert completed.stderr == ""


def test_real_subprocess_error_exit_code(tmp_path: Path):
    export = tmp_path / "export.csv"
    export.write_text("Ref,Comments\n", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "sendconsult", "inspect", str(export)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 1
    assert "export.csv has column headings but no responses" in flat(completed.stderr)
    assert "Traceback" not in completed.stderr
