"""The trained classifier: training from hand-coding, loading, suggestions beside the dictionary."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from sendconsult.analysis import AnalysisSettings, run_analysis
from sendconsult.cli import app
from sendconsult.errors import GoldError, ModelError
from sendconsult.evaluate import compare_with_classifier, load_gold
from sendconsult.ingest import load_survey
from sendconsult.nlp.engine import ThemeClassifier
from sendconsult.nlp.pipeline import build_pipeline
from sendconsult.resources import default_dictionary, model_path
from sendconsult.textcat import (
    METADATA_FILE,
    ClassifierInfo,
    ThemeModel,
    load_classifier,
    suggest,
)
from sendconsult.themes.loader import load_dictionary
from sendconsult.training import (
    TrainingSettings,
    best_threshold,
    save_classifier,
    steps,
    train,
    training_data,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_responses" / "leicester_send_strategy_2019.csv"
DEV = ROOT / "sample_responses" / "hand_coded_dev.csv"
HOLDOUT = ROOT / "sample_responses" / "hand_coded_holdout.csv"
SHIPPED = model_path("send_strategy_classifier")
THEMES = ["transport", "short_breaks", "post_16"]
QUESTION = "Please tell us why you agree or disagree with the priorities."

# A tiny hand-coded consultation: each response raises one theme in its own words, or none.
SAYINGS = {
    "transport": [
        "The taxi to school is late most mornings and the driver changes every week.",
        "My son waits an hour for the minibus home because the route keeps changing.",
        "Home to school transport was cut and I had to give up work to drive her.",
        "Passenger assistants on the bus do not know how to calm him down.",
    ],
    "short_breaks": [
        "We have had no respite for two years and we are exhausted as a family.",
        "The holiday club for disabled children closed so the summer was very hard.",
        "Short breaks are the only time I get to spend with my other children.",
        "Overnight respite at the unit gave us our lives back, please keep it.",
    ],
    "post_16": [
        "There is nothing for him after sixteen, college could not meet his needs.",
        "Supported internships helped my daughter into her first job at nineteen.",
        "Preparing for adulthood should start at fourteen, not in year eleven.",
        "The move from sixth form to adult services was a cliff edge for us.",
    ],
    None: [
        "I agree with the priorities in the draft strategy.",
        "Thank you for asking parents what they think.",
        "The strategy is too long and hard to read.",
        "I have no further comments at this time.",
    ],
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An export of 48 responses and its hand-coding (each saying used three times)."""
    folder = tmp_path_factory.mktemp("tiny")
    export, coded = folder / "tiny_export.csv", folder / "tiny_codes.csv"
    rows, codes = [], []
    number = 0
    for repeat in range(3):
        for theme, sayings in SAYINGS.items():
            for saying in sayings:
                number += 1
                rid = f"ANON-TINY-{number:04d}"
                extra = ["", " We need this sorted.", " Please listen to families."][repeat]
                rows.append([rid, "Parent or carer", saying + extra])
                codes.append([rid, *[int(t == theme) for t in THEMES]])
    with export.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["Response ID", "Respondent", QUESTION], *rows])
    with coded.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["response_id", *THEMES], *codes])
    return export, coded


FAST = TrainingSettings(seed=3, folds=3, c_grid=(4.0,))


def _train(export: Path, coded: Path, settings: TrainingSettings = FAST):
    survey = load_survey(export)
    data = training_data(survey, load_gold(coded))
    return survey, data, train(data, settings, trained_on=coded.name)


def test_trains_in_seconds_loads_and_predicts_every_theme(tiny, tmp_path: Path):
    export, coded = tiny
    survey, data, result = _train(export, coded)
    assert data.themes == THEMES and len(data.examples) == 48
    assert result.info.n_train == 48 and result.info.folds == 3
    out = tmp_path / "tiny_textcat"
    save_classifier(result, out, export=export.name, force=False)
    model = load_classifier(out)
    assert model.info.themes == THEMES
    assert model.info.export == export.name and model.info.data_sha256 == data.sha256
    scores = model.score(survey)
    assert list(scores.columns) == THEMES
    assert len(scores) == 48
    assert ((scores >= 0) & (scores <= 1)).all().all()
    # It learnt something: on its own training texts each theme scores higher where it is coded.
    gold = load_gold(coded)
    for theme in THEMES:
        coded_ids = gold.index[gold[theme] == 1]
        other_ids = gold.index[gold[theme] == 0]
        assert scores.loc[coded_ids, theme].mean() > scores.loc[other_ids, theme].mean() + 0.2


