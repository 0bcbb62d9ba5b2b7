"""`sendconsult evaluate`: score the dictionary against officers' hand-coding."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table
from rich.text import Text

from sendconsult.classify import ThemeClassifier, count_answers
from sendconsult.cli.app import app
from sendconsult.cli.common import (
    ConfigOpt,
    DebugOpt,
    GroupColumnOpt,
    IdColumnOpt,
    ModelOpt,
    SheetOpt,
    TextColumnOpt,
    ThemesOpt,
    err,
    guarded,
    load_export,
    load_themes,
    out,
    resolve_config,
    score_text,
    set_debug,
    warn,
)
from sendconsult.cli.progress import parse_progress
from sendconsult.evaluate import (
    ClassifierComparison,
    Evaluation,
    compare_with_classifier,
    evaluate,
    load_gold,
)
from sendconsult.nlp import build_pipeline
from sendconsult.textcat import load_classifier


@app.command("evaluate")
@guarded
def evaluate_cli(
    export: Annotated[Path, typer.Argument(help="The consultation export.", show_default=False)],
    gold: Annotated[
        Path,
        typer.Option(
            "--gold",
            help="Hand-coded file: response_id + one 0/1 column per theme id (CSV, or a report's Coding sheet).",
            show_default=False,
        ),
    ],
    themes: ThemesOpt = None,
    model: ModelOpt = None,
    errors: Annotated[
        int, typer.Option("--errors", help="How many false positives/negatives to list (0: none).")
    ] = 20,
    classifier_path: Annotated[
        Path | None,
        typer.Option(
            "--classifier",
            help="A classifier made by sendconsult train: also score it alone, and the "
            "dictionary with its suggestions added.",
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            min=0.01,
            max=0.99,
            help="Classifier score from which a theme is suggested (default: the classifier's own).",
        ),
    ] = None,
    cv: Annotated[
        int | None,
        typer.Option(
            "--cv",
            min=2,
            max=20,
            help="Score the dictionary, a classifier and the dictionary with its suggestions by "
            "K-fold cross-validation on the hand-coded file alone (trains K classifiers).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for --cv's folds and training.")] = 0,
    sheet: SheetOpt = None,
    config: ConfigOpt = None,
    id_column: IdColumnOpt = None,
    group_column: GroupColumnOpt = None,
    text_column: TextColumnOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Print precision, recall, F1 and Cohen's kappa per theme, and the disagreements.

    Example: sendconsult evaluate sample_responses/leicester_send_strategy_2019.csv --gold sample_responses/hand_coded_holdout.csv
    """
    set_debug(debug)
    project_config = resolve_config(export, config)
    survey = load_export(
        export,
        sheet=sheet,
        id_column=id_column,
        group_column=group_column,
        text_columns=text_column,
        project_config=project_config,
    )
    dictionary = load_themes(themes, export, project_config)
    gold_codes = load_gold(gold)
    theme_model = load_classifier(classifier_path) if classifier_path is not None else None
    shared = [t for t in dictionary.theme_ids if t in gold_codes.columns]
    if not shared and (theme_model is not None or cv is not None):
        warn(f"{dictionary.name} has none of the themes of {gold.name}; the classifier is scored alone.")
        if cv is not None:
            out.print(cross_validation_table(survey, None, gold_codes, cv, seed, dictionary.label))
        else:
            out.print(classifier_table(survey, gold_codes, theme_model))
        return
    classifier = ThemeClassifier(dictionary, build_pipeline(model))
    with parse_progress(count_answers(survey, classifier.nlp.max_length)) as advance:
        coding = classifier.classify(survey, progress=advance)
    result = evaluate(coding, gold_codes)
    if result.missing_ids:
        warn(
            f"{len(result.missing_ids)} response IDs in {gold.name} are not in {export.name} "
            f"(first: {result.missing_ids[0]}); they were left out."
        )
    if result.skipped_themes:
        warn(
            f"Columns of {gold.name} that are not theme ids were ignored: {', '.join(result.skipped_themes)}."
        )
    out.print(scores_table(result, dictionary.label))
    if cv is not None:
        out.print(cross_validation_table(survey, coding, gold_codes, cv, seed, dictionary.label))
    if theme_model is not None:
        scores = theme_model.score(survey)
        comparison = compare_with_classifier(coding, scores, gold_codes, theme_model, threshold)
        out.print(comparison_table(comparison, dictionary.label, theme_model.name))
    if errors > 0:
        out.print(disagreement_table(result, survey, errors))


def scores_table(result: Evaluation, label, what: str = "Dictionary") -> Table:  # noqa: ANN001
    table = Table(
        title=f"{what} against hand-coding ({result.n_responses} responses)",
        title_justify="left",
    )
    for column in ("theme", "precision", "recall", "F1", "support", "kappa"):
        table.add_column(column, justify="left" if column == "theme" else "right")
    for theme in result.theme_ids:
        c = result.per_theme[theme]
        table.add_row(
            Text(label(theme)),
            score_text(c.precision),
            score_text(c.recall),
            score_text(c.f1),
            str(c.support),
            score_text(c.kappa),
        )
    micro = result.micro
    table.add_section()
    table.add_row(
        "micro average",
        score_text(micro.precision),
        score_text(micro.recall),
        score_text(micro.f1),
        str(micro.support),
        score_text(micro.kappa),
    )
    table.add_row("macro F1", "", "", score_text(result.macro_f1), "", "")
    return table


