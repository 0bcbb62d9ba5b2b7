"""Mistakes officers make editing a theme dictionary are never silent, and each is reported once,
at its own line, with every other mistake of the file, in one run of `themes check`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sendconsult.cli import app, common
from sendconsult.errors import DictionaryError
from sendconsult.themes.loader import load_dictionary, read_dictionary
from sendconsult.themes.validate import check_dictionary, common_word_stems

runner = CliRunner()

# A dictionary as an officer keeps one: comments, block lists, a flow list, quoted terms.
DICTIONARY = """\
# Themes for the SEND strategy consultation
name: SEND strategy themes
themes:
  - id: transport
    label: Home-to-school transport
    description: Taxis, buses, escorts and travel training.
    terms:
      - transport
      - taxi
      - minibus
      - school bus
      - escort*
      - travel training
    exclude:
      - public transport
  - id: short_breaks
    label: Short breaks and respite
    terms:
      - respite
      - short break*
      - holiday club*
      - "saturday club"
  - id: mainstream_inclusion
    label: Inclusion in mainstream schools
    terms:
      - mainstream
      - SENCO*
      - teaching assistant*
      - "1-1"
      - one to one
  - id: information_advice
    label: Information, advice and communication
    terms: [local offer, SENDIASS, information, "keeping us informed"]
