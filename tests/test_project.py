"""The façade the commands call: opening a project, coding a survey, explaining an answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sendconsult.errors import ColumnError
from sendconsult.project import (
    ColumnChoices,
    answers_of,
    code_survey,
    explain_answers,
    open_dictionary,
    open_project,
)

ROWS = [
    ["Response ID", "I am responding as", "Area", "Why do you say that?"],
    ["R-1001", "Parent or carer", "North", "The taxi to school is late most mornings."],
    ["R-1002", "Young person", "South", "We need more respite in the holidays."],
    ["R-1003", "Parent or carer", "North", "No problems with transport but we need respite."],
    ["R-1004", "Professional", "South", ""],
]

DICTIONARY = """themes:
  - id: transport
    label: Home to school transport
    terms: [taxi, transport]
  - id: respite
    label: Short breaks and respite
    terms: [respite]
"""


@pytest.fixture
def export(tmp_path: Path, write_csv: Callable[..., Path]) -> Path:
    """An export with a project config beside it naming its own dictionary."""
    (tmp_path / "themes.yaml").write_text(DICTIONARY, encoding="utf-8")
    (tmp_path / "sendconsult.toml").write_text(
        'themes = "themes.yaml"\n[columns]\ngroup = "I am responding as"\n', encoding="utf-8"
    )
    return write_csv(ROWS, name="school_transport_2026.csv")


def test_a_project_reads_its_config_and_the_dictionary_it_names(export: Path):
    project = open_project(export)
    assert project.config is not None and project.config.path == export.parent / "sendconsult.toml"
    assert project.dictionary().theme_ids == ["transport", "respite"]
    survey = project.read_survey()
    assert survey.group_column == "I am responding as"
    assert list(survey.responses["response_id"]) == ["R-1001", "R-1002", "R-1003", "R-1004"]


def test_the_dictionary_given_comes_before_the_configs(export: Path):
    from sendconsult.resources import default_dictionary

    project = open_project(export)
    shipped = project.dictionary(default_dictionary())
    assert shipped.theme_ids == open_dictionary(None).theme_ids != ["transport", "respite"]


def test_the_officers_column_choices_are_read(export: Path):
    survey = open_project(export).read_survey(
        columns=ColumnChoices(text_column=("Why do you say that?",), id_column="Response ID")
    )
    assert survey.text_questions == ["Why do you say that?"]
    assert survey.id_column == "Response ID"


def test_without_an_export_or_config_the_shipped_dictionary_is_used():
    project = open_project(None)
    assert project.config is None
    assert project.dictionary().theme_ids == open_dictionary(None).theme_ids


def test_coding_a_survey_reports_its_progress_to_the_end(export: Path, nlp):  # noqa: ANN001
    project = open_project(export)
    survey = project.read_survey()
    seen: list[int] = []

    @contextmanager
    def progress(total: int) -> Iterator[Callable[[int], None]]:
        seen.append(total)
        yield lambda n: seen.append(n)

    coded = code_survey(survey, project.dictionary(), nlp=nlp, progress=progress)
    total, *steps = seen
    assert total == 3 and sum(steps) == total  # three answers, the empty one not parsed
    assert coded.coding.coded_ids("transport") == ["R-1001"]  # R-1003: "no problems with"
    assert coded.coding.coded_ids("respite") == ["R-1002", "R-1003"]


def test_an_answer_is_explained_with_its_matches_and_negation(export: Path, nlp):  # noqa: ANN001
    project = open_project(export)
    answers = answers_of(project.read_survey(), "R-1003")
    explanation = explain_answers(answers, project.dictionary(), nlp)
    (answer,) = explanation
    assert answer.question == "Why do you say that?"
    assert explanation.themes == ["respite"]
    assert explanation.negated
    vetoed = [m for m in answer.matches if not m.counts]
    assert [m.matched for m in vetoed] == ["transport"]


def test_an_unknown_response_id_names_the_export(export: Path):
    survey = open_project(export).read_survey()
    with pytest.raises(ColumnError, match="'R-9999' is not in school_transport_2026.csv"):
        answers_of(survey, "R-9999")
    assert answers_of(survey, "R-1004") == {}  # in the export, but no free text


def test_explain_uses_the_dictionary_analyse_would_use_on_the_export(export: Path):
    """`explain --id` with `--export` codes with the config's dictionary beside the export, as
    analyse does, not the shipped one ("Home to school transport" is only in the config's)."""
    from typer.testing import CliRunner

    from sendconsult.cli import app

    result = CliRunner().invoke(app, ["explain", "--id", "R-1001", "--export", str(export)])
    assert result.exit_code == 0, result.output
    assert "Themes: Home to school transport" in result.output
    config = export.parent / "sendconsult.toml"
    result = CliRunner().invoke(app, ["explain", "The taxi is late", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "Themes: Home to school transport" in result.output
