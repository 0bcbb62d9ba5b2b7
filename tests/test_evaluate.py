"""Evaluation arithmetic on a small case computed by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sendconsult.coding import Coding
from sendconsult.errors import GoldError
from sendconsult.evaluate import Counts, evaluate, load_gold


def coding_of(rows: dict[str, list[int]], themes: list[str]) -> Coding:
    codes = pd.DataFrame.from_dict(rows, orient="index", columns=themes)
    codes.index.name = "response_id"
    return Coding(theme_ids=themes, codes=codes)


def test_counts_by_hand():
    # 8 decisions: tp=3 fp=1 fn=2 tn=2
    c = Counts(tp=3, fp=1, fn=2, tn=2)
    assert c.precision == pytest.approx(3 / 4)
    assert c.recall == pytest.approx(3 / 5)
    assert c.f1 == pytest.approx(2 * 3 / (2 * 3 + 1 + 2))
    # kappa: po = 5/8; p_yes = (4/8)(5/8) = 0.3125; p_no = (4/8)(3/8) = 0.1875; pe = 0.5
    assert c.kappa == pytest.approx((5 / 8 - 0.5) / (1 - 0.5))
    assert c.support == 5


def test_undefined_scores_are_none_not_zero():
    c = Counts(tp=0, fp=0, fn=0, tn=10)
    assert c.precision is None and c.recall is None and c.f1 is None


def test_evaluate_micro_macro_and_disagreements(tmp_path: Path):
    themes = ["transport", "post_16"]
    coding = coding_of({"A": [1, 0], "B": [1, 1], "C": [0, 1], "D": [0, 0], "E": [1, 0]}, themes)
    gold_file = tmp_path / "gold.csv"
    gold_file.write_text(
        "response_id,transport,post_16,notes\nA,1,0,x\nB,0,1,\nC,1,1,\nD,0,0,\nZ,1,1,\n",
        encoding="utf-8",
    )
    result = evaluate(coding, load_gold(gold_file))
    # transport on A,B,C,D: predicted 1,1,0,0 gold 1,0,1,0 -> tp1 fp1 fn1 tn1
    assert result.per_theme["transport"] == Counts(1, 1, 1, 1)
    # post_16: predicted 0,1,1,0 gold 0,1,1,0 -> tp2 tn2
    assert result.per_theme["post_16"] == Counts(2, 0, 0, 2)
    assert result.micro == Counts(3, 1, 1, 3)
    assert result.micro.f1 == pytest.approx(6 / 8)
    assert result.macro_f1 == pytest.approx((0.5 + 1.0) / 2)
    assert result.n_responses == 4
    assert result.missing_ids == ["Z"]
    kinds = {(d.response_id, d.theme_id, d.kind) for d in result.disagreements}
    assert kinds == {("B", "transport", "false positive"), ("C", "transport", "false negative")}


def test_gold_without_response_id_column(tmp_path: Path):
    bad = tmp_path / "codes.csv"
    bad.write_text("id,transport\n1,1\n", encoding="utf-8")
    with pytest.raises(GoldError, match="no 'response_id' column"):
        load_gold(bad)


def test_gold_with_no_matching_theme(tmp_path: Path):
    gold = tmp_path / "codes.csv"
    gold.write_text("response_id,buses\nA,1\n", encoding="utf-8")
    with pytest.raises(GoldError, match="no column named after any theme id"):
        evaluate(coding_of({"A": [1]}, ["transport"]), load_gold(gold))


# -- evaluate --json and the layout at 80 columns ----------------------------------------------

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "sample_responses" / "leicester_send_strategy_2019.csv"
HOLDOUT = ROOT / "sample_responses" / "hand_coded_holdout.csv"


def test_scores_dict_on_a_case_computed_by_hand():
    from sendconsult.evaluate import scores_dict

    themes = ["a", "b"]
    coding = coding_of({"r1": [1, 0], "r2": [1, 1], "r3": [0, 0], "r4": [0, 1]}, themes)
    gold = pd.DataFrame({"a": [1, 0, 1, 0], "b": [0, 0, 0, 0]}, index=["r1", "r2", "r3", "r4"])
    data = scores_dict(evaluate(coding, gold), {"a": "Theme A"})
    assert data["responses"] == 4
    assert data["themes"]["a"] == {
        "label": "Theme A", "precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2,
        "kappa": 0.0, "tp": 1, "fp": 1, "fn": 1, "tn": 1,
    }  # fmt: skip
    b = data["themes"]["b"]  # coded twice, never in the gold: recall undefined, not 0
    assert (b["label"], b["precision"], b["recall"], b["f1"]) == ("b", 0.0, None, 0.0)
    assert data["micro"]["tp"] == 1 and data["micro"]["fp"] == 3 and data["micro"]["fn"] == 1
    assert data["micro"]["f1"] == pytest.approx(2 / 6)
    assert data["macro"] == {"precision": 0.25, "recall": 0.5, "f1": 0.25}


def test_evaluate_json_is_the_library_evaluation():
    """The CLI's JSON equals a direct evaluation of the same coding, value for value."""
    import json

    from typer.testing import CliRunner

    from sendconsult.cli import app
    from sendconsult.evaluate import scores_dict
    from sendconsult.ingest import load_survey
    from sendconsult.nlp.engine import ThemeClassifier
    from sendconsult.nlp.pipeline import build_pipeline
    from sendconsult.resources import default_dictionary
    from sendconsult.themes.loader import load_dictionary

    result = CliRunner().invoke(
        app, ["evaluate", str(SAMPLE), "--gold", str(HOLDOUT), "--json", "--errors", "5"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    dictionary = load_dictionary(default_dictionary())
    coding = ThemeClassifier(dictionary, build_pipeline()).classify(load_survey(SAMPLE))
    direct = evaluate(coding, load_gold(HOLDOUT))
    labels = {t: dictionary.label(t) for t in direct.theme_ids}
    assert data["dictionary"] == json.loads(json.dumps(scores_dict(direct, labels)))
    assert set(data["dictionary"]["themes"]) == set(dictionary.theme_ids)
    assert len(data["disagreements"]) == 5
    first = data["disagreements"][0]
    assert set(first) == {"response_id", "theme", "kind", "terms"}
    assert (first["response_id"], first["theme"], first["kind"]) == (
        direct.disagreements[0].response_id,
        direct.disagreements[0].theme_id,
        direct.disagreements[0].kind,
    )


def test_evaluate_tables_fit_80_columns():
    """Run as an officer would in a default terminal window: nothing wider than 80 columns, and
    every theme label of the shipped dictionary on one line."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": "80", "PYTHONIOENCODING": "utf-8"}
    completed = subprocess.run(
        [sys.executable, "-m", "sendconsult", "evaluate", str(SAMPLE), "--gold", str(HOLDOUT),
         "--errors", "5"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    for label in ("Information, advice and communication", "Personal budgets and direct payments"):
        assert any(line.startswith(label) for line in lines), label
    assert "Disagreements (first 5 of" in completed.stdout


def gold_frame(rows: dict[str, list[int]], themes: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=themes)
    frame.index.name = "response_id"
    return frame


def test_a_second_coder_is_scored_against_the_first_as_the_dictionary_is():
    from sendconsult.evaluate import compare_coders

    themes = ["transport", "post_16"]
    first = gold_frame({"A": [1, 0], "B": [0, 1], "C": [1, 1], "D": [0, 0], "E": [1, 0]}, themes)
    # the second coder did not code E, and codes an extra column the first does not have
    second = pd.DataFrame.from_dict(
        {"A": [1, 0, 1], "B": [1, 1, 0], "C": [0, 1, 0], "D": [0, 0, 1]},
        orient="index",
        columns=["transport", "post_16", "campaign_x"],
    )
    result = compare_coders(first, second, themes)
    # transport on A-D: second 1,1,0,0 against first 1,0,1,0 -> tp1 fp1 fn1 tn1
    assert result.per_theme["transport"] == Counts(1, 1, 1, 1)
    assert result.per_theme["post_16"] == Counts(2, 0, 0, 2)
    assert result.n_responses == 4
    assert result.missing_ids == ["E"]
    assert result.skipped_themes == ["campaign_x"]


def test_a_second_coder_who_shares_nothing_with_the_first_is_refused():
    from sendconsult.evaluate import compare_coders

    first = gold_frame({"A": [1], "B": [0]}, ["transport"])
    with pytest.raises(GoldError, match="no column named after a theme id"):
        compare_coders(first, gold_frame({"A": [1]}, ["taxi"]), ["transport"])
    with pytest.raises(GoldError, match="None of the response IDs"):
        compare_coders(first, gold_frame({"Z": [1]}, ["transport"]), ["transport"])


def test_evaluate_scores_a_second_coder_beside_the_dictionary(tmp_path: Path):
    """An officer's second coding, one code changed from the first: the CLI prints its agreement
    before the dictionary's, and --json gives the same figures."""
    import json

    from typer.testing import CliRunner

    from sendconsult.cli import app

    export = ROOT / "sample_responses" / "real_quotes_heldout.csv"
    first = ROOT / "sample_responses" / "hand_coded_real_heldout.csv"
    lines = first.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")  # the first response: flip its short breaks code
    column = header.index("short_breaks")
    was_coded = row[column] == "1"
    row[column] = "0" if was_coded else "1"
    second = tmp_path / "second.csv"
    second.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")

    shown = CliRunner().invoke(
        app, ["evaluate", str(export), "--gold", str(first), "--second-coder", str(second)]
    )
    assert shown.exit_code == 0, shown.output
    n = len(lines) - 1
    assert shown.output.index(f"Second coder against hand-coding ({n} responses)") < (
        shown.output.index(f"Dictionary against hand-coding ({n} responses)")
    )
    as_json = CliRunner().invoke(
        app,
        ["evaluate", str(export), "--gold", str(first), "--second-coder", str(second), "--json"],
    )
    assert as_json.exit_code == 0, as_json.output
    scores = json.loads(as_json.stdout)["second_coder"]
    support = sum(scores["themes"][t]["support"] for t in scores["themes"])
    micro = scores["micro"]
    assert (micro["fp"], micro["fn"]) == ((0, 1) if was_coded else (1, 0))
    assert micro["tp"] == support - micro["fn"]
    assert scores["themes"]["post_16"]["f1"] == 1.0
