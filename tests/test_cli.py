"""The command line as an officer uses it: exit codes, one-line errors, help with examples."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sendconsult.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_responses" / "leicester_send_strategy_2019.csv"
runner = CliRunner()


def all_commands() -> list[list[str]]:
    root = typer_click_group()
    commands: list[list[str]] = []
    for name, command in root.commands.items():
        if hasattr(command, "commands"):  # a group (typer may vendor its own click)
            commands.extend([name, sub] for sub in command.commands)
        else:
            commands.append([name])
    return commands


def typer_click_group():  # noqa: ANN201 - typer's click group
    import typer.main

    return typer.main.get_command(app)  # type: ignore[return-value]


@pytest.mark.parametrize("command", all_commands(), ids=lambda c: " ".join(c))
def test_every_command_has_help_with_an_example(command: list[str]):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example: sendconsult " + " ".join(command) in " ".join(result.output.split())


def test_expected_commands_exist():
    names = {" ".join(c) for c in all_commands()}
    assert {"analyse", "inspect", "explain", "evaluate", "themes check", "themes import"} <= names


def test_inspect_shows_roles():
    result = runner.invoke(app, ["inspect", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Citizen Space layout, 340 responses" in out
    assert "Free-text questions" in out and "Respondent groups" in out
    for role in ("id", "group", "closed", "text", "consent", "metadata"):
        assert f" {role} " in out


def test_missing_export_is_one_line_and_exit_1():
    result = runner.invoke(app, ["inspect", "no_such_export.csv"])
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == "Error: no_such_export.csv was not found; check the file name and folder."
    )


def test_unknown_text_column_suggests_name():
    result = runner.invoke(
        app,
        [
            "inspect",
            str(SAMPLE),
            "--text-column",
            "Do you have any other coments on the draft SEND strategy?",
        ],
    )
    assert result.exit_code == 1
    assert "did you mean 'Do you have any other comments on the draft SEND strategy?'" in " ".join(
        result.output.split()
    )


def test_usage_error_exits_2():
    result = runner.invoke(app, ["analyse"])
    assert result.exit_code == 2


def test_explain_shows_matches_and_negation():
    result = runner.invoke(
        app, ["explain", "No problems with the taxi, but we waited 40 weeks for the EHCP."]
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "no (negation:" in out and "negation rule" in out.lower()
    assert "Themes: EHC needs assessments and plans" in out


def test_explain_a_response_of_the_export():
    result = runner.invoke(app, ["explain", "--id", "ANON-Q8K3-RFFG-2", "--export", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "Themes:" in result.output


def test_explain_unknown_response_id():
    result = runner.invoke(app, ["explain", "--id", "ANON-XXXX-XXXX-X", "--export", str(SAMPLE)])
    assert result.exit_code == 1
    assert "is not in leicester_send_strategy_2019.csv" in result.output


def test_evaluate_prints_scores():
    gold = ROOT / "sample_responses" / "hand_coded_dev.csv"
    result = runner.invoke(app, ["evaluate", str(SAMPLE), "--gold", str(gold), "--errors", "3"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Dictionary against hand-coding (150 responses)" in out
    assert "micro average" in out and "Disagreements (first 3" in out


def test_bad_dictionary_names_line():
    bad = ROOT / "tests" / "fixtures" / "dictionaries" / "bad_key.yaml"
    result = runner.invoke(app, ["explain", "--themes", str(bad), "taxi"])
    assert result.exit_code == 1
    assert "bad_key.yaml line 4: unknown key 'term'" in " ".join(result.output.split())


def test_real_subprocess_inspect():
    completed = subprocess.run(
        [sys.executable, "-m", "sendconsult", "inspect", str(SAMPLE)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "340 responses" in completed.stdout
    assert "Traceback" not in completed.stderr


def test_real_subprocess_error_has_no_traceback(tmp_path: Path):
    bad = tmp_path / "export.csv"
    bad.write_bytes(b"%PDF-1.4 not a spreadsheet")
    completed = subprocess.run(
        [sys.executable, "-m", "sendconsult", "inspect", str(bad)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert "export.csv is a PDF, not a spreadsheet" in " ".join(completed.stderr.split())


def test_the_program_ends_with_the_command_exit_code_and_all_its_output(tmp_path: Path):
    """The program ends its process at once after a command (sendconsult.cli.console): the
    piped output, which Python buffers, must still arrive whole, and the exit code be the
    command's."""
    report = tmp_path / "report.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "sendconsult", "analyse", str(SAMPLE), "--out", str(report)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Top themes" in done.stdout and f"Report written to {report}" in " ".join(
        done.stdout.split()
    )
    assert report.stat().st_size > 0
    misuse = subprocess.run(
        [sys.executable, "-m", "sendconsult", "analyse", str(SAMPLE), "--no-such-option"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert misuse.returncode == 2
    assert "No such option" in misuse.stderr