"""


def write(tmp_path: Path, text: str, name: str = "themes.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line holding `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def check(path: Path, *args: str):  # noqa: ANN201
    return runner.invoke(app, ["themes", "check", str(path), *args])


@pytest.fixture(autouse=True)
def wide(monkeypatch):
    """One finding per printed line, so findings can be counted and read whole."""
    monkeypatch.setattr(common.out, "width", 400)
    monkeypatch.setattr(common.err, "width", 400)


def findings(output: str, level: str = "Error") -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"{level}: ")]


def test_the_fixture_dictionary_is_valid(tmp_path):
    result = check(write(tmp_path, DICTIONARY))
    assert result.exit_code == 0, result.output
    assert findings(result.stdout) == []


# -- list items folded into one term -----------------------------------------------------------

FOLDED = DICTIONARY.replace(
    "      - taxi\n      - minibus\n      - school bus\n",
    "      - taxi\n        - minibus\n        - school bus\n",
)


def test_list_items_indented_too_far_are_an_error_at_their_line(tmp_path):
    """YAML reads '- taxi' then '    - minibus' as one term 'taxi - minibus - school bus'."""
    path = write(tmp_path, FOLDED)
    taxi = line_of(FOLDED, "- taxi")
    with pytest.raises(DictionaryError) as raised:
        load_dictionary(path)
    assert str(raised.value).startswith(
        f"themes.yaml line {taxi}: theme 'transport' term 'taxi - minibus - school bus' runs "
        f"lines {taxi} to {taxi + 2} together"
    )
    result = check(path)
    assert result.exit_code == 1
    assert "No problems found" not in result.stdout
    assert [f for f in findings(result.stdout) if "runs lines" in f] == [
        f"Error: themes.yaml line {taxi}: theme 'transport' term 'taxi - minibus - school bus' "
        f"runs lines {taxi} to {taxi + 2} together: a '- ' indented further than the line above "
        "is read as part of that term; line up each term's '- ' with the others."
    ]


def test_analyse_stops_on_a_folded_list_instead_of_reporting_zero(tmp_path, write_csv):
    answers = [
        "The minibus is always late and my son arrives at school upset and not ready to learn.",
        "We need more respite, we have not had a night off in two years as a family.",
        "Our SENCO is brilliant but she has no time, the teaching assistants are stretched.",
        "The school bus driver changes every week and nobody tells us who is coming.",
        "Please keep us informed, the local offer website is out of date and hard to use.",
        "Short breaks were cut without any consultation with the families who rely on them.",
    ]
    export = write_csv(
        [["Response ID", "Please tell us why"]]
        + [[f"R{i}", answer] for i, answer in enumerate(answers, 1)]
    )
    result = runner.invoke(app, ["analyse", str(export), "--themes", str(write(tmp_path, FOLDED))])
    assert result.exit_code == 1
    assert "runs lines" in result.stderr
    assert not (tmp_path / "export_report.xlsx").exists()


def test_the_same_slip_on_a_wildcard_gets_the_same_short_message(tmp_path):
    """Not a long complaint that '*' may only end a word: the term was never meant to hold it."""
    text = DICTIONARY.replace(
        "      - short break*\n      - holiday club*\n",
        "      - short break*\n        - holiday club*\n",
    )
    with pytest.raises(DictionaryError) as raised:
        load_dictionary(write(tmp_path, text))
    message = str(raised.value)
    assert "'short break* - holiday club*' runs lines" in message
    assert "may only end" not in message
    assert len(message) < 250


def test_a_long_fold_is_shown_by_its_start(tmp_path):
    many = "".join(f"        - phrase number {i}\n" for i in range(30))
    text = DICTIONARY.replace("      - taxi\n", "      - taxi\n" + many)
    with pytest.raises(DictionaryError) as raised:
        load_dictionary(write(tmp_path, text))
    assert len(str(raised.value)) < 300
    assert "…" in str(raised.value)


def test_a_dash_inside_a_term_on_one_line_is_a_warning(tmp_path):
    """In a flow list YAML keeps 'taxi - minibus' as one term: warn, it is rarely meant."""
    text = DICTIONARY.replace("terms: [local offer,", "terms: [local offer - SENDIASS,")
    result = check(write(tmp_path, text))
    line = line_of(text, "local offer - SENDIASS")
    assert (
        f"Warning: themes.yaml line {line}: term 'local offer - SENDIASS' holds ' - ', as "
        "several list items run together do;"
    ) in result.stdout


def test_a_term_far_longer_than_the_rest_is_a_warning(tmp_path):
    long_term = "parents should be told what the local offer is before the annual review"
    text = DICTIONARY.replace("      - one to one\n", f"      - {long_term}\n")
    result = check(write(tmp_path, text))
    line = line_of(text, long_term)
    [finding] = [f for f in findings(result.stdout, "Warning") if "far more than" in f]
    assert finding.startswith(f"Warning: themes.yaml line {line}: term '{long_term}' has 13 words")


# -- syntax errors at the right line, all in one run ---------------------------------------------


def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path):
    """YAML reads on to the next quote (here "1-1", lines later) and complains there."""
    text = DICTIONARY.replace('      - "saturday club"', '      - "saturday club')
    opened = line_of(text, '"saturday club')
    with pytest.raises(DictionaryError) as raised:
        load_dictionary(write(tmp_path, text))
    assert str(raised.value) == (
        f'themes.yaml line {opened}: the double quote opened on this line is not closed; add " '
        "at the end of the term, or remove the quote."
    )


def test_an_unclosed_single_quote_is_not_confused_with_an_apostrophe(tmp_path):
    text = DICTIONARY.replace("      - one to one\n", "      - didn't get one to one\n")
    text = text.replace("      - respite\n", "      - 'respite\n")
    result = check(write(tmp_path, text))
    assert findings(result.stdout) + findings(result.stderr) == [
        f"Error: themes.yaml line {line_of(text, chr(39) + 'respite')}: the single quote opened "
        "on this line is not closed; add ' at the end of the term, or remove the quote."
    ]


def test_every_mistake_is_reported_in_one_run(tmp_path):
    text = (
        FOLDED.replace('      - "saturday club"', '      - "saturday club')
        .replace("      - mainstream\n", "\t- mainstream\n")
        .replace("      - one to one\n", "      - *one to one\n")
        .replace("    exclude:\n", "    excludes:\n")
        .replace("      - teaching assistant*\n", "      - teaching* assistant\n")
    )
    result = check(write(tmp_path, text))
    assert result.exit_code == 1
    errors = findings(result.stdout)
    lines = [int(re.match(r"Error: themes.yaml line (\d+):", e).group(1)) for e in errors]
    assert lines == [
        line_of(text, "- taxi"),
        line_of(text, "excludes:"),
        line_of(text, '"saturday club'),
        line_of(text, "\t- mainstream"),
        line_of(text, "teaching* assistant"),
        line_of(text, "*one to one"),
    ], errors
    assert "a tab is used for indentation" in errors[3]
    assert "a term cannot start with '*'" in errors[5]
    assert all(len(e) < 300 for e in errors)


def test_load_dictionary_names_the_first_mistake_and_counts_the_others(tmp_path):
    text = FOLDED.replace('      - "saturday club"', '      - "saturday club')
    with pytest.raises(DictionaryError, match=r"\(1 more problem: see sendconsult themes check"):
        load_dictionary(write(tmp_path, text))


def test_an_unclosed_list_is_reported_where_it_opens(tmp_path):
    text = DICTIONARY.replace('"keeping us informed"]', '"keeping us informed"')
    text += "  - id: post_16\n    label: Post-16\n    terms: [college]\n"
    _, issues = read_dictionary(write(tmp_path, text))
    assert [(i.line, i.message) for i in issues] == [
        (
            line_of(text, "keeping us informed"),
            "the '[' opened on this line is not closed; add ']' at the end of the list.",
        )
    ]


@pytest.mark.parametrize(
    ("slip", "message"),
    [
        # a term without its '- ': YAML fails lines later, on the next ':'
        ("      minibus\n", "the line is neither a '- ' list item nor a 'key:' line"),
        ("      - &minibus\n", "has an empty term (a '- ' with nothing after it, or a term"),
        ("      - 121\n", "term 121 is a number, not text; put it in quotes"),
        ("      - %minibus\n", "this is not valid YAML; check the indentation, and put in quotes"),
    ],
)
def test_other_slips_are_reported_at_their_line(tmp_path, slip, message):
    text = DICTIONARY.replace("      - minibus\n", slip)
    _, issues = read_dictionary(write(tmp_path, text))
    assert [(i.line, message in i.message) for i in issues] == [(line_of(text, slip.strip()), True)]


def test_a_term_holding_a_colon_says_to_quote_it(tmp_path):
    text = DICTIONARY.replace("      - one to one\n", "      - support: one to one\n")
    with pytest.raises(DictionaryError, match="holds ':', which YAML reads as a key; put the term"):
        load_dictionary(write(tmp_path, text))


# -- wildcards that also match common unrelated words ---------------------------------------------


def test_a_stem_of_four_letters_or_more_that_begins_common_words_is_a_warning(tmp_path):
    """`exam*` matches "example": the check knows common English words, not only short stems."""
    text = DICTIONARY.replace("      - travel training\n", "      - exam*\n      - taxi*\n")
    result = check(write(tmp_path, text))
    warnings = [w for w in findings(result.stdout, "Warning") if "common words" in w]
    assert [w.split(":")[0] + ":" + w.split(":")[1] for w in warnings] == [
        f"Warning: themes.yaml line {line_of(text, 'exam*')}",
        f"Warning: themes.yaml line {line_of(text, 'taxi*')}",
    ]
    assert "wildcard 'exam*' also matches common words that may not be meant: example" in (
        warnings[0]
    )
    assert "list the words you mean (exam, exams" in warnings[0]
    assert "taxing" in warnings[1]


def test_stems_whose_common_words_are_all_their_own_forms_are_not_warned(tmp_path):
    dictionary = load_dictionary(
        write(
            tmp_path,
            "themes:\n  - id: a\n    label: A\n    terms: [commission*, placement*, "
            "assess*, plan NEAR/4 review*, short break*]\n",
        )
    )
    assert common_word_stems(dictionary) == []


def test_three_letter_stems_are_still_warned_whatever_they_match(tmp_path):
    dictionary = load_dictionary(
        write(tmp_path, "themes:\n  - id: a\n    label: A\n    terms: [car*, LSA*]\n")
    )
    short = {i.term for i in check_dictionary(dictionary) if "short stem" in i.message}
    assert short == {"car*", "LSA*"}


# -- analyse says which themes and terms found nothing -----------------------------------------

NOTHING_FOUND = """\
themes:
  - id: transport
    label: Home-to-school transport
    terms: [minibus, escort*, school bus, hovercraft]
  - id: short_breaks
    label: Short breaks and respite
    terms: [respite, short break*]
  - id: post_16
    label: Post-16 and preparing for adulthood
    terms: [college, sixth form]
  - id: mainstream_inclusion
    label: Inclusion in mainstream schools
    terms: [SENCO*, SENCo, teaching assistant*, mainstream]
    subthemes:
      - id: exclusions
        label: Exclusions
        terms: [exclusion*, off-rolling]