def test_training_is_deterministic_under_the_seed(tiny):
    export, coded = tiny
    survey, _, first = _train(export, coded)
    _, _, second = _train(export, coded)
    _, _, other_seed = _train(export, coded, TrainingSettings(seed=4, folds=3, c_grid=(4.0,)))
    texts = ["the taxi was late again", "no respite all summer", "college after sixteen"]
    assert first.model.scores(texts).tolist() == second.model.scores(texts).tolist()
    assert first.info.thresholds == second.info.thresholds
    assert first.info.scores == second.info.scores
    # Another seed deals the folds differently, so the cross-validated choices differ.
    assert first.info.scores != other_seed.info.scores


def test_thresholds_are_chosen_per_theme_and_an_unlearnable_theme_is_reported(tiny):
    export, coded = tiny
    survey = load_survey(export)
    gold = load_gold(coded)
    gold["waiting_times"] = 0
    gold.iloc[0, gold.columns.get_loc("waiting_times")] = 1  # one coded example: not learnable
    data = training_data(survey, gold)
    assert data.rare_themes == {"waiting_times": 1}
    result = train(data, FAST)
    info = result.info
    assert info.never_predicted == ["waiting_times"]
    assert info.scores["waiting_times"]["support"] == 1
    for theme in THEMES:
        assert info.thresholds[theme] is not None and 0 < info.thresholds[theme] < 1
        assert info.scores[theme]["f1"] > 0.5  # cross-validated, on texts it did not see
    assert not info.at_least_one  # a quarter of the responses raise no theme


def test_best_threshold_maximises_f1_and_adds_to_what_is_coded():
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.2, 0.1])
    truth = np.array([1, 1, 0, 1, 0, 0])
    threshold, f1 = best_threshold(scores, truth)
    assert threshold == pytest.approx(0.4) and f1 == pytest.approx(6 / 7)
    assert best_threshold(scores, np.zeros(6, dtype=int))[0] is None
    # Beside a dictionary that coded two rightly, adding a wrong and a right one helps.
    from sendconsult.evaluate import Counts

    threshold, f1 = best_threshold(np.array([0.9, 0.3]), np.array([0, 1]), Counts(2, 0, 0, 0))
    assert threshold == pytest.approx(0.15) and f1 == pytest.approx(2 * 3 / (2 * 3 + 1))


def test_the_progress_bar_counts_every_step(tiny):
    export, coded = tiny
    survey = load_survey(export)
    data = training_data(survey, load_gold(coded))
    calls = []
    train(data, FAST, progress=lambda: calls.append(1))
    assert len(calls) == steps(FAST, len(data.examples)) == 4


def test_suggestions_are_only_where_the_dictionary_and_officer_did_not_code(tiny):
    export, _ = tiny
    survey = load_survey(export)
    coding = ThemeClassifier(load_dictionary(default_dictionary()), build_pipeline()).classify(
        survey
    )
    ids = list(coding.codes.index)
    scores = pd.DataFrame(0.9, index=pd.Index(ids, name="response_id"), columns=THEMES)
    scores.loc[ids[0], "transport"] = 0.2
    coding.overridden.add((ids[1], "short_breaks"))  # an officer said no
    model = ThemeModel(Path("tiny_model"), ClassifierInfo(themes=THEMES), None)
    found = suggest(coding, scores, model, 0.5)
    for theme in THEMES:
        for rid in found.by_theme[theme]:
            assert coding.codes.at[rid, theme] == 0
    assert ids[0] not in found.by_theme["transport"]
    assert ids[1] not in found.by_theme["short_breaks"]
    coded_transport = set(coding.coded_ids("transport"))
    assert coded_transport and not coded_transport & set(found.by_theme["transport"])
    assert "placements" in found.unknown_themes
    # Without a threshold for every theme, each theme's own: None means never suggested.
    model.info.suggest_thresholds.update(transport=0.95, short_breaks=None, post_16=0.5)
    own = suggest(coding, scores, model)
    assert not own.by_theme["transport"] and not own.by_theme["short_breaks"]
    assert own.by_theme["post_16"] and own.silent_themes == ["short_breaks"]
    assert own.threshold_text("short_breaks") == "never"
    with pytest.raises(ModelError, match="between 0 and 1"):
        suggest(coding, scores, model, 1.5)


