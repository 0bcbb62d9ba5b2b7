"""`sendconsult analyse`: the themed Excel report by respondent group."""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from sendconsult.cli.advice import warning_text
from sendconsult.cli.app import app
from sendconsult.cli.common import (
    ColumnChoices,
    ConfigOpt,
    DebugOpt,
    JobsOpt,
    ModelOpt,
    SheetOpt,
    ThemesOpt,
    column_options,
    command_line,
    err,
    guarded,
    out,
    set_debug,
    show_warnings,
)
from sendconsult.cli.diff_cmd import print_changes
from sendconsult.cli.progress import new_progress


@app.command("analyse")
@guarded
@column_options
def analyse_cli(
    export: Annotated[
        Path,
        typer.Argument(
            help="The consultation export: CSV or Excel (.xlsx) as downloaded from the survey tool.",
            show_default=False,
        ),
    ],
    themes: ThemesOpt = None,
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Report to write. Default: <export name>_report.xlsx beside the export."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the report if it already exists.")
    ] = False,
    config: ConfigOpt = None,
    model: ModelOpt = None,
    sheet: SheetOpt = None,
    no_redact: Annotated[
        bool,
        typer.Option(
            "--no-redact",
            help="Keep names, e-mails, phone numbers in quotes (internal copies only).",
        ),
    ] = False,
    suppress: Annotated[
        int | None,
        typer.Option(
            "--suppress",
            min=0,
            help="Show counts from 1 up to this number minus one as '<N' (default 5; 0 turns it off).",
        ),
    ] = None,
    internal: Annotated[
        bool,
        typer.Option(
            "--internal",
            help="Add a sheet listing responses whose authors asked not to be published.",
        ),
    ] = False,
    publish: Annotated[
        bool,
        typer.Option(
            "--publish",
            help="A report for publication: without the Coding sheet (one row per respondent, "
            "internal) and without answers to themes raised by too few respondents to count.",
        ),
    ] = False,
    exclude_campaigns: Annotated[
        bool,
        typer.Option(
            "--exclude-campaigns", help="Count each campaign (form letter) once in the figures."
        ),
    ] = False,
    overrides: Annotated[
        Path | None,
        typer.Option(
            "--overrides",
            help="Codes set by hand: a reviewed report (.xlsx, its Coding sheet edited) or a "
            "CSV of response_id, theme, value, note. Applied on every run.",
        ),
    ] = None,
    compare_with: Annotated[
        Path | None,
        typer.Option(
            "--compare",
            help="An earlier report: add a Changes sheet saying what this run changed.",
        ),
    ] = None,
    classifier_path: Annotated[
        Path | None,
        typer.Option(
            "--classifier",
            help="A classifier made by sendconsult train: list the themes it suggests where the "
            "dictionary found none, apart and never counted.",
        ),
    ] = None,
    suggest_threshold: Annotated[
        float | None,
        typer.Option(
            "--suggest-threshold",
            min=0.01,
            max=0.99,
            help="Classifier score from which every theme is suggested (default: each theme's own, chosen in training; some themes never).",
        ),
    ] = None,
    jobs: JobsOpt = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            help="Folder for the parse cache that makes re-runs fast. Default: "
            ".sendconsult-cache beside the export.",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Parse every answer again and keep no cache.")
    ] = False,
    timings_file: Annotated[
        Path | None,
        typer.Option("--timings", hidden=True, help="Write the time of each stage as JSON."),
    ] = None,
    debug: DebugOpt = False,
    columns: ColumnChoices | None = None,
) -> None:
    """Code every response to the themes and write the Excel report.

    Example: sendconsult analyse sample_responses/leicester_send_strategy_2019.csv
    """
    from sendconsult.analysis import AnalysisSettings, default_report_path, run_analysis
    from sendconsult.caches import default_cache_dir
    from sendconsult.coding_record import read_report
    from sendconsult.nlp.pipeline import build_pipeline
    from sendconsult.nlp.workers import default_jobs
    from sendconsult.overrides import load_overrides
    from sendconsult.project import open_project
    from sendconsult.textcat import load_classifier

    set_debug(debug)
    started = time.perf_counter()
    project = open_project(export, config)
    report_path = out_path if out_path is not None else default_report_path(export)
    settings = AnalysisSettings.from_config(
        project.config,
        redact=False if no_redact else None,
        suppression_threshold=suppress,
        internal=internal,
        publish=publish,
        exclude_campaigns=exclude_campaigns,
        command_line=command_line(),
        jobs=jobs or default_jobs(),
        cache_dir=None if no_cache else (cache_dir or default_cache_dir(export)),
        # read before the long work, so a wrong file is reported at once
        overrides=tuple(load_overrides(overrides)) if overrides else None,
        overrides_source=overrides.name if overrides else "",
        compare_with=read_report(compare_with) if compare_with else None,
        classifier=load_classifier(classifier_path) if classifier_path else None,
        suggest_threshold=suggest_threshold,
    )
    settings.check_output(export, report_path, force=force)
    reading = time.perf_counter()
    survey = project.read_survey(sheet=sheet, columns=columns, cache_dir=settings.cache_dir)
    show_warnings(survey.warnings)
    read_seconds = time.perf_counter() - reading
    dictionary = project.dictionary(themes)
    nlp = build_pipeline(model)
    from sendconsult.nlp.engine import count_answers

    with new_progress() as progress:
        coding_task = progress.add_task(
            "Coding answers", total=count_answers(survey, nlp.max_length)
        )
        score_progress = None
        if settings.classifier is not None:
            scoring = progress.add_task("Classifier", total=int(survey.has_text().sum()))
            score_progress = functools.partial(progress.advance, scoring)
        result = run_analysis(
            survey,
            dictionary,
            nlp,
            settings,
            report_path,
            progress=functools.partial(progress.advance, coding_task),
            score_progress=score_progress,
        )
    _print_summary(result, report_path, time.perf_counter() - started)
    from sendconsult.aggregate import set_aside_summary

    set_aside = set_aside_summary(survey)
    if set_aside:
        out.print(Text(f"Answers set aside: {set_aside}."))
    if result.changes is not None:
        print_changes(result.changes, limit=10)
    if timings_file is not None:
        stages = {"read": read_seconds, **result.timings}
        from sendconsult.writing import write_text_atomic

        write_text_atomic(timings_file, json.dumps(stages, indent=1), private=False)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _print_summary(result, report_path: Path, seconds: float) -> None:  # noqa: ANN001
    summary = result.summary
    table = Table(title="Summary", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("Responses", f"{summary.responses:,}")
    table.add_row("With free text", f"{summary.with_text:,}")
    table.add_row("Coded to at least one theme", f"{summary.coded_pct:.1%} of those with free text")
    if summary.campaigns:
        table.add_row(
            "Campaigns (form letters)",
            f"{summary.campaigns} ({summary.campaign_responses} responses)",
        )
    if result.overrides is not None:
        applied = result.overrides.applied
        table.add_row(
            "Officer overrides applied",
            f"{len(applied):,} ({sum(a.changed for a in applied):,} changed a code)",
        )
    if result.suggestions is not None:
        suggested = result.suggestions
        table.add_row(
            f"Suggested by {suggested.model_name} (not counted)",
            f"{_count(suggested.n_codes, 'theme')} for {_count(suggested.n_responses, 'response')}",
        )
    out.print(table)
    top = Table(title="Top themes", title_justify="left")
    top.add_column("theme")
    top.add_column("respondents", justify="right")
    top.add_column("%", justify="right")
    for label, count, pct in summary.top_themes[:5]:
        top.add_row(Text(label), f"{count:,}", f"{pct:.1%}")
    out.print(top)
    out.print(f"Report written to [bold]{report_path}[/] in {seconds:.1f} s.")
    for warning in result.warnings:
        err.print(Text(f"Warning: {warning_text(warning)}", style="yellow"))
