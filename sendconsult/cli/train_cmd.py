"""`sendconsult train`: a theme classifier from hand-coded responses, to suggest what the
dictionary misses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sendconsult.cli.app import app
from sendconsult.cli.common import (
    ColumnChoices,
    ConfigOpt,
    DebugOpt,
    SheetOpt,
    column_options,
    guarded,
    out,
    score_text,
    set_debug,
    show_warnings,
    warn,
)
from sendconsult.cli.progress import new_progress, parse_progress
from sendconsult.errors import GoldError


@app.command("train")
@guarded
@column_options
def train_cli(
    coded: Annotated[
        Path,
        typer.Argument(
            help="Hand-coded responses: response_id + one 0/1 column per theme id (CSV), or a "
            "reviewed report (.xlsx) whose Coding sheet holds the codes.",
            show_default=False,
        ),
    ],
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="Folder to write the classifier to, e.g. models/my_classifier."),
    ],
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help="The consultation export holding the coded responses' answers. Default, for a "
            "report: the export it was made from, beside it.",
        ),
    ] = None,
    themes: Annotated[
        Path | None,
        typer.Option(
            "--themes",
            help="The dictionary the classifier will work beside, to learn when its suggestions "
            "help (default: the config's, else the shipped one, if its theme ids are code "
            "columns). The code columns are the labels whatever it holds.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the folds and training.")] = 0,
    folds: Annotated[
        int,
        typer.Option("--folds", min=2, max=20, help="Cross-validation folds that choose the model."),
    ] = 5,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the classifier folder if it exists.")
    ] = False,
    sheet: SheetOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
    columns: ColumnChoices | None = None,
) -> None:
    """Train a classifier that suggests themes the dictionary missed; prints its cross-validated scores.

    Example: sendconsult train sample_responses/hand_coded_dev.csv --export sample_responses/leicester_send_strategy_2019.csv --out models/send_strategy_classifier
    """
    from sendconsult.evaluate import load_gold
    from sendconsult.project import code_survey, open_project
    from sendconsult.training import TrainingSettings, save_classifier, steps, train, training_data

    set_debug(debug)
    if export is None:
        export = export_of_report(coded)
    settings = TrainingSettings(seed=seed, folds=folds)
    gold = load_gold(coded)
    project = open_project(export, config)
    survey = project.read_survey(sheet=sheet, columns=columns)
    show_warnings(survey.warnings)
    data = training_data(survey, gold)
    dictionary = project.dictionary(themes)
    shared = [t for t in data.themes if t in dictionary.theme_ids]
    if data.missing_ids:
        warn(
            f"{len(data.missing_ids)} responses of {coded.name} are not in {export.name} "
            f"(first: {data.missing_ids[0]}); they were left out."
        )
    if data.without_text:
        warn(f"{len(data.without_text)} coded responses have no free text; they were left out.")
    for theme, n in data.rare_themes.items():
        warn(
            f"Only {n} coded {'response raises' if n == 1 else 'responses raise'} {theme}; the "
            "classifier cannot learn it well. Code more responses that raise it."
        )
    dictionary_codes = None
    if shared:
        dictionary_codes = code_survey(survey, dictionary, progress=parse_progress).coding.codes
        others = [t for t in data.themes if t not in shared]
        if others:
            warn(
                f"{dictionary.name} has no theme {', '.join(others)}; the classifier suggests "
                "those at its own thresholds."
            )
    elif themes is not None:
        warn(
            f"{dictionary.name} has none of the themes of {coded.name}; the classifier is "
            "trained on the code columns alone and suggests at its own thresholds."
        )
    labels = {t: dictionary.label(t) for t in shared}
    with new_progress() as progress:
        total = steps(settings, len(data.examples))
        task = progress.add_task("Cross-validating, then training", total=total)
        result = train(
            data,
            settings,
            dictionary_codes=dictionary_codes,
            dictionary=(dictionary.name, dictionary.sha256),
            labels=labels,
            trained_on=coded.name,
            progress=lambda: progress.advance(task),
        )
    save_classifier(result, out_dir, export=export.name, force=force)
    out.print(scores_table(result))
    if result.info.combined:
        out.print(combination_table(result))
    info = result.info
    if info.never_predicted:
        warn(
            "In cross-validation no threshold coded these themes right, so the classifier never "
            f"codes them: {', '.join(info.never_predicted)}."
        )
    out.print(
        f"Trained on {info.n_train} responses; chosen by {info.folds}-fold cross-validation: "
        f"C {info.c:g}, a threshold per theme"
        + (", its best theme where none passes" if info.at_least_one else "")
        + f". Saved to {out_dir}."
    )
    out.print(
        "These scores are cross-validated on the responses it was trained on; score it on "
        f"responses it has never seen with: sendconsult evaluate EXPORT --gold OTHER_CODES.csv "
        f"--classifier {out_dir}"
    )


def scores_table(result) -> Table:  # noqa: ANN001 - TrainingResult
    info = result.info
    table = Table(
        title=f"Classifier alone, {info.folds}-fold cross-validated ({info.n_train} responses)",
        title_justify="left",
    )
    for column in ("theme", "threshold", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "theme" else "right")
    for theme, counts in result.per_theme.items():
        threshold = info.thresholds.get(theme)
        table.add_row(
            theme,
            "never" if threshold is None else f"{threshold:.2f}",
            score_text(counts.precision),
            score_text(counts.recall),
            score_text(counts.f1),
            str(counts.support),
        )
    micro = result.micro
    table.add_section()
    table.add_row(
        "micro average",
        "",
        score_text(micro.precision),
        score_text(micro.recall),
        score_text(micro.f1),
        str(micro.support),
    )
    table.add_row("macro F1 (themes coded)", "", "", "", score_text(info.macro_f1), "")
    return table


def combination_table(result) -> Table:  # noqa: ANN001 - TrainingResult
    """Per theme: the dictionary's cross-validated F1, with suggestions, and the rule chosen."""
    info = result.info
    table = Table(
        title="Suggestions beside the dictionary, cross-validated (F1)", title_justify="left"
    )
    for column in ("theme", "suggested from", "dictionary", "with suggestions"):
        table.add_column(column, justify="left" if column == "theme" else "right")
    for theme, scores in info.combined.items():
        rule = info.suggest_thresholds.get(theme)
        table.add_row(
            theme,
            "never" if rule is None else f"{rule:.2f}",
            score_text(scores["dictionary"]["f1"]),
            score_text(scores["with_suggestions"]["f1"]),
        )
    return table


def export_of_report(coded: Path) -> Path:
    """The export a report was made from (its Method sheet names it), beside the report."""
    if coded.suffix.lower() not in {".xlsx", ".xlsm"}:
        raise GoldError(
            f"{coded.name} holds codes but not the answers; add --export with the consultation "
            "export they come from."
        )
    from sendconsult.coding_record import export_named_in_report

    name = export_named_in_report(coded)
    candidate = coded.with_name(name) if name else None
    if candidate is None or not candidate.exists():
        raise GoldError(
            f"The export {name or 'that ' + coded.name + ' was made from'} was not found beside "
            f"{coded.name}; add --export with the consultation export."
        )
    return candidate