@pytest.fixture(scope="module")
def suggested_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample analysed twice: without and with the shipped classifier."""
    folder = tmp_path_factory.mktemp("suggested")
    export = folder / SAMPLE.name
    shutil.copy(SAMPLE, export)
    survey = load_survey(export)
    dictionary = load_dictionary(default_dictionary())
    nlp = build_pipeline()
    plain, with_model = folder / "plain.xlsx", folder / "with_model.xlsx"
    run_analysis(survey, dictionary, nlp, AnalysisSettings(), plain)
    settings = AnalysisSettings(classifier=load_classifier(SHIPPED))
    result = run_analysis(survey, dictionary, nlp, settings, with_model)
    assert result.suggestions is not None and result.suggestions.n_codes > 0
    return plain, with_model


def _coding_rows(path: Path) -> tuple[list[str], list[tuple]]:
    sheet = load_workbook(path, read_only=True)["Coding"]
    rows = list(sheet.iter_rows(values_only=True))
    return [str(h) for h in rows[0]], rows[1:]


def test_combined_mode_keeps_the_dictionary_codes_and_every_figure(suggested_report):
    plain, with_model = suggested_report
    header_plain, rows_plain = _coding_rows(plain)
    header, rows = _coding_rows(with_model)
    assert header == [*header_plain, "suggested"]
    assert [r[: len(header_plain) - 2] for r in rows] == [
        r[: len(header_plain) - 2] for r in rows_plain
    ]
    before, after = load_workbook(plain), load_workbook(with_model)
    for name in ("By group", "Closed questions"):
        assert [r for r in before[name].iter_rows(values_only=True)] == [
            r for r in after[name].iter_rows(values_only=True)
        ]
    summary_before = [r[:3] for r in before["Summary"].iter_rows(values_only=True)]
    summary_after = [r[:3] for r in after["Summary"].iter_rows(values_only=True)]
    assert [r for r in summary_before if r[0] != "Report run on"] == [
        r
        for r in summary_after
        if r[0] not in ("Report run on", "Suggestions from the trained classifier")
    ]


def test_suggestions_are_marked_in_coding_and_theme_sheets(suggested_report):
    _, with_model = suggested_report
    header, rows = _coding_rows(with_model)
    themes = header[2 : header.index("themes")]
    rules = load_classifier(SHIPPED).info.suggest_thresholds
    suggested: dict[tuple[str, str], float] = {}
    for row in rows:
        for part in filter(None, (row[-1] or "").split("; ")):
            theme, score = part.split("=")
            assert row[2 + themes.index(theme)] == 0  # never a suggestion where it is coded
            assert rules[theme] is not None and float(score) >= rules[theme] - 5e-5
            suggested[(row[0], theme)] = float(score)
    assert suggested
    book = load_workbook(with_model)
    method = {r[0]: r[1] for r in book["Method"].iter_rows(values_only=True) if r and r[0]}
    assert "send_strategy_classifier" in method["Trained classifier"]
    assert "joint_commissioning: score 0." in method["Trained classifier"]
    assert "never counted" in method["Trained classifier"]
    label_to_sheet = {book[n]["A1"].value: n for n in book.sheetnames[4:-3]}
    seen_blue = 0
    for sheet_name in label_to_sheet.values():
        sheet = book[sheet_name]
        header_row = next(
            r for r in sheet.iter_rows(min_row=1, max_row=6) if r[0].value == "Response ID"
        )
        assert header_row[5].value == "Suggested by the classifier (score)"
        for row in sheet.iter_rows(min_row=header_row[0].row + 1):
            score = row[5].value
            if score is None:
                assert row[0].fill.fgColor.rgb in (None, "00000000")
                continue
            seen_blue += 1
            assert row[0].fill.fgColor.rgb == "00DDEBF7" and row[3].fill.fgColor.rgb == "00DDEBF7"
            assert row[4].value == "(suggested by the classifier)"
            theme_ids = [t for (rid, t) in suggested if rid == row[0].value]
            assert theme_ids, row[0].value
    assert seen_blue > 0


def test_evaluate_compares_dictionary_classifier_and_both():
    survey = load_survey(SAMPLE)
    coding = ThemeClassifier(load_dictionary(default_dictionary()), build_pipeline()).classify(
        survey
    )
    model = load_classifier(SHIPPED)
    comparison = compare_with_classifier(coding, model.score(survey), load_gold(HOLDOUT), model)
    dictionary, combined = comparison.dictionary.micro, comparison.combined.micro
    assert combined.tp >= dictionary.tp and combined.fn <= dictionary.fn  # recall never drops
    # The suggestions are exactly the ones a report lists, and only for themes with a rule.
    silent = [t for t, v in model.info.suggest_thresholds.items() if v is None]
    for theme in silent:
        assert comparison.combined.per_theme[theme] == comparison.dictionary.per_theme[theme]
    everywhere = compare_with_classifier(
        coding, model.score(survey), load_gold(HOLDOUT), model, 0.05
    )
    assert everywhere.combined.micro.fp > combined.fp  # a low threshold for all: more wrong
    assert comparison.dictionary.n_responses == 100


def test_shipped_classifier_is_small_complete_and_reproducible():
    """It was trained on exactly the dev file's data, loads, scores the same every time it is
    loaded, and a retraining with its seed gives its weights (liblinear is deterministic; the
    tolerance is for floating-point differences between machines)."""
    size = sum(f.stat().st_size for f in SHIPPED.rglob("*") if f.is_file())
    assert size < 5 * 1024 * 1024
    info = json.loads((SHIPPED / METADATA_FILE).read_text(encoding="utf-8"))
    dictionary = load_dictionary(default_dictionary())
    assert info["themes"] == list(dictionary.theme_ids)
    survey = load_survey(SAMPLE)
    data = training_data(survey, load_gold(DEV), list(dictionary.theme_ids))
    assert info["data_sha256"] == data.sha256 and info["trained_on"] == DEV.name
    shipped = load_classifier(Path("send_strategy_classifier"))  # found by name in models/
    texts = [e.text for e in data.examples]
    now = shipped.weights.scores(texts)
    assert load_classifier(SHIPPED).weights.scores(texts).tolist() == now.tolist()
    retrained = train(data, TrainingSettings(seed=info["seed"], folds=info["folds"]))
    assert retrained.info.c == info["c"]
    assert retrained.model.scores(texts) == pytest.approx(now, abs=1e-4)
    for theme, threshold in info["thresholds"].items():
        assert retrained.info.thresholds[theme] == pytest.approx(threshold, abs=1e-3)


runner = CliRunner()


def test_train_command(tiny, tmp_path: Path):
    export, coded = tiny
    out = tmp_path / "models" / "tiny"
    out.parent.mkdir()
    args = ["train", str(coded), "--export", str(export), "--out", str(out), "--folds", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Classifier alone, 3-fold cross-validated (48 responses)" in result.output
    assert "Suggestions beside the dictionary" in result.output  # the shipped one knows them
    assert "micro average" in result.output and (out / METADATA_FILE).exists()
    again = runner.invoke(app, args)
    assert again.exit_code == 1
    assert "already exists; add --force" in again.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    extra = tmp_path / "with_extra_column.csv"
    rows = coded.read_text(encoding="utf-8").splitlines()
    extra.write_text(
        "\n".join([rows[0] + ",waiting_times", *(r + ",0" for r in rows[1:])]), encoding="utf-8"
    )
    warned = runner.invoke(app, [*args[:1], str(extra), *args[2:], "--force"])
    assert warned.exit_code == 0
    flat = " ".join(warned.output.split())
    assert "has no theme waiting_times; the classifier suggests those at its own" in flat
    assert "Only 0 coded responses raise waiting_times" in flat
    assert "never codes them: waiting_times" in flat
    assert "Only 1 coded" not in warned.output  # every theme has 12 coded responses here


def test_train_errors_are_one_line(tiny, tmp_path: Path):
    export, coded = tiny
    no_export = runner.invoke(app, ["train", str(coded), "--out", str(tmp_path / "m")])
    assert no_export.exit_code == 1
    assert "add --export" in no_export.output and "Traceback" not in no_export.output
    few = tmp_path / "few.csv"
    few.write_text("response_id,transport\nANON-TINY-0001,1\nANON-TINY-0002,0\n", encoding="utf-8")
    too_few = runner.invoke(
        app, ["train", str(few), "--export", str(export), "--out", str(tmp_path / "m")]
    )
    assert too_few.exit_code == 1 and "code at least 10" in too_few.output
    with pytest.raises(GoldError, match="no column named after a theme id"):
        training_data(load_survey(export), load_gold(coded), ["placements"])


def test_train_from_a_reviewed_report_finds_its_export(suggested_report, tmp_path: Path):
    plain, _ = suggested_report
    folder = tmp_path / "review"
    folder.mkdir()
    shutil.copy(plain, folder / "reviewed.xlsx")
    missing = runner.invoke(
        app, ["train", str(folder / "reviewed.xlsx"), "--out", str(tmp_path / "m")]
    )
    assert missing.exit_code == 1 and "was not found beside reviewed.xlsx" in missing.output
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    found = runner.invoke(
        app,
        ["train", str(folder / "reviewed.xlsx"), "--out", str(tmp_path / "m"), "--folds", "2"],
    )
    assert found.exit_code == 0, found.output
    info = json.loads((tmp_path / "m" / METADATA_FILE).read_text(encoding="utf-8"))
    assert info["export"] == SAMPLE.name and info["n_train"] > 300


def test_loading_errors_say_what_to_do(tmp_path: Path):
    with pytest.raises(ModelError, match="was not found"):
        load_classifier(tmp_path / "nowhere")
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ModelError, match="is a file"):
        load_classifier(tmp_path / "file.txt")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelError, match="not a classifier made by sendconsult train"):
        load_classifier(empty)
    (empty / METADATA_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="damaged"):
        load_classifier(empty)
    (empty / METADATA_FILE).write_text('{"themes": ["transport"]}', encoding="utf-8")
    with pytest.raises(ModelError, match="made by an older sendconsult"):
        load_classifier(empty)
    (empty / METADATA_FILE).write_text('{"format": 2, "themes": ["transport"]}', encoding="utf-8")
    with pytest.raises(ModelError, match="could not be loaded"):
        load_classifier(empty)


def test_analyse_and_evaluate_with_the_classifier_as_an_officer_runs_them(tmp_path: Path):
    export = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, export)
    report = tmp_path / "report.xlsx"
    completed = subprocess.run(
        [sys.executable, "-m", "sendconsult", "analyse", str(export), "--out", str(report),
         "--classifier", str(SHIPPED), "--no-cache"],
        capture_output=True, text=True, env={"COLUMNS": "200", **_env()},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "Suggested by send_strategy_classifier (not counted)" in completed.stdout
    assert "Classifier" in completed.stderr  # its own progress bar
    method = {r[0]: r[1] for r in load_workbook(report)["Method"].iter_rows(values_only=True)}
    assert method["Command"].startswith("sendconsult analyse ")  # not "__main__.py analyse"
    assert "--classifier" in method["Command"]
    from sendconsult.cli.common import out

    width = out._width  # the results console was made at import, with the terminal's width
    out.width = 80
    try:
        result = runner.invoke(
            app,
            ["evaluate", str(export), "--gold", str(HOLDOUT), "--classifier", str(SHIPPED),
             "--errors", "0"],
        )  # fmt: skip
    finally:
        out._width = width
    assert result.exit_code == 0, result.output
    tables = result.output[result.output.index("Dictionary against hand-coding") :]
    assert max(map(len, tables.splitlines())) <= 80  # a plain terminal shows them whole
    flat = " ".join(result.output.split())
    assert "F1 by theme theme dictionary classifier together" in flat
    assert "micro precision" in flat and "Information, advice and communication" in flat
    bad = runner.invoke(app, ["analyse", str(export), "--classifier", str(tmp_path / "nope")])
    assert bad.exit_code == 1 and "was not found" in bad.output


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "COLUMNS"}


def test_evaluate_cv_scores_dictionary_classifier_and_both_on_one_file(tiny, tmp_path: Path):
    from sendconsult.cli.common import out

    export, coded = tiny
    width = out._width
    out.width = 80
    try:
        result = runner.invoke(
            app, ["evaluate", str(export), "--gold", str(coded), "--cv", "3", "--errors", "0"]
        )
        # Codes of themes no dictionary has: the classifier alone is cross-validated.
        renamed = tmp_path / "renamed.csv"
        renamed.write_text(
            coded.read_text(encoding="utf-8").replace("transport,short_breaks,post_16", "a,b,c", 1),
            encoding="utf-8",
        )
        alone = runner.invoke(
            app, ["evaluate", str(export), "--gold", str(renamed), "--cv", "3", "--errors", "0"]
        )
    finally:
        out._width = width
    assert result.exit_code == 0, result.output
    flat_cv = " ".join(result.output.split())
    assert "3-fold cross-validation: Dictionary, classifier trained on the other folds" in flat_cv
    assert "(48 responses): F1 by theme" in flat_cv and "micro F1" in flat_cv
    tables = result.output[result.output.index("3-fold cross-validation") :]
    assert max(map(len, tables.splitlines())) <= 80
    assert alone.exit_code == 0, alone.output
    flat = " ".join(alone.output.split())
    assert "has none of the themes of renamed.csv; the classifier is scored alone" in flat
    assert "Classifier, 3-fold cross-validated, against hand-coding (48 responses)" in flat
    assert "macro F1 (themes with support)" in flat


def test_a_classifier_trained_without_a_dictionary_is_scored_alone(tiny, tmp_path: Path):
    export, coded = tiny
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(
        coded.read_text(encoding="utf-8").replace("transport,short_breaks,post_16", "a,b,c", 1),
        encoding="utf-8",
    )
    model = tmp_path / "abc"
    trained = runner.invoke(
        app, ["train", str(renamed), "--export", str(export), "--out", str(model), "--folds", "3"]
    )
    assert trained.exit_code == 0, trained.output
    assert "Suggestions beside the dictionary" not in trained.output
    info = load_classifier(model).info
    assert info.themes == ["a", "b", "c"] and info.dictionary == ""
    assert info.suggest_thresholds == info.thresholds  # no dictionary: its own thresholds
    scored = runner.invoke(
        app, ["evaluate", str(export), "--gold", str(renamed), "--classifier", str(model)]
    )
    assert scored.exit_code == 0, scored.output
    assert "Classifier abc against hand-coding (48 responses)" in scored.output


def test_suggestion_thresholds_learnt_beside_another_dictionary_are_flagged(tmp_path: Path):
    from sendconsult.textcat import stale_rules

    shipped = load_classifier(SHIPPED)
    dictionary = load_dictionary(default_dictionary())
    assert shipped.info.dictionary_sha256 == dictionary.sha256
    assert stale_rules(shipped, dictionary) == []
    revised = tmp_path / "revised.yaml"
    revised.write_text(
        default_dictionary().read_text(encoding="utf-8") + "\n# revised\n", encoding="utf-8"
    )
    warnings = stale_rules(shipped, load_dictionary(revised))
    assert len(warnings) == 1 and "train it again with this dictionary" in warnings[0]


def test_the_nhs_benchmark_script_runs_through_the_command_line(tiny, tmp_path: Path):
    """benchmarks/nhs_fft.py on a small folder in the benchmark's layout: "Nothing." is kept as
    an answer (the benchmark's config), and the figures are printed."""
    export, coded = tiny
    data = tmp_path / "nhs"
    data.mkdir()
    rows = list(csv.reader(export.open(encoding="utf-8")))[1:]
    codes = list(csv.reader(coded.open(encoding="utf-8")))
    for part in ("train", "test"):
        with (data / f"export_{part}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["response_id", "answer"])
            writer.writerows([[r[0], r[2]] for r in rows] + [["NOTHING-1", "Nothing."]])
        with (data / f"codes_{part}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([*codes, ["NOTHING-1", 0, 1, 0]])
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "nhs_fft.py"), str(data), "--folds", "3"],
        capture_output=True, text=True, env=_env(),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "Trained on 49 responses" in completed.stdout  # "Nothing." is an answer here
    assert "against hand-coding (49 responses)" in completed.stdout
    assert "test micro-F1 " in completed.stdout and "(over the 3 labels with test support)" in (
        completed.stdout
    )
    assert "s CPU; model " in completed.stdout


def test_the_nhs_choices_script_compares_models_on_the_training_file_alone(tiny, tmp_path: Path):
    """benchmarks/nhs_fft_choices.py scores each model choice by nested cross-validation on the
    training files; the test files are not there, so it cannot have read them."""
    export, coded = tiny
    data = tmp_path / "nhs"
    data.mkdir()
    rows = list(csv.reader(export.open(encoding="utf-8")))[1:]
    with (data / "export_train.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["response_id", "answer"], *[[r[0], r[2]] for r in rows]])
    (data / "codes_train.csv").write_text(coded.read_text(encoding="utf-8"), encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "nhs_fft_choices.py"), str(data), "--folds", "3"],
        capture_output=True, text=True, env=_env(),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "48 training responses, 3 themes, 3 folds" in completed.stdout
    lines = {line[:58].strip(): line[58:].split() for line in completed.stdout.splitlines()}
    default = lines["logistic regression, balanced, C=16"]
    assert all(0 <= float(value) <= 1 for value in default[:2])
    assert float(default[0]) > 0.8  # the tiny sayings are easy: a broken scoring shows here
    assert "the same, C chosen per theme (1 to 256)" in lines
    assert "mean of logistic regression (C=16) and linear SVC" in lines
    assert "C=16, no theme's threshold below 0.5 (default 0.05)" in lines