def comparison_table(comparison: ClassifierComparison, label, name: str) -> Table:  # noqa: ANN001
    """Precision, recall and F1 of the dictionary, the classifier, and both together."""
    table = Table(
        title=(
            f"Dictionary, classifier {name} ({_thresholds(comparison.threshold)}) and the "
            f"dictionary with its suggestions ({comparison.dictionary.n_responses} responses)"
        ),
        title_justify="left",
    )
    table.add_column("theme")
    for source in ("dictionary", "classifier", "together"):
        for measure in ("P", "R", "F1"):
            table.add_column(f"{source} {measure}", justify="right")
    runs = (comparison.dictionary, comparison.classifier, comparison.combined)
    for theme in comparison.dictionary.theme_ids:
        cells = []
        for run in runs:
            c = run.per_theme[theme]
            cells += [score_text(c.precision), score_text(c.recall), score_text(c.f1)]
        table.add_row(Text(label(theme)), *cells)
    table.add_section()
    cells = []
    for run in runs:
        m = run.micro
        cells += [score_text(m.precision), score_text(m.recall), score_text(m.f1)]
    table.add_row("micro average", *cells)
    table.add_row("macro F1", *[x for run in runs for x in ("", "", score_text(run.macro_f1))])
    return table


def classifier_table(survey, gold, theme_model) -> Table:  # noqa: ANN001
    """The classifier's own codes against hand-coding, on its themes (no dictionary shares them);
    macro-F1 also over the themes with hand-coded support only, as benchmarks define it."""
    from sendconsult.coding import Coding

    index = pd.Index(survey.responses["response_id"], name="response_id")
    codes = theme_model.codes(theme_model.score(survey), index)
    themes = list(theme_model.info.themes)
    result = evaluate(Coding(themes, codes), gold)
    labels = theme_model.info.labels
    table = scores_table(result, lambda t: labels.get(t, t), f"Classifier {theme_model.name}")
    macro = score_text(supported_macro(result.per_theme))
    table.add_row("macro F1 (themes with support)", "", "", macro, "", "")
    return table


def supported_macro(per_theme) -> float | None:  # noqa: ANN001 - dict[str, Counts]
    scores = [c.f1 or 0.0 for c in per_theme.values() if c.support]
    return sum(scores) / len(scores) if scores else None


def cross_validation_table(survey, coding, gold, k: int, seed: int, label) -> Table:  # noqa: ANN001
    """Dictionary, classifier and dictionary with suggestions, by K-fold cross-validation."""
    from sendconsult.cli.progress import new_progress
    from sendconsult.training import TrainingSettings, cross_validate, training_data

    data = training_data(survey, gold)
    with new_progress() as progress:
        task = progress.add_task(f"Cross-validating ({k} folds)", total=k)
        cv = cross_validate(
            data,
            k,
            TrainingSettings(seed=seed),
            dictionary_codes=None if coding is None else coding.codes,
            progress=lambda: progress.advance(task),
        )
    n = cv.n_responses
    classifier = Evaluation(cv.themes, cv.classifier, n)
    if cv.dictionary is None or cv.combined is None:
        table = scores_table(classifier, lambda t: t, f"Classifier, {k}-fold cross-validated,")
        macro = score_text(supported_macro(cv.classifier))
        table.add_row("macro F1 (themes with support)", "", "", macro, "", "")
        return table
    themes = list(cv.dictionary)
    comparison = ClassifierComparison(
        None,
        Evaluation(themes, cv.dictionary, n),
        Evaluation(themes, {t: cv.classifier[t] for t in themes}, n),
        Evaluation(themes, cv.combined, n),
    )
    table = comparison_table(comparison, label, "trained on the other folds")
    table.title = f"{k}-fold cross-validation: " + str(table.title)
    return table


def _thresholds(threshold: float | None) -> str:
    return "each theme's own thresholds" if threshold is None else f"score {threshold:.2f} or more"


def disagreement_table(result: Evaluation, survey, limit: int) -> Table:  # noqa: ANN001
    table = Table(
        title=f"Disagreements (first {limit} of {len(result.disagreements)})", title_justify="left"
    )
    for column in ("response", "theme", "kind", "evidence"):
        table.add_column(column)
    for d in result.disagreements[:limit]:
        if d.evidence:
            evidence = "; ".join(
                f"'{m.matched}' (term {m.term}" + (f", {m.vetoed_by}" if m.vetoed_by else "") + ")"
                for m in d.evidence
            )
        else:
            texts = survey.texts(d.response_id)
            snippet = " / ".join(texts.values())
            evidence = "no term matched: " + (
                snippet[:160] + "…" if len(snippet) > 160 else snippet
            )
        table.add_row(d.response_id, d.theme_id, d.kind, Text(evidence))
    if not result.disagreements:
        err.print("No disagreements.")
    return table
