"""Random text, as hostile as hypothesis can make it, through classification, redaction and
report writing: nothing fails, and respondents' words stay text in the workbook."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sendconsult.analysis import AnalysisSettings, run_analysis
from sendconsult.cli import app
from sendconsult.ingest import IngestOptions, load_survey
from sendconsult.nlp.engine import ThemeClassifier
from sendconsult.privacy import Redactor
from sendconsult.resources import default_dictionary
from sendconsult.themes.loader import load_dictionary

ID, GROUP, TEXT = "Response ID", "Who are you?", "Your comments"
ANCHOR = "The taxi to school is always late and there is no respite."
runner = CliRunner()

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\r\n", "\r=", "\t=", " =", "=cmd|' /C calc'!A0"]
RTL = st.characters(min_codepoint=0x0590, max_codepoint=0x06FF)  # Hebrew and Arabic
EMOJI = st.sampled_from(["😀", "👍🏽", "🇬🇧", "👨‍👩‍👧", "❤️", "\u200d", "\ufe0f", "🧒🏿"])
CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from(["\x7f", "\x85"])

answers = st.one_of(
    st.text(max_size=300),  # any code point but surrogates, control characters included
    st.builds(str.__add__, st.sampled_from(FORMULA_STARTS), st.text(max_size=80)),
    st.builds(lambda c, n: c * n, st.characters(), st.integers(1_000, 40_000)),  # one long word
    st.text(RTL | st.just(" "), max_size=120),
    st.lists(EMOJI | st.just(" ") | st.sampled_from("taxi respite"), max_size=80).map("".join),
    st.text(CONTROL | st.sampled_from("abc =+-@"), max_size=60),
    st.lists(
        st.sampled_from(
            [
                "taxi",
                "respite",
                "my son Jack",
                "Mrs Patel",
                "07700 900418",
                "LE4 6FL",
                "=1+1",
                "not",
                "no problem",
                "\u202e",
                "\u200f",
                "N/A",
                "",
                "...",
                "\r\n",
                "😀",
            ]
        ),  # fmt: skip
        max_size=12,
    ).map(" ".join),
)


@pytest.fixture(scope="module")
def dictionary():
    return load_dictionary(default_dictionary())


@pytest.fixture(scope="module")
def classifier(dictionary, nlp):
    return ThemeClassifier(dictionary, nlp)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=answers)
def test_classification_never_fails_and_evidence_points_into_the_text(classifier, nlp, text):
    for match in classifier.match_doc(nlp(text), "q"):
        assert 0 <= match.start <= match.end <= len(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=answers)
def test_redaction_never_fails_and_its_offsets_stay_in_order(text):
    shown, offset = Redactor().redact_with_offsets(text)
    mapped = [offset(i) for i in range(0, len(text) + 1, max(1, len(text) // 50))]
    assert mapped == sorted(mapped)
    assert all(0 <= m <= len(shown) for m in mapped)


def _write_export(folder: Path, texts: list[str]) -> Path:
    rows = [[ID, GROUP, TEXT], ["A0", "Parent", ANCHOR]]
    for n, text in enumerate(texts, start=1):
        # A CSV cannot hold NUL; every other character goes through as the respondent typed it.
        rows.append([f"R{n}", "Parent" if n % 2 else "Teacher", text.replace("\x00", " ")])
    export = folder / "random.csv"
    with export.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return export


def _assert_text_stays_text(report: Path) -> int:
    """No formula anywhere; every answer cell is a string. Returns the answer cells seen."""
    book = openpyxl.load_workbook(report)
    seen = 0
    for sheet in book.worksheets:
        answer_column = None
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
            first = [c.value for c in row]
            if answer_column is None and ("Answer" in first or "Answers" in first):
                answer_column = first.index("Answer" if "Answer" in first else "Answers")
                continue
            if answer_column is not None and answer_column < len(row):
                value = row[answer_column].value
                if value is not None:
                    assert isinstance(value, str), f"{sheet.title}!{row[answer_column].coordinate}"
                    assert len(value) <= 32_767
                    seen += 1
    return seen


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,  # each example analyses a whole export; a busy machine must not fail it
    # ... nor spend minutes shrinking a failure: the falsifying example is reported as found.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(texts=st.lists(answers, min_size=1, max_size=6), redact=st.booleans())
def test_report_writing_never_fails_on_random_text(dictionary, nlp, texts, redact):
    with tempfile.TemporaryDirectory() as folder:
        export = _write_export(Path(folder), texts)
        survey = load_survey(
            export, IngestOptions(id_column=ID, group_column=GROUP, text_columns=(TEXT,))
        )
        report = Path(folder) / "report.xlsx"
        result = run_analysis(
            survey, dictionary, nlp, AnalysisSettings(redact=redact, jobs=1), report
        )
        assert result.aggregates.responses == len(texts) + 1
        assert _assert_text_stays_text(report) >= 1  # at least the anchor answer


PROBES = ["\r=1+1", "\r\n=1+1 the taxi", "\r+44 7700 900123 respite", "\r@SUM(A1) taxi", "\r-2+3"]


def test_answers_starting_with_a_carriage_return_stay_text(tmp_path: Path):
    export = tmp_path / "probes.csv"
    rows = [[ID, GROUP, TEXT], ["A0", "Parent", ANCHOR]]
    rows += [[f"P{i}", "Parent", probe] for i, probe in enumerate(PROBES, start=1)]
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = runner.invoke(
        app, ["analyse", str(export), "--no-redact", "--no-cache", "--text-column", TEXT]
    )
    assert result.exit_code == 0, result.output
    report = tmp_path / "probes_report.xlsx"
    _assert_text_stays_text(report)
    shown = "\n".join(
        str(v)
        for sheet in openpyxl.load_workbook(report).worksheets
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if isinstance(v, str)
    )
    for probe in PROBES:
        assert probe.strip() in shown, probe
