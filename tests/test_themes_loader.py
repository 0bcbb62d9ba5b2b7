"""Theme dictionaries: the YAML format, spreadsheets, and errors that name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendconsult.errors import DictionaryError
from sendconsult.resources import default_dictionary
from sendconsult.themes.loader import load_dictionary
from sendconsult.themes.model import TermKind

REQUIRED_IDS = [
    "placements", "post_16", "personal_budgets", "joint_commissioning", "domiciliary_support",
    "short_breaks", "information_advice", "ehcp_process", "transport", "mainstream_inclusion",
]  # fmt: skip


def write(tmp_path: Path, text: str, name: str = "themes.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_dictionary_has_the_required_themes():
    dictionary = load_dictionary(default_dictionary())
    assert dictionary.theme_ids[: len(REQUIRED_IDS)] == REQUIRED_IDS
    assert all(t.terms and t.label and t.description for t in dictionary.top_level)
    assert len(dictionary.sha256) == 64


GOOD = """\
name: Test themes
themes:
  - id: personal_budgets
    label: Personal budgets
    description: Money families control.
    terms:
      - personal budget
      - direct payment*
      - near: [choice, control]
        within: 4
      - health NEAR/5 council
    exclude:
      - school budget
    subthemes:
      - id: direct_payments
        label: Direct payments
        terms: [direct payment*]
"""


def test_yaml_format(tmp_path: Path):
    dictionary = load_dictionary(write(tmp_path, GOOD))
    assert dictionary.name == "Test themes"
    assert dictionary.theme_ids == ["personal_budgets"]
    theme = dictionary.theme("personal_budgets")
    kinds = [t.kind for t in theme.terms]
    assert kinds == [TermKind.PHRASE, TermKind.WILDCARD, TermKind.NEAR, TermKind.NEAR]
    assert [t.line for t in theme.terms] == [7, 8, 9, 11]
    assert theme.terms[2].words == ("choice", "control") and theme.terms[2].distance == 4
    assert [t.text for t in theme.exclude] == ["school budget"]
    assert dictionary.root_of("direct_payments") == "personal_budgets"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "themes:\n  - id: a\n    label: A\n    term: [x]\n",
            r"line 4: unknown key 'term' in a theme; did you mean 'terms'\?",
        ),
        (
            "themes:\n  - id: Short Breaks\n    label: A\n    terms: [x]\n",
            r"line 2: theme id 'Short Breaks' must be snake_case.*'short_breaks'",
        ),
        ("themes:\n  - id: a\n    terms: [x]\n", r"line 2: theme 'a' has no 'label:'"),
        ("themes:\n  - id: a\n    label: A\n    terms: []\n", r"line 2: theme 'a' has no terms"),
        (
            "themes:\n  - id: a\n    label: A\n    terms:\n      - ok\n      - colleg**\n",
            r"line 6: theme 'a' term 'colleg\*\*'",
        ),
        (
            "themes:\n  - id: a\n    label: A\n    terms:\n      - health NEAR council\n",
            r"line 5: .*write a distance after NEAR",
        ),
        (
            "themes:\n  - id: a\n    label: A\n    terms: [x]\n  - id: a\n    label: B\n    terms: [y]\n",
            r"line 5: theme id 'a' is used twice \(also line 2\)",
        ),
        (
            "themes:\n  - id: a\n    label: A\n    terms: [x\n",
            r"line 4: the '\[' opened on this line is not closed; add '\]'",
        ),
        (
            "themes:\n  - id: a\n    label: A\n    terms:\n      - 121\n",
            r"line 5: theme 'a' term 121 is a number",
        ),
        ("- just a list\n", r"must start with 'themes:'"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, text: str, message: str):
    with pytest.raises(DictionaryError, match=r"themes\.yaml.*" + message):
        load_dictionary(write(tmp_path, text))


def test_spreadsheet_dictionary(tmp_path: Path):
    path = write(
        tmp_path,
        "theme,term,exclude\nShort breaks,respite,\nShort breaks,short break*,\nShort breaks,break down,yes\ntransport,taxi*,\n",
        "themes.csv",
    )
    dictionary = load_dictionary(path)
    assert dictionary.theme_ids == ["short_breaks", "transport"]
    assert dictionary.label("short_breaks") == "Short breaks"
    assert [t.text for t in dictionary.theme("short_breaks").exclude] == ["break down"]


def test_spreadsheet_errors_name_the_row(tmp_path: Path):
    path = write(tmp_path, "theme,term\ntransport,taxi\ntransport,\n", "themes.csv")
    with pytest.raises(
        DictionaryError, match=r"themes\.csv row 3: theme 'transport' has an empty term"
    ):
        load_dictionary(path)


def test_xlsx_dictionary(tmp_path: Path):
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in (["Theme", "Term"], ["transport", "taxi*"], ["transport", "minibus"]):
        workbook.active.append(row)
    workbook.save(tmp_path / "themes.xlsx")
    assert [t.text for t in load_dictionary(tmp_path / "themes.xlsx").theme("transport").terms] == [
        "taxi*",
        "minibus",
    ]


def test_other_formats_point_to_import(tmp_path: Path):
    from sendconsult.cli.advice import error_text

    with pytest.raises(DictionaryError, match="liwc.dic is not a theme dictionary") as raised:
        load_dictionary(write(tmp_path, "%\n1\tx\n%\n", "liwc.dic"))
    assert "convert it with: sendconsult themes import liwc.dic --out" in error_text(raised.value)
