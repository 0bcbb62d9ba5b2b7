"""`sendconsult evaluate`: score the dictionary against officers' hand-coding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from sendconsult.cli.app import app
from sendconsult.cli.common import (
    ColumnChoices,
    ConfigOpt,
    DebugOpt,
    ModelOpt,
    SheetOpt,
    ThemesOpt,
    column_options,
    err,
    guarded,
    out,
    score_text,
    set_debug,
    show_warnings,
    warn,
)
from sendconsult.cli.progress import parse_progress

if TYPE_CHECKING:  # the core (spaCy, pandas) is imported when a command runs, not for --help
    from sendconsult.coding import Match
    from sendconsult.evaluate import ClassifierComparison, Evaluation


@app.command("evaluate")
@guarded
@column_options
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
    second_coder: Annotated[
        Path | None,
        typer.Option(
            "--second-coder",
            help="A second officer's hand-coding of the same responses (same layout as --gold): "
            "also score it against --gold, the agreement two people reach with the same rules.",
            show_default=False,
        ),
    ] = None,
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
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the scores as JSON (per theme, micro and macro; the first --errors "
            "disagreements with their terms) instead of tables.",
        ),
    ] = False,
    debug: DebugOpt = False,
    columns: ColumnChoices | None = None,
) -> None:
    """Print precision, recall, F1 and Cohen's kappa per theme, and the disagreements.

    Example: sendconsult evaluate sample_responses/leicester_send_strategy_2019.csv --gold sample_responses/hand_coded_holdout.csv
    """
    from sendconsult.evaluate import compare_coders, compare_with_classifier, evaluate, load_gold
    from sendconsult.nlp.weak_evidence import weak_terms
    from sendconsult.project import code_survey, open_project
    from sendconsult.textcat import load_classifier

    set_debug(debug)
    project = open_project(export, config)
    survey = project.read_survey(sheet=sheet, columns=columns)
    show_warnings(survey.warnings)
    dictionary = project.dictionary(themes)
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
    coding = code_survey(survey, dictionary, model=model, progress=parse_progress).coding
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
    comparison = None
    if theme_model is not None:
        scores = theme_model.score(survey)
        comparison = compare_with_classifier(coding, scores, gold_codes, theme_model, threshold)
    coders = None
    if second_coder is not None:
        coders = compare_coders(gold_codes, load_gold(second_coder), result.theme_ids)
        if coders.missing_ids:
            warn(
                f"{len(coders.missing_ids)} response IDs in {gold.name} are not in "
                f"{second_coder.name} (first: {coders.missing_ids[0]}); the two coders are "
                "compared on the responses both coded."
            )
    if as_json:
        report = _json_report(result, comparison, dictionary, errors, coders)
        typer.echo(json.dumps(report, indent=2))
        return
    if coders is not None:
        out.print(scores_table(coders, dictionary.label, what="Second coder"))
    out.print(scores_table(result, dictionary.label))
    if cv is not None:
        out.print(cross_validation_table(survey, coding, gold_codes, cv, seed, dictionary.label))
    if comparison is not None and theme_model is not None:
        out.print(comparison_table(comparison, dictionary.label, theme_model.name))
    if errors > 0:
        out.print(disagreement_table(result, survey, errors, weak_terms(dictionary)))


def _json_report(
    result: Evaluation,
    comparison: ClassifierComparison | None,
    dictionary,  # noqa: ANN001
    errors: int,
    coders: Evaluation | None = None,
) -> dict[str, object]:
    """What --json prints: the scores, the classifier's and a second coder's if given, and the
    first disagreements (response IDs and terms, not the respondents' words)."""
    from sendconsult.evaluate import scores_dict
    from sendconsult.nlp.weak_evidence import decided_by, weak_terms

    labels = {t: dictionary.label(t) for t in result.theme_ids}
    report: dict[str, object] = {"dictionary": scores_dict(result, labels)}
    if comparison is not None:
        report["classifier"] = scores_dict(comparison.classifier, labels)
        report["dictionary_and_classifier"] = scores_dict(comparison.combined, labels)
        report["classifier_threshold"] = comparison.threshold
    if coders is not None:
        report["second_coder"] = scores_dict(coders, labels)
    weak = weak_terms(dictionary)
    report["disagreements"] = [
        {
            "response_id": d.response_id,
            "theme": d.theme_id,
            "kind": d.kind,
            "terms": [
                {
                    "term": m.term,
                    "counts": m.counts,
                    "rule": m.vetoed_by or decided_by(m, _same_answer(m, d.evidence), weak),
                }
                for m in d.evidence
            ],
        }
        for d in result.disagreements[: max(errors, 0)]
    ]
    return report


def scores_table(result: Evaluation, label, what: str = "Dictionary") -> Table:  # noqa: ANN001
    """One row per theme: fits 80 columns with the longest labels of the shipped dictionary."""
    table = Table(
        title=f"{what} against hand-coding ({result.n_responses} responses)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
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
    """F1 per theme of the dictionary, the classifier and both together, then their pooled
    precision, recall and F1: fits 80 columns (per-theme precision and recall are in --json)."""
    table = Table(
        title=(
            f"Dictionary, classifier {name} ({_thresholds(comparison.threshold)}) and the "
            f"dictionary with its suggestions ({comparison.dictionary.n_responses} responses): "
            "F1 by theme"
        ),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
    )
    table.add_column("theme")
    for source in ("dictionary", "classifier", "together"):
        table.add_column(source, justify="right")
    runs = (comparison.dictionary, comparison.classifier, comparison.combined)
    for theme in comparison.dictionary.theme_ids:
        table.add_row(Text(label(theme)), *(score_text(run.per_theme[theme].f1) for run in runs))
    table.add_section()
    table.add_row("micro precision", *(score_text(run.micro.precision) for run in runs))
    table.add_row("micro recall", *(score_text(run.micro.recall) for run in runs))
    table.add_row("micro F1", *(score_text(run.micro.f1) for run in runs))
    table.add_row("macro F1", *(score_text(run.macro_f1) for run in runs))
    return table


def classifier_table(survey, gold, theme_model) -> Table:  # noqa: ANN001
    """The classifier's own codes against hand-coding, on its themes (no dictionary shares them);
    macro-F1 also over the themes with hand-coded support only, as benchmarks define it."""
    import pandas as pd

    from sendconsult.coding import Coding
    from sendconsult.evaluate import evaluate

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
    from sendconsult.evaluate import ClassifierComparison, Evaluation
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


def disagreement_table(
    result: Evaluation,
    survey,  # noqa: ANN001
    limit: int,
    weak: frozenset[tuple[str, str]] = frozenset(),
) -> Group:
    """Each disagreement as a heading line (response, kind, theme) and its evidence indented
    under it: readable at 80 columns, where a four-column table leaves the evidence a word
    wide."""
    from sendconsult.nlp.weak_evidence import decided_by

    parts: list[object] = [
        Text(f"Disagreements (first {limit} of {len(result.disagreements)})", style="italic")
    ]
    for d in result.disagreements[:limit]:
        if d.evidence:
            evidence = "; ".join(
                f"'{m.matched}' (term {m.term}" + (f", {note}" if note else "") + ")"
                for m in d.evidence
                for note in [m.vetoed_by or decided_by(m, _same_answer(m, d.evidence), weak)]
            )
        else:
            texts = survey.texts(d.response_id)
            snippet = " / ".join(texts.values())
            evidence = "no term matched: " + (
                snippet[:160] + "…" if len(snippet) > 160 else snippet
            )
        parts.append(Text.assemble((d.response_id, "bold"), f"  {d.kind}  ", d.theme_id))
        parts.append(Padding(Text(evidence), (0, 0, 0, 4)))
    if not result.disagreements:
        err.print("No disagreements.")
    return Group(*parts)


def _same_answer(match: Match, matches: tuple[Match, ...]) -> list[Match]:
    """The matches found in the same answer as `match` (weak terms are decided per answer)."""
    return [m for m in matches if m.question == match.question]
