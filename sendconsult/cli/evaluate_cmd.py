"""`sendconsult evaluate`: score the dictionary against officers' hand-coding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Group
from rich.padding import Padding
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
from sendconsult.coding import Match
from sendconsult.evaluate import (
    ClassifierComparison,
    Evaluation,
    compare_with_classifier,
    evaluate,
    load_gold,
    scores_dict,
)
from sendconsult.nlp import build_pipeline
from sendconsult.textcat import load_classifier
from sendconsult.weak_evidence import decided_by, weak_terms


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
    sheet: SheetOpt = None,
    config: ConfigOpt = None,
    id_column: IdColumnOpt = None,
    group_column: GroupColumnOpt = None,
    text_column: TextColumnOpt = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the scores as JSON (per theme, micro and macro; the first --errors "
            "disagreements with their terms) instead of tables.",
        ),
    ] = False,
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
    comparison = None
    if theme_model is not None:
        scores = theme_model.score(survey)
        chosen = theme_model.threshold_or_own(threshold)
        comparison = compare_with_classifier(coding, scores, gold_codes, chosen)
    if as_json:
        typer.echo(json.dumps(_json_report(result, comparison, dictionary, errors), indent=2))
        return
    out.print(scores_table(result, dictionary.label))
    if comparison is not None and theme_model is not None:
        out.print(comparison_table(comparison, dictionary.label, theme_model.name))
    if errors > 0:
        out.print(disagreement_table(result, survey, errors, weak_terms(dictionary)))


def _json_report(
    result: Evaluation,
    comparison: ClassifierComparison | None,
    dictionary,  # noqa: ANN001
    errors: int,
) -> dict[str, object]:
    """What --json prints: the scores, the classifier's if given, and the first disagreements
    (response IDs and terms, not the respondents' words)."""
    labels = {t: dictionary.label(t) for t in result.theme_ids}
    report: dict[str, object] = {"dictionary": scores_dict(result, labels)}
    if comparison is not None:
        report["classifier"] = scores_dict(comparison.classifier, labels)
        report["dictionary_and_classifier"] = scores_dict(comparison.combined, labels)
        report["classifier_threshold"] = comparison.threshold
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


def scores_table(result: Evaluation, label) -> Table:  # noqa: ANN001
    """One row per theme: fits 80 columns with the longest labels of the shipped dictionary."""
    table = Table(
        title=f"Dictionary against hand-coding ({result.n_responses} responses)",
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
    """Precision, recall and F1 of the dictionary, the classifier, and both together."""
    table = Table(
        title=(
            f"Dictionary, classifier {name} (score {comparison.threshold:.2f} or more) and both "
            f"together ({comparison.dictionary.n_responses} responses)"
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


def disagreement_table(
    result: Evaluation,
    survey,  # noqa: ANN001
    limit: int,
    weak: frozenset[tuple[str, str]] = frozenset(),
) -> Group:
    """Each disagreement as a heading line (response, kind, theme) and its evidence indented
    under it: readable at 80 columns, where a four-column table leaves the evidence a word
    wide."""
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
