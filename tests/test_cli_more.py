"""The command line on every shipped sample, its error paths, --debug, --model and explain.

`inspect` is run on each sample export as an officer would, and the Columns table it prints is
read back row by row, so a wrong role shows up as the role the officer would see.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import flat
from typer.testing import CliRunner

from sendconsult.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_responses"
SAMPLE = SAMPLES / "leicester_send_strategy_2019.csv"
runner = CliRunner()

GROUP_Q = "In what capacity are you responding? (tick all that apply)"
CONSENT_Q = "May we publish your response?"
TEXT_QS = [
    "Please tell us why you agree or disagree with the priorities in the draft strategy.",
    "What one thing would make the biggest difference to children and young people with SEND "
    "and their families?",
    "Do you have any other comments on the draft SEND strategy?",
]
CS_META = ["Started on", "Completed on"]

# file, summary line, "Response IDs:" line, the other columns that must read as metadata
SAMPLE_EXPORTS = [
    (
        "leicester_send_strategy_2019.csv",
        "leicester_send_strategy_2019.csv: Citizen Space layout, 340 responses "
        "(spreadsheet rows 2 to 341)",
        "Response ID",
        CS_META,
    ),
    (
        "leicester_send_strategy_2019.xlsx",
        "leicester_send_strategy_2019.xlsx (sheet 'Responses'): Citizen Space layout, "
        "340 responses (spreadsheet rows 2 to 341)",
        "Response ID",
        CS_META,
    ),
    (
        "leicester_send_strategy_2019_analyst.csv",
        "leicester_send_strategy_2019_analyst.csv: Citizen Space layout, 40 responses "
        "(spreadsheet rows 2 to 41)",
        "Response ID",
        [*CS_META, "Analyst: Tags", "Analyst: Notes", "Analyst: Status"],
    ),
    (
        "google_forms_send_feedback.csv",
        "google_forms_send_feedback.csv: Google Forms layout, 30 responses "
        "(spreadsheet rows 2 to 31)",
        None,
        ["Timestamp"],
    ),
    (
        "msforms_send_feedback.xlsx",
        "msforms_send_feedback.xlsx (sheet 'Sheet1'): Microsoft Forms layout, 30 responses "
        "(spreadsheet rows 2 to 31)",
        "ID",
        ["Start time", "Completion time", "Email=personal", "Name=personal"],
    ),
    (
        "qualtrics_send_survey.csv",
        "qualtrics_send_survey.csv: Qualtrics layout, 25 responses (spreadsheet rows 4 to 28)",
        "Response ID",
        [
            "Start Date",
            "IP Address=personal",
            "Recipient Last Name=personal",
            "Recipient First Name=personal",
            "Recipient Email=personal",
            "Location Latitude=personal",
            "User Language",
        ],
    ),
    (
        "surveymonkey_send_survey.csv",
        "surveymonkey_send_survey.csv: SurveyMonkey layout, 40 responses "
        "(spreadsheet rows 3 to 42)",
        "Respondent ID",
        [
            "Collector ID",
            "Start Date",
            "IP Address=personal",
            "Email Address=personal",
            "First Name=personal",
            "Last Name=personal",
        ],
    ),
]


pytestmark = pytest.mark.usefixtures("wide_console")


def table_rows(output: str, title: str, key: int = 0) -> list[list[str]]:
    """The rows of one printed rich table, cells that wrapped over several lines joined.

    A row's first line has its `key` cell filled; the lines of its wrapped cells do not.
    """
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("└"):
            break
        if not line.startswith("│"):
            continue  # borders and the header
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if cells[key] or not rows:
            rows.append(cells)
        else:
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
    return rows


def printed_roles(output: str) -> dict[str, str]:
    return {row[1]: row[2] for row in table_rows(output, "Columns")}


@pytest.mark.parametrize(
    ("name", "summary", "id_column", "metadata"), SAMPLE_EXPORTS, ids=[s[0] for s in SAMPLE_EXPORTS]
)
def test_inspect_shows_layout_and_roles_of_every_sample(name, summary, id_column, metadata):
    result = runner.invoke(app, ["inspect", str(SAMPLES / name)])
    assert result.exit_code == 0, result.output
    assert summary in flat(result.stdout)
    assert f"Response IDs: {id_column or 'made from row numbers'}" in flat(result.stdout)
    roles = printed_roles(result.stdout)
    if id_column:
        assert roles[id_column] == "id"
    else:
        assert "id" not in roles.values()
    assert roles[GROUP_Q] == "group"
    assert [roles[q] for q in TEXT_QS] == ["text"] * 3
    assert roles[CONSENT_Q] == "consent"
    likert = [n for n in roles if "agree or disagree with" in n and "Priority" in n]
    assert len(likert) == 3 and {roles[q] for q in likert} == {"closed"}
    # "column=personal": a respondent's detail, never shown; the rest are bookkeeping
    expected = dict(c.split("=") if "=" in c else (c, "metadata") for c in metadata)
    assert {c: roles[c] for c in expected} == expected
    # every column is listed once, and nothing but the questions is analysed as free text
    assert [c for c, r in roles.items() if r == "text"] == TEXT_QS
    assert f"Respondent groups ({GROUP_Q})" in flat(result.stdout)
    free_text = [row[0] for row in table_rows(result.stdout, "Free-text questions", key=1)]
    assert free_text == TEXT_QS


def test_inspect_reads_comma_options_whole_in_the_groups_table():
    result = runner.invoke(app, ["inspect", str(SAMPLES / "google_forms_send_feedback.csv")])
    assert result.exit_code == 0, result.output
    groups = {row[0] for row in table_rows(result.stdout, f"Respondent groups ({GROUP_Q})")}
    assert "Education professional (school, college or early years setting)" in groups
    assert not any(g.startswith(("college", "school")) for g in groups)


# -- no free-text column ----------------------------------------------------------------------


@pytest.fixture
def closed_only(write_csv) -> Path:
    return write_csv(
        [
            [
                "Response ID",
                "In what capacity are you responding?",
                "Do you agree with Priority 1?",
            ],
            ["ANON-1", "Parent or carer", "Agree"],
            ["ANON-2", "Young person", "Strongly disagree"],
            ["ANON-3", "Parent or carer", "Neither agree nor disagree"],
            ["ANON-4", "Education professional", "Agree"],
        ],
        name="closed_questions.csv",
    )


@pytest.mark.parametrize("command", ["inspect", "analyse"])
def test_no_free_text_column_is_one_line_naming_the_file(closed_only: Path, command: str):
    result = runner.invoke(app, [command, str(closed_only)])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "Error: No free-text column was found in closed_questions.csv (columns are: "
        "'Response ID',"
    )
    assert lines[0].endswith("; name one with --text-column.")
    assert "Traceback" not in result.output
    assert not list(closed_only.parent.glob("*_report.xlsx"))


def test_naming_the_text_column_gets_past_the_error(closed_only: Path):
    result = runner.invoke(
        app, ["inspect", str(closed_only), "--text-column", "Do you agree with Priority 1?"]
    )
    assert result.exit_code == 0, result.output
    assert printed_roles(result.stdout)["Do you agree with Priority 1?"] == "text"


# -- the installed console script and --debug -------------------------------------------------


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SENDCONSULT_DEBUG"}
    return {**env, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), capture_output=True, text=True, timeout=300, check=False, env=_env()
    )


SCRIPT = Path(sys.executable).parent / ("sendconsult.exe" if os.name == "nt" else "sendconsult")


@pytest.mark.skipif(not SCRIPT.exists(), reason="the sendconsult console script is not installed")
def test_console_script_help_and_a_real_command():
    helped = _run(str(SCRIPT), "--help")
    assert helped.returncode == 0, helped.stderr
    assert "Example: sendconsult analyse" in flat(helped.stdout)
    for command in ("analyse", "inspect", "explain", "evaluate", "themes"):
        assert command in helped.stdout
    explained = _run(str(SCRIPT), "explain", "The taxi driver never turns up on time.")
    assert explained.returncode == 0, explained.stderr
    assert "Themes: Home-to-school transport" in flat(explained.stdout)
    inspected = _run(str(SCRIPT), "inspect", str(SAMPLES / "qualtrics_send_survey.csv"))
    assert inspected.returncode == 0, inspected.stderr
    assert "Qualtrics layout, 25 responses" in flat(inspected.stdout)


@pytest.mark.parametrize("broken", ["missing", "pdf"])
def test_debug_shows_the_traceback_and_the_default_one_line(tmp_path: Path, broken: str):
    export = tmp_path / "responses.csv"
    if broken == "pdf":
        export.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    plain = _run(sys.executable, "-m", "sendconsult", "analyse", str(export))
    debug = _run(sys.executable, "-m", "sendconsult", "analyse", str(export), "--debug")
    assert plain.returncode == 1 and debug.returncode == 1
    assert "Traceback" not in plain.stderr
    lines = plain.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), plain.stderr
    message = (
        "was not found; check the file name and folder"
        if broken == "missing"
        else "responses.csv is a PDF, not a spreadsheet"
    )
    assert message in lines[0]
    assert "Traceback (most recent call last)" in debug.stderr
    assert "sendconsult.errors.ExportError" in debug.stderr and message in debug.stderr
    assert not list(tmp_path.glob("*_report.xlsx"))


# -- --model -----------------------------------------------------------------------------------


def test_model_folder_that_is_not_a_pipeline(tmp_path: Path):
    folder = tmp_path / "my_model"
    folder.mkdir()
    (folder / "notes.txt").write_text("downloaded from the intranet", encoding="utf-8")
    result = runner.invoke(app, ["explain", "taxi", "--model", str(folder)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert flat(result.stderr) == (
        f"Error: '{folder}' is not a spaCy pipeline folder (it has no config.cfg); give the "
        "folder a pipeline was saved to, or leave out --model to use the built-in English "
        "pipeline."
    )


def test_model_folder_that_does_not_exist(tmp_path: Path):
    missing = tmp_path / "models" / "en_send"
    result = runner.invoke(app, ["explain", "taxi", "--model", str(missing)])
    assert result.exit_code == 1
    assert f"Error: spaCy pipeline folder '{missing}' was not found" in flat(result.stderr)
    assert "pip install" not in result.stderr


def test_model_name_that_is_not_installed():
    result = runner.invoke(app, ["explain", "taxi", "--model", "en_core_web_zz"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert flat(result.stderr) == (
        "Error: spaCy pipeline 'en_core_web_zz' is not installed; install it (pip install "
        "en_core_web_zz) or leave out --model to use the built-in English pipeline."
    )


def test_model_folder_saved_by_spacy_is_used(tmp_path: Path):
    import spacy

    spacy.blank("en").to_disk(tmp_path / "pipe")
    result = runner.invoke(
        app,
        ["explain", "Budgets were cut. The escort comes at 7am.", "--model", str(tmp_path / "pipe")],
    )
    assert result.exit_code == 0, result.output
    tokens = {row[1]: row[2] for row in table_rows(result.stdout, "Tokens")}
    assert tokens["Budgets"] == "budget" and tokens["were"] == "be"
    starts = [row[1] for row in table_rows(result.stdout, "Tokens") if row[3] == "yes"]
    assert starts == ["Budgets", "The"]  # a sentencizer was added to the blank pipeline
    matches = table_rows(result.stdout, "Dictionary matches")
    assert matches == [["Home-to-school transport", "escort*", "escort", "yes"]]
    assert "Themes: Home-to-school transport" in flat(result.stdout)


# -- explain -----------------------------------------------------------------------------------


def test_explain_text_shows_tokens_lemmas_matches_negation_and_themes():
    text = "Personal Budgets are a lifeline. No problems with the taxi though."
    result = runner.invoke(app, ["explain", text])
    assert result.exit_code == 0, result.output
    tokens = table_rows(result.stdout, "Tokens")
    assert [row[1] for row in tokens][:3] == ["Personal", "Budgets", "are"]
    lemmas = {row[1]: row[2] for row in tokens}
    assert lemmas["Budgets"] == "budget" and lemmas["are"] == "be"
    assert lemmas["problems"] == "problem"
    assert [row[1] for row in tokens if row[3] == "yes"] == ["Personal", "No"]
    matches = table_rows(result.stdout, "Dictionary matches")
    assert [
        "Personal budgets and direct payments",
        "personal budget*",
        "Personal Budgets",
        "yes",
    ] in matches
    (taxi,) = [m for m in matches if m[2] == "taxi"]
    assert taxi[0] == "Home-to-school transport"
    assert taxi[3] == "no (negation: No problems with the)"
    output = flat(result.stdout)
    assert "Themes: Personal budgets and direct payments" in output
    assert "Negation rule: A dictionary match does not count when" in output


def test_explain_text_with_no_match():
    result = runner.invoke(app, ["explain", "Thank you for asking us."])
    assert result.exit_code == 0, result.output
    assert "no dictionary term found" in flat(result.stdout)
    assert "Themes: none" in flat(result.stdout)
    assert "Negation rule" not in result.stdout


def test_explain_a_sample_response_by_id():
    result = runner.invoke(app, ["explain", "--id", "ANON-Q8K3-RFFG-2", "--export", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    output = flat(result.stdout)
    # both answers of the response, each under its question
    assert TEXT_QS[0] in output and TEXT_QS[1] in output
    assert "we waited nearly 11 months for his EHCP to be finalised" in output
    assert "More special school places in Leicester" in output
    lemmas = {row[1]: row[2] for row in table_rows(result.stdout, "Tokens")}
    assert lemmas["waited"] == "wait" and lemmas["months"] == "month"
    matched = {(m[1], m[2]) for m in table_rows(result.stdout, "Dictionary matches")}
    assert {("EHCP*", "EHCP"), ("special school*", "special school")} <= matched
    assert "Themes: Placements and specialist places, EHC needs assessments and plans" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [],
            "give either a TEXT or --id RESPONSE_ID with --export FILE; see sendconsult explain --help.",
        ),
        (["some text", "--id", "ANON-Q8K3-RFFG-2"], "give either a TEXT or --id RESPONSE_ID"),
        (["--id", "ANON-Q8K3-RFFG-2"], "--id needs --export FILE to find the response in."),
    ],
)
def test_explain_mistyped_is_a_usage_error(args: list[str], message: str):
    result = runner.invoke(app, ["explain", *args])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {message}")
    assert result.stderr.count("\n") == 1
    assert "unexpected problem" not in result.stderr
