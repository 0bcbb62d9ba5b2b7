"""The project config: finding it, reading TOML and YAML, and one located error per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendconsult.config import (
    DEFAULT_SUPPRESSION_THRESHOLD,
    ColumnSettings,
    ProjectConfig,
    find_config,
    load_config,
)
from sendconsult.errors import ConfigError

TOML = """
consultation_name = "SEND strategy 2019"
group_options = ["Parent or carer", "Voluntary, community or charity organisation"]
non_answers = ["nothing to add"]
suppression_threshold = 10
redact = false
themes = "dictionaries/send.yaml"

[columns]
id = "Response ID"
group = "In what capacity are you responding?"
text = ["Why?", "Any other comments?"]
closed = ["Priority 1"]
ignore = ["Analyst: Notes"]
consent = "May we publish your response?"
"""

YAML = """
consultation_name: SEND strategy 2019
columns:
  text: ["Why?"]
  group: Who are you?
redact: true
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_full_toml_config(tmp_path: Path):
    config = load_config(write(tmp_path, "sendconsult.toml", TOML))
    assert config == ProjectConfig(
        path=tmp_path / "sendconsult.toml",
        consultation_name="SEND strategy 2019",
        columns=ColumnSettings(
            id="Response ID",
            group="In what capacity are you responding?",
            text=("Why?", "Any other comments?"),
            closed=("Priority 1",),
            ignore=("Analyst: Notes",),
            consent="May we publish your response?",
        ),
        group_options=("Parent or carer", "Voluntary, community or charity organisation"),
        non_answers=("nothing to add",),
        suppression_threshold=10,
        redact=False,
        themes=tmp_path / "dictionaries" / "send.yaml",  # relative to the config file
    )


def test_yaml_config_and_defaults(tmp_path: Path):
    config = load_config(write(tmp_path, "sendconsult.yaml", YAML))
    assert config.columns.text == ("Why?",)
    assert config.columns.group == "Who are you?"
    assert config.suppression_threshold == DEFAULT_SUPPRESSION_THRESHOLD == 5
    assert config.redact is True
    assert config.non_answers is None  # the built-in list
    assert config.themes is None


def test_empty_config_is_all_defaults(tmp_path: Path):
    config = load_config(write(tmp_path, "sendconsult.yml", ""))
    assert config.columns == ColumnSettings() and config.group_options == ()


def test_config_beside_the_export_is_found(tmp_path: Path):
    export = tmp_path / "export.csv"
    assert find_config(export, None) is None
    yml = write(tmp_path, "sendconsult.yml", YAML)
    assert find_config(export, None) == yml
    toml = write(tmp_path, "sendconsult.toml", TOML)
    assert find_config(export, None) == toml  # TOML first when both exist
    other = write(tmp_path, "other.yaml", YAML)
    assert find_config(export, other) == other  # --config wins


def test_explicit_config_must_exist(tmp_path: Path):
    with pytest.raises(
        ConfigError, match="Config file .*missing.toml was not found; check the path"
    ):
        find_config(tmp_path / "export.csv", tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('consultation_nam = "x"', "sendconsult.toml: unknown setting 'consultation_nam'; did you mean 'consultation_name'?"),
        ('[columns]\ntxt = ["Why?"]', "sendconsult.toml: [columns] unknown setting 'txt'; did you mean 'text'?"),
        ("[columns]\ntext = 3", "sendconsult.toml: [columns] text must be a list of column names"),
        ('[columns]\nid = ["a", "b"]', "sendconsult.toml: [columns] id must be text in quotes"),
        ('columns = "Why?"', "sendconsult.toml: [columns] must be a table of column settings"),
        ("group_options = [1, 2]", "sendconsult.toml: group_options must be a list of option labels"),
        ("suppression_threshold = -1", "sendconsult.toml: suppression_threshold must be a whole number, 0 or more"),
        ("suppression_threshold = 2.5", "sendconsult.toml: suppression_threshold must be a whole number"),
        ('redact = "yes"', "sendconsult.toml: redact must be true or false"),
        ("themes = 5", "sendconsult.toml: themes must be text in quotes"),
        ("redact = ", "sendconsult.toml: not valid TOML"),
    ],
)  # fmt: skip
def test_toml_mistakes_are_located(tmp_path: Path, text: str, message: str):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "sendconsult.toml", text))
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns:\n  text: [Why?\n", "sendconsult.yaml line"),
        ("- just\n- a list\n", "sendconsult.yaml: the file must hold settings"),
        ("redact: maybe\n", "sendconsult.yaml: redact must be true or false"),
        (
            "suppression_threshold: true\n",
            "sendconsult.yaml: suppression_threshold must be a whole number",
        ),
    ],
)
def test_yaml_mistakes_are_located(tmp_path: Path, text: str, message: str):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, "sendconsult.yaml", text))


def test_config_not_in_utf8(tmp_path: Path):
    path = tmp_path / "sendconsult.toml"
    path.write_bytes('consultation_name = "Caf\u00e9 consultation"'.encode("utf-16"))
    with pytest.raises(ConfigError, match="not saved as UTF-8"):
        load_config(path)


def test_config_with_bom_and_single_text_column(tmp_path: Path):
    path = tmp_path / "sendconsult.toml"
    path.write_bytes('\ufeff[columns]\ntext = "Why?"\n'.encode())
    assert load_config(path).columns.text == ("Why?",)
