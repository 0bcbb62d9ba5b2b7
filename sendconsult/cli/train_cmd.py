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
    ThemesOpt,
    column_options,
    guarded,
    load_export,
    load_themes,
    out,
    resolve_config,
    score_text,
    set_debug,
    warn,
)
from sendconsult.cli.progress import new_progress
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
        typer.Option("--out", help="Folder to write the classifier to, e.g. models/my_textcat."),
    ],
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help="The consultation export holding the coded responses' answers. Default, for a "
            "report: the export it was made from, beside it.",
        ),
    ] = None,
    themes: ThemesOpt = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the split and training.")] = 0,
    held_out: Annotated[
        float,
        typer.Option(
            "--held-out",
            min=0.05,
            max=0.5,
            help="Share of the coded responses held out to score on.",
        ),
    ] = 0.2,
    max_epochs: Annotated[
        int, typer.Option("--max-epochs", min=1, help="Most passes over the training data.")
    ] = 40,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the classifier folder if it exists.")
    ] = False,
    sheet: SheetOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
    columns: ColumnChoices | None = None,
) -> None:
    """Train a classifier that suggests themes the dictionary missed; prints its held-out scores.

    Example: sendconsult train sample_responses/hand_coded_dev.csv --export sample_responses/leicester_send_strategy_2019.csv --out models/send_strategy_textcat
    """
    from sendconsult.evaluate import load_gold
    from sendconsult.training import TrainingSettings, save_classifier, train, training_data

    set_debug(debug)
    if export is None:
        export = export_of_report(coded)
    settings = TrainingSettings(seed=seed, validation_share=held_out, max_epochs=max_epochs)
    gold = load_gold(coded)
    project_config = resolve_config(export, config)
    survey = load_export(
        export,
        sheet=sheet,
        columns=columns,
        project_config=project_config,
    )
    dictionary = load_themes(themes, export, project_config)
    data = training_data(survey, gold, list(dictionary.theme_ids))
    unknown = [c for c in gold.columns if c not in dictionary.theme_ids]
    if unknown:
        warn(
            f"Columns of {coded.name} that are not themes of {dictionary.name} were left out: "
            f"{', '.join(unknown)}; give the dictionary they come from with --themes."
        )
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
    with new_progress() as progress:
        task = progress.add_task("Training", total=settings.max_epochs)

        def advance(epoch: int, f1: float) -> None:
            progress.update(
                task, completed=epoch, description=f"Training (held-out micro-F1 {f1:.2f})"
            )

        result = train(data, settings, trained_on=coded.name, progress=advance)
        progress.update(task, completed=settings.max_epochs)
    save_classifier(result, out_dir, export=export.name, force=force)
    out.print(scores_table(result))
    info = result.info
    out.print(
        f"Trained on {info.n_train} responses, scored on {info.n_validation} held out; "
        f"{info.epochs} epochs, the best was epoch {info.best_epoch}. Saved to {out_dir}."
    )
    out.print(
        "These scores are on the held-out responses that chose when to stop; score it on "
        f"responses it has never seen with: sendconsult evaluate EXPORT --gold OTHER_CODES.csv "
        f"--classifier {out_dir}"
    )


def scores_table(result) -> Table:  # noqa: ANN001 - TrainingResult
    table = Table(
        title=f"Classifier on its held-out responses ({result.info.n_validation})",
        title_justify="left",
    )
    for column in ("theme", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "theme" else "right")
    for theme, counts in result.per_theme.items():
        table.add_row(
            theme,
            score_text(counts.precision),
            score_text(counts.recall),
            score_text(counts.f1),
            str(counts.support),
        )
    micro = result.micro
    table.add_section()
    table.add_row(
        "micro average",
        score_text(micro.precision),
        score_text(micro.recall),
        score_text(micro.f1),
        str(micro.support),
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