"""

ANSWERS = [
    "The minibus is always late and my son arrives at school upset and not ready to learn.",
    "We need more respite, we have not had a night off in two years as a family.",
    "Our SENCo is brilliant but she has no time, and the school bus has no escort.",
    "No problems with college, they have been very good to him so far this year.",
    "Short breaks were cut without any consultation with the families who rely on them.",
    "The mainstream school did its best but he needed more than they could give him.",
]


def test_analyse_warns_about_themes_and_terms_that_found_nothing(tmp_path, write_csv):
    export = write_csv(
        [["Response ID", "Please tell us why"]]
        + [[f"R{i}", answer] for i, answer in enumerate(ANSWERS, 1)]
    )
    themes = write(tmp_path, NOTHING_FOUND)
    result = runner.invoke(app, ["analyse", str(export), "--themes", str(themes), "--no-cache"])
    assert result.exit_code == 0, result.output
    expected = [
        "Terms of 'Home-to-school transport' that matched nothing: hovercraft.",
        "Theme 'Post-16 and preparing for adulthood' matched no response in this export (its "
        "one mention was negated, excluded or a weak term alone); check its terms with "
        "sendconsult themes check DICT EXPORT.",
        # SENCo is found, but named by SENCO*, listed first: not called dead
        "Terms of 'Inclusion in mainstream schools' that matched nothing: teaching assistant*.",
        "Theme 'Inclusion in mainstream schools > Exclusions' matched no response in this "
        "export; check its terms with sendconsult themes check DICT EXPORT.",
    ]
    warnings = [
        line.removeprefix("Warning: ") for line in result.stderr.splitlines()
        if line.startswith("Warning: ")
    ]
    assert warnings == expected
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "export_report.xlsx", read_only=True)
    facts = {r[0]: r[1] for r in book["Method"].iter_rows(values_only=True) if r[0]}
    assert facts["Dictionary warnings"] == "\n".join(expected)
    book.close()
