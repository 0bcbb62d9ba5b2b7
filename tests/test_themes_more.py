"""`themes check` with --kwic on the sample export, spreadsheet dictionaries with their optional
columns, and terms that can never match."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import flat
from typer.testing import CliRunner

from sendconsult.cli import app
from sendconsult.nlp.engine import ThemeClassifier
from sendconsult.nlp.pipeline import tokens
from sendconsult.themes.loader import load_dictionary
from sendconsult.themes.model import Theme, ThemeDictionary
from sendconsult.themes.terms import parse_term
from sendconsult.themes.validate import unmatchable_terms

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_responses" / "leicester_send_strategy_2019.csv"
runner = CliRunner()

TRANSPORT_YAML = """\
name: Transport check
themes:
  - id: transport
    label: Home-to-school transport
    terms:
      - taxi*
      - minibus*
      - escort NEAR/4 driver
      - bus pass
    exclude:
      - his carer
"""


pytestmark = pytest.mark.usefixtures("wide_console")


def table_rows(output: str, title_start: str) -> list[list[str]]:
    """The one-line rows of the printed table whose title starts with `title_start`."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(title_start))
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("└"):
            break
        if line.startswith("│"):
            rows.append([c.strip() for c in line.strip().strip("│").split("│")])
    return rows


def write(tmp_path: Path, text: str, name: str = "themes.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- --kwic ------------------------------------------------------------------------------------


def test_kwic_prints_every_match_in_context(tmp_path: Path):
    dictionary = write(tmp_path, TRANSPORT_YAML)
    result = runner.invoke(
        app, ["themes", "check", str(dictionary), str(SAMPLE), "--kwic", "minibus*"]
    )
    assert result.exit_code == 0, result.output
    assert "'minibus*' in context (4 matches)" in result.stdout
    rows = table_rows(result.stdout, "'minibus*' in context")
    assert [r[0] for r in rows] == [
        "ANON-359T-KP7J-L",
        "ANON-XDWV-TFH7-Y",
        "ANON-MSL8-AG5A-Z",
        "ANON-99MA-4ACC-9",
    ]
    assert rows[3] == [
        "ANON-99MA-4ACC-9",
        "The escort on my sons",
        "minibus",
        "shouts at the children. I have reported it 3 time",
        "yes",
    ]
    assert rows[0][1:4] == [
        "t was the only one with a place. He is 8 and on a",
        "minibus",
        "for an hour and twenty minutes each way. He gets",
    ]


def test_kwic_shows_why_a_match_does_not_count(tmp_path: Path):
    dictionary = write(tmp_path, TRANSPORT_YAML)
    result = runner.invoke(
        app, ["themes", "check", str(dictionary), str(SAMPLE), "--kwic", "TAXI*"]
    )
    assert result.exit_code == 0, result.output
    rows = table_rows(result.stdout, "'TAXI*' in context")
    assert len(rows) == 22
    (vetoed,) = [r for r in rows if r[4] != "yes"]
    assert vetoed == [
        "ANON-Q2N8-8P2U-Z",
        "same room I'm his mum, his nurse, his carer, his",
        "taxi",
        ", his PA and his case manager. Something has to gi",
        "no (exclude: his carer)",
    ]
    assert ["ANON-WAF9-LA5Z-X", "patchy and some families are paying £40 a week in", "taxis", ".",
            "yes"] in rows  # fmt: skip


def test_kwic_of_a_term_not_in_the_dictionary_says_so(tmp_path: Path):
    dictionary = write(tmp_path, TRANSPORT_YAML)
    result = runner.invoke(
        app, ["themes", "check", str(dictionary), str(SAMPLE), "--kwic", "minibus"]
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "Error: 'minibus' is not a term of themes.yaml; did you mean 'minibus*'?"
    )
    result = runner.invoke(
        app, ["themes", "check", str(dictionary), str(SAMPLE), "--kwic", "zebra"]
    )
    assert result.exit_code == 1
    assert "'zebra' is not a term of themes.yaml; give a term exactly as the dictionary" in (
        flat(result.stderr)
    )


def test_kwic_of_a_term_with_no_match_in_the_export(tmp_path: Path):
    dictionary = write(tmp_path, TRANSPORT_YAML)
    result = runner.invoke(
        app, ["themes", "check", str(dictionary), str(SAMPLE), "--kwic", "bus pass"]
    )
    assert result.exit_code == 0, result.output
    assert "The term 'bus pass' matches nothing in this export" in flat(result.stderr)
    assert "in context" not in result.stdout


def test_kwic_of_a_near_term_shows_both_words(tmp_path: Path):
    dictionary = write(tmp_path, TRANSPORT_YAML)
    result = runner.invoke(
        app, ["themes", "check", str(dictionary), str(SAMPLE), "--kwic", "escort NEAR/4 driver"]
    )
    assert result.exit_code == 0, result.output
    rows = table_rows(result.stdout, "'escort NEAR/4 driver' in context")
    assert sorted(r[2] for r in rows) == ["driver", "escort"]
    assert len({r[0] for r in rows}) == 1


def test_kwic_needs_an_export(tmp_path: Path):
    dictionary = write(tmp_path, TRANSPORT_YAML)
    result = runner.invoke(app, ["themes", "check", str(dictionary), "--kwic", "taxi*"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --kwic needs an EXPORT to search; see sendconsult themes check --help.\n"
    )


# -- spreadsheet dictionaries ------------------------------------------------------------------

HEADER = ["theme", "label", "term", "exclude", "description"]
ROWS = [
    ["short_breaks", "Short breaks and respite", "respite", "",
     "Respite, short breaks and holiday clubs for disabled children."],
    ["short_breaks", "", "short break*", "", ""],
    ["short_breaks", "", "holiday club*", "", ""],
    ["short_breaks", "", "lunch break", "yes", ""],
    ["Home to school transport", "", "taxi*", "", ""],
    ["Home to school transport", "Home-to-school transport", "minibus*", "",
     "Taxis, minibuses and escorts to school."],
    ["Home to school transport", "", "taxi rank", "x", ""],
]  # fmt: skip


def check_loaded(path: Path, nlp) -> None:
    dictionary = load_dictionary(path)
    assert dictionary.theme_ids == ["short_breaks", "home_to_school_transport"]
    breaks = dictionary.theme("short_breaks")
    assert breaks.label == "Short breaks and respite"
    assert breaks.description == "Respite, short breaks and holiday clubs for disabled children."
    assert [t.text for t in breaks.terms] == ["respite", "short break*", "holiday club*"]
    assert [t.text for t in breaks.exclude] == ["lunch break"]
    transport = dictionary.theme("home_to_school_transport")
    # the label and description may be on any row of the theme, not only its first
    assert transport.label == "Home-to-school transport"
    assert transport.description == "Taxis, minibuses and escorts to school."
    assert [t.text for t in transport.terms] == ["taxi*", "minibus*"]
    assert [t.text for t in transport.exclude] == ["taxi rank"]
    assert [t.line for t in transport.terms] == [6, 7]
    # the exclude rows really veto, and the labels are what the report prints
    classifier = ThemeClassifier(dictionary, nlp)
    text = "He missed his lunch break. We queued at the taxi rank. We need respite."
    matches = classifier.match_doc(nlp(text), "q")
    assert [(m.matched, m.counts) for m in matches] == [("taxi", False), ("respite", True)]
    assert [dictionary.label(m.theme_id) for m in matches] == [
        "Home-to-school transport",
        "Short breaks and respite",
    ]


def test_csv_dictionary_with_label_exclude_and_description(tmp_path: Path, nlp):
    import csv

    path = tmp_path / "themes.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *ROWS])
    check_loaded(path, nlp)


def test_xlsx_dictionary_with_label_exclude_and_description(tmp_path: Path, nlp):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Theme", "Label", "Term", "Exclude", "Description"])  # as typed in Excel
    for row in ROWS:
        values = [v if v != "" else None for v in row]
        if values[3] == "yes":
            values[3] = True  # an Excel TRUE cell
        if values[3] == "x":
            values[3] = 1
        sheet.append(values)
    workbook.save(tmp_path / "themes.xlsx")
    check_loaded(tmp_path / "themes.xlsx", nlp)


def test_spreadsheet_dictionary_is_used_by_explain(tmp_path: Path):
    workbook = openpyxl.Workbook()
    for row in [HEADER, *ROWS]:
        workbook.active.append(row)
    workbook.save(tmp_path / "themes.xlsx")
    result = runner.invoke(
        app,
        ["explain", "--themes", str(tmp_path / "themes.xlsx"), "The minibus is late again."],
    )
    assert result.exit_code == 0, result.output
    assert "Themes: Home-to-school transport" in flat(result.stdout)


def test_spreadsheet_dictionary_with_a_bad_term_names_the_row(tmp_path: Path):
    path = tmp_path / "themes.csv"
    path.write_text(
        "theme,term,label\ntransport,taxi*,Transport\ntransport,NEAR/3 school,\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["themes", "check", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: themes.csv row 3: term 'NEAR/3 school': NEAR needs words on both sides, e.g. "
        "'health NEAR/5 council'."
    )


# -- terms that can never match ----------------------------------------------------------------


def test_unmatchable_terms_include_near_sides_and_excludes(nlp):
    dictionary = ThemeDictionary(
        themes=[
            Theme(
                "post_16",
                "Post-16",
                terms=[
                    parse_term("college", 2),
                    parse_term("post-* NEAR/3 college", 3),  # the wildcard side can never match
                    parse_term("sixth form* NEAR/3 place*", 4),  # fine
                ],
                exclude=[parse_term("royal college", 6), parse_term("pre-*", 7)],
            )
        ]
    )
    issues = unmatchable_terms(dictionary, lambda t: tokens(nlp, t))
    assert [(i.level, i.line, i.term) for i in issues] == [
        ("error", 3, "post-* NEAR/3 college"),
        ("error", 7, "pre-*"),
    ]
    assert issues[0].message == (
        "term 'post-* NEAR/3 college' cannot match words that continue 'post-' with letters: "
        "they are split at its punctuation; put the * straight after letters, e.g. "
        "'commission*', or list the words as phrases."
    )
    assert issues[1].message.startswith("exclude wildcard 'pre-*' cannot match words that")


def test_what_unmatchable_terms_flags_really_does_not_match(nlp):
    """The check is not a guess: the flagged terms miss the words they were written for."""
    dictionary = ThemeDictionary(
        themes=[
            Theme("a", "A", terms=[parse_term("post-* NEAR/3 college")]),
            Theme("b", "B", terms=[parse_term("post-*")]),
        ]
    )
    classifier = ThemeClassifier(dictionary, nlp)
    for text in ("post-sixteen college", "post-school college options", "Post-secondary"):
        assert classifier.match_doc(nlp(text), "q") == [], text
    # a number after the hyphen stays in one word, which is why the message says "letters"
    assert {m.theme_id for m in classifier.match_doc(nlp("post-16 college"), "q")} == {"a", "b"}


def test_themes_check_reports_unmatchable_terms_with_lines(tmp_path: Path):
    path = write(
        tmp_path,
        "name: Checks\n"
        "themes:\n"
        "  - id: post_16\n"
        "    label: Post-16\n"
        "    terms:\n"
        "      - college\n"
        "      - post-* NEAR/3 college\n"
        "    exclude:\n"
        "      - pre-*\n",
    )
    result = runner.invoke(app, ["themes", "check", str(path)])
    assert result.exit_code == 1
    output = flat(result.stdout)
    assert (
        "Error: themes.yaml line 7: term 'post-* NEAR/3 college' cannot match words that "
        "continue 'post-' with letters: they are split at its punctuation; put the * straight "
        "after letters, e.g. 'commission*', or list the words as phrases."
    ) in output
    assert "Error: themes.yaml line 9: exclude wildcard 'pre-*' cannot match words" in output


def test_the_shipped_dictionary_has_no_unmatchable_terms(nlp):
    from sendconsult.resources import default_dictionary

    dictionary = load_dictionary(default_dictionary())
    assert unmatchable_terms(dictionary, lambda t: tokens(nlp, t)) == []
