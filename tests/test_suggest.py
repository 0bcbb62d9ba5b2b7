"""Term suggestions: they surface terms that really are missing, and can be pasted in."""

from __future__ import annotations

import copy
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sendconsult.cli import app
from sendconsult.ingest import load_survey
from sendconsult.nlp.engine import ThemeClassifier
from sendconsult.resources import default_dictionary
from sendconsult.suggest import suggest_terms
from sendconsult.themes.loader import load_dictionary

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "sample_responses" / "leicester_send_strategy_2019.csv"
GOLD = [ROOT / "sample_responses" / f"hand_coded_{part}.csv" for part in ("dev", "holdout")]
runner = CliRunner()


@pytest.fixture(scope="module")
def sample(nlp):
    survey = load_survey(SAMPLE)
    classifier = ThemeClassifier(load_dictionary(default_dictionary()), nlp)
    coding = classifier.classify(survey)
    return survey, coding, suggest_terms(survey, coding, classifier, top=10)


def test_suggested_terms_recover_responses_the_dictionary_missed(tmp_path, nlp, sample):
    survey, coding, suggestions = sample
    gold = pd.concat(pd.read_csv(p, dtype={"response_id": str}) for p in GOLD)
    gold = gold.set_index("response_id")
    original = yaml.safe_load(default_dictionary().read_text(encoding="utf-8"))
    recovered: dict[str, list[str]] = {}
    for theme_id, found in suggestions.by_theme.items():
        missed = {
            rid
            for rid in gold.index
            if gold.at[rid, theme_id] == 1 and coding.codes.at[rid, theme_id] == 0
        }
        revised = copy.deepcopy(original)
        for theme in revised["themes"]:
            if theme["id"] == theme_id:
                theme["terms"] = list(theme["terms"]) + [s.phrase for s in found]
        path = tmp_path / f"{theme_id}.yaml"
        path.write_text(yaml.safe_dump(revised, sort_keys=False), encoding="utf-8")
        again = ThemeClassifier(load_dictionary(path), nlp).classify(survey)
        recovered[theme_id] = sorted(rid for rid in missed if again.codes.at[rid, theme_id] == 1)
    # At least one theme's suggestions catch responses the hand-coders coded to it and the
    # dictionary missed: terms that were really missing.
    assert any(recovered.values()), recovered
    assert "ANON-ACTY-VTLD-G" in recovered["mainstream_inclusion"]  # "excluded from his primary"


def test_suggestions_leave_out_what_the_dictionary_already_matches(sample):
    _, _, suggestions = sample
    placements = {s.phrase for s in suggestions.by_theme["placements"]}
    assert not placements & {"special school", "special school place", "placement"}
    for found in [suggestions.uncoded, *suggestions.by_theme.values()]:
        for s in found:
            assert s.responses >= 3
            assert s.lift >= 2.0
            assert s.example


def test_phrases_from_uncoded_responses(tmp_path, nlp, write_csv):
    rows = [["Response ID", "Your comments"]]
    rows += [
        [f"R{i}", f"The speech therapy waiting list is too long, {i} months now."] for i in range(6)
    ]
    rows += [[f"T{i}", f"The taxi to school was late again on day {i}."] for i in range(6)]
    survey = load_survey(write_csv(rows))
    dictionary = tmp_path / "themes.yaml"
    dictionary.write_text(
        "themes:\n  - id: transport\n    label: Transport\n    terms: [taxi*]\n",
        encoding="utf-8",
    )
    classifier = ThemeClassifier(load_dictionary(dictionary), nlp)
    suggestions = suggest_terms(survey, classifier.classify(survey), classifier)
    phrases = [s.phrase for s in suggestions.uncoded]
    assert "speech therapy wait" in phrases  # lemmas: the phrase in all six...
    assert "speech" not in phrases  # ...stands for its parts found as often
    assert not any("taxi" in p for p in phrases)


def test_themes_suggest_command_writes_a_snippet_to_paste(tmp_path):
    snippet = tmp_path / "suggestions.yaml"
    result = runner.invoke(
        app, ["themes", "suggest", str(SAMPLE), "--top", "5", "--out", str(snippet)]
    )
    assert result.exit_code == 0, result.output
    assert "Common in responses no theme caught" in result.output
    assert "Goes with Inclusion in mainstream schools (mainstream_inclusion)" in result.output
    data = yaml.safe_load(snippet.read_text(encoding="utf-8"))
    theme_ids = {t["id"] for t in data["themes"]}
    assert "mainstream_inclusion" in theme_ids
    assert all(1 <= len(t["terms"]) <= 5 for t in data["themes"])
    workbook = tmp_path / "suggestions.xlsx"
    result = runner.invoke(app, ["themes", "suggest", str(SAMPLE), "--out", str(workbook)])
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(workbook)["Suggestions"].iter_rows(values_only=True))
    assert rows[0] == ("List", "Theme id", "Phrase", "Responses", "Lift", "Example")
    assert len(rows) > 10
    result = runner.invoke(app, ["themes", "suggest", str(SAMPLE), "--out", str(workbook)])
    assert result.exit_code == 1
    assert "already exists; add --force" in result.output
    result = runner.invoke(app, ["themes", "suggest", str(SAMPLE), "--out", "x.txt"])
    assert result.exit_code == 1
    assert " ".join(result.output.split()) == "Error: --out x.txt must end in .yaml or .xlsx."
