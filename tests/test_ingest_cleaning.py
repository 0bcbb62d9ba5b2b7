"""Cleaning cells: Excel artefacts, mojibake, line endings, non-answers, empty and blank rows."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendconsult.config import ProjectConfig
from sendconsult.ingest import IngestOptions, load_survey
from sendconsult.ingest.cleaning import (
    _ALNUM,
    DEFAULT_NON_ANSWERS,
    clean_cell,
    clean_column,
    is_non_answer,
    non_answer_set,
    repair_mojibake,
)

NON_ANSWERS = non_answer_set(DEFAULT_NON_ANSWERS)
WORLD_TEXT = [
    "Diolch yn fawr iawn; mae angen mwy o leoedd ysgol arbennig yng Nghaerlŷr.",
    "Zażółć gęślą jaźń: brak miejsc w szkołach specjalnych.",
    "میرے بیٹے کو اسکول میں مدد نہیں ملتی",
    "મારા દીકરાને શાળામાં મદદ મળતી નથી",
    "naïve café déjà vu — “quoted” ‘single’ £40 €5",
]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Line one_x000D_\nLine two", "Line one\nLine two"),
        ("Line one_x000D_Line two", "Line one\nLine two"),
        ("Windows\r\nline\rends", "Windows\nline\nends"),
        ("  padded answer \t", "padded answer"),
        ("We canâ€™t cope", "We can’t cope"),
        ("cafÃ© at the centre", "café at the centre"),
        ("â€œquotedâ€\x9d", "“quoted”"),
        ("Â£50 a week", "£50 a week"),
        ("", ""),
    ],
)
def test_clean_cell(raw: str, clean: str):
    assert clean_cell(raw) == clean


@pytest.mark.parametrize("text", WORLD_TEXT)
def test_correct_text_is_never_touched(text: str):
    assert repair_mojibake(text) == text
    assert clean_cell(text) == text


def test_mixed_correct_and_broken_text_is_repaired_piecewise():
    assert repair_mojibake("Łukasz said weâ€™re stuck") == "Łukasz said we’re stuck"


@settings(deadline=None)  # timing varies on shared CI machines
@given(st.text())
def test_repair_is_idempotent_on_any_text(text: str):
    once = repair_mojibake(text)
    assert repair_mojibake(once) == once or len(repair_mojibake(once)) < len(once)


@settings(deadline=None)  # timing varies on shared CI machines
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_mojibake_of_any_text_round_trips(text: str):
    try:
        broken = text.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:
        return  # bytes cp1252 cannot show; a tool could not have made this mojibake
    if broken != text:
        assert repair_mojibake(broken) == text


@pytest.mark.parametrize(
    "answer",
    ["N/A", "n/a", "NA", "-", "--", "none", "None.", "no comment", "No comments", "Not Provided",
     "not answered", ".", "nil", "no", "nothing", "  No   Comment  ", "...", "?"],
)  # fmt: skip
def test_non_answers(answer: str):
    assert is_non_answer(answer, NON_ANSWERS)


@pytest.mark.parametrize(
    "answer", ["No.  We need more places", "None of the schools help", "Nothing works"]
)
def test_real_answers_are_kept(answer: str):
    assert not is_non_answer(answer, NON_ANSWERS)


def test_non_answers_only_blank_text_columns(exports_dir: Path):
    survey = load_survey(exports_dir / "mojibake_semicolon.csv")
    assert survey.responses["Comments"][2] is None  # "N/A"
    assert (
        survey.responses["Comments"][0]
        == "We can’t get a place at Ash Field – we’ve waited a year."
    )
    assert survey.responses["Comments"][1] == "Line one\nLine two: our SENCO needs café time."
    assert survey.responses["Comments"][3] == "Diolch yn fawr. Łukasz needs respite. بہت شکریہ આભાર"


def test_config_non_answers_replace_the_default_list(write_csv):
    rows = [["ID", "Agree?", "Comments"]] + [
        ["1", "no", "No comment"],
        ["2", "Agree", "Nothing to say"],
        ["3", "Agree", "More respite and short breaks please, all year round."],
    ]
    config = ProjectConfig(non_answers=("nothing to say",))
    survey = load_survey(write_csv(rows), IngestOptions(text_columns=("Comments",), config=config))
    assert list(survey.responses["Comments"])[:2] == ["No comment", None]
    assert survey.responses["Agree?"][0] == "no"  # closed answers are never blanked


def test_blank_rows_dropped_with_warning_and_empty_responses_kept(write_csv):
    rows = [
        ["ID", "Agree?", "Comments"],
        ["1", "Agree", "The taxi is late every single day and nobody tells us why."],
        ["", "", ""],
        ["2", "", ""],
        ["", "", ""],
        ["3", "Disagree", "Our SENCO has no time; we need more teaching assistants."],
    ]
    survey = load_survey(write_csv(rows))
    assert list(survey.responses["response_id"]) == ["1", "2", "3"]
    assert list(survey.responses["source_row"]) == [2, 4, 6]
    assert "2 blank rows were skipped (rows 3 and 5)." in survey.warnings
    assert any(
        w.startswith("1 response has no answers at all (2 (row 4))") for w in survey.warnings
    )


COLUMN_CELLS = [
    "=SUM(A1:A3)",  # formula-like text is data, kept as typed
    "+44 7700 900123",
    "  padded  ",
    "n/a",
    "N/A",
    "nan",
    "NaN",
    "None",
    "12345",
    "3.14",
    "",
    " ",
    "\t",
    "ctrl\x07char and \x1b escape",
    "\u00a0nbsp padded\u00a0",
    "emoji 👍 answer",
    "Line one_x000D_\nLine two",
    "Windows\r\nline\rends",
    "We canâ€™t cope",
    "café at the centre",
]


@pytest.mark.parametrize("size", [1, 2, 5, len(COLUMN_CELLS)])
def test_clean_column_is_clean_cell_of_every_cell(size: int):
    for start in range(len(COLUMN_CELLS)):
        cells = (COLUMN_CELLS * 2)[start : start + size]
        assert clean_column(cells) == [clean_cell(c) for c in cells], cells


@pytest.mark.parametrize(
    "cells",
    [
        ["a_x00", "0D_b"],  # "_x000D_" only across two cells: neither is touched
        ["a\r", "b"],  # a carriage return in one cell
        ["plain", "weâ€™re", "Â£5"],  # mojibake beside ASCII cells
        ["Ã", "©"],  # a lead and a continuation character in different cells
        ["  x  ", "emoji 👍", "_x000A_"],
    ],
)
def test_clean_column_never_mixes_cells(cells: list[str]):
    assert clean_column(cells) == [clean_cell(c) for c in cells]


@settings(deadline=None)  # timing varies on shared CI machines
@given(st.lists(st.text(alphabet="ab Ã©\r\n_x0Dâ€™\t👍"), max_size=8))
def test_clean_column_matches_clean_cell_on_any_cells(cells: list[str]):
    assert clean_column(cells) == [clean_cell(c) for c in cells]


@pytest.mark.parametrize("text", ["!!!", "???", "-- " * 30, "_" * 80, "…" * 60])
def test_long_text_without_letters_or_digits_is_a_non_answer(text: str):
    assert is_non_answer(text, NON_ANSWERS, longest=14)


@pytest.mark.parametrize("text", ["_" * 60 + "a", "—" * 60 + "٣", "." * 60 + "²", "y"])
def test_one_letter_or_digit_makes_an_answer(text: str):
    assert not is_non_answer(text, NON_ANSWERS, longest=14)


def test_alphanumeric_pattern_is_exactly_str_isalnum():
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert _ALNUM.findall(every) == [ch for ch in every if ch.isalnum()]
