"""`sendconsult themes ...`: check a dictionary, see what its terms catch, import others."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from sendconsult.cli.advice import with_advice
from sendconsult.cli.app import themes_app
from sendconsult.cli.common import (
    EXIT_USER_ERROR,
    ColumnChoices,
    ConfigOpt,
    DebugOpt,
    ExportArg,
    ModelOpt,
    SheetOpt,
    ThemesOpt,
    column_options,
    err,
    guarded,
    out,
    set_debug,
    show_warnings,
    usage_error,
)
from sendconsult.cli.progress import parse_progress
from sendconsult.errors import DictionaryError, ReportError


@themes_app.command("check")
@guarded
@column_options
def check_cli(
    dictionary_file: Annotated[
        Path,
        typer.Argument(metavar="DICT", help="The theme dictionary to check.", show_default=False),
    ],
    export: Annotated[
        Path | None,
        typer.Argument(
            help="Optional export: show how many responses each term hits.", show_default=False
        ),
    ] = None,
    kwic_term: Annotated[
        str | None,
        typer.Option(
            "--kwic", help="Show every place one term matches, in context (needs EXPORT)."
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="How many top terms to list per theme.")] = 5,
    model: ModelOpt = None,
    sheet: SheetOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
    columns: ColumnChoices | None = None,
) -> None:
    """Validate a theme dictionary; with an export, show top and dead terms, or --kwic TERM.

    Example: sendconsult themes check models/send_strategy_themes.yaml sample_responses/leicester_send_strategy_2019.csv
    """
    from sendconsult.nlp.pipeline import build_pipeline, tokens
    from sendconsult.project import code_survey, open_project
    from sendconsult.themes.loader import read_dictionary
    from sendconsult.themes.validate import check_dictionary, common_word_stems, unmatchable_terms

    set_debug(debug)
    if kwic_term is not None and export is None:
        usage_error("--kwic needs an EXPORT to search; see sendconsult themes check --help.")
    dictionary, problems = read_dictionary(dictionary_file)
    if dictionary is None:  # nothing usable: every problem is an error, on stderr
        for problem in problems:
            where = f"line {problem.line}: " if problem.line else ""
            err.print(Text(f"Error: {dictionary_file.name} {where}{problem.message}", style="red"))
        raise typer.Exit(EXIT_USER_ERROR)
    if kwic_term is not None:
        _check_kwic_term(dictionary, dictionary_file, kwic_term)
    nlp = build_pipeline(model)
    issues = sorted(
        [
            *problems,
            *check_dictionary(dictionary),
            *common_word_stems(dictionary),
            *unmatchable_terms(dictionary, lambda t: tokens(nlp, t)),
        ],
        key=lambda i: (i.line or 0, i.level != "error"),
    )
    n_terms = sum(len(t.terms) + len(t.weak) for t in dictionary.themes)
    out.print(
        f"[bold]{dictionary_file.name}[/]: {len(dictionary.top_level)} themes, "
        f"{len(dictionary.themes) - len(dictionary.top_level)} sub-themes, {n_terms} terms."
    )
    _print_issues(dictionary_file, issues)
    if any(i.level == "error" for i in issues):
        if export is not None:
            err.print("Fix the errors above, then check again to see what the terms catch.")
        raise typer.Exit(EXIT_USER_ERROR)
    if export is None:
        return
    survey = open_project(export, config).read_survey(sheet=sheet, columns=columns)
    show_warnings(survey.warnings)
    coding = code_survey(survey, dictionary, nlp=nlp, progress=parse_progress).coding
    if kwic_term:
        _print_kwic(survey, coding, kwic_term)
    else:
        _print_term_hits(dictionary, coding, top, survey.n_responses)


def _print_issues(dictionary_file: Path, issues) -> None:  # noqa: ANN001
    """Every problem, one line each, errors in red and warnings in yellow."""
    for issue in issues:
        where = f"line {issue.line}: " if issue.line else ""
        style = "red" if issue.level == "error" else "yellow"
        out.print(
            Text(
                f"{issue.level.capitalize()}: {dictionary_file.name} {where}"
                f"{with_advice(issue.message, issue.fix)}",
                style=style,
            )
        )
    if not issues:
        out.print("[green]No problems found.[/]")


def _check_kwic_term(dictionary, dictionary_file: Path, term: str) -> None:  # noqa: ANN001
    """--kwic takes a term as the dictionary writes it; say so at once if it is not one."""
    import difflib

    written = {
        t.text.lower(): t.text for theme in dictionary.themes for t in [*theme.terms, *theme.weak]
    }
    if term.strip().lower() in written:
        return
    close = difflib.get_close_matches(term.strip().lower(), list(written), n=3, cutoff=0.6)
    hint = (
        "did you mean " + " or ".join(f"'{written[c]}'" for c in close) + "?"
        if close
        else "give a term exactly as the dictionary writes it, e.g. 'taxi*'."
    )
    raise DictionaryError(f"'{term}' is not a term of {dictionary_file.name}; {hint}")


def _print_term_hits(dictionary, coding, top: int, n_responses: int) -> None:  # noqa: ANN001
    from sendconsult.nlp.term_stats import term_hits

    hits = term_hits(dictionary, coding)
    table = Table(title=f"What the terms catch ({n_responses} responses)", title_justify="left")
    table.add_column("theme")
    table.add_column("responses", justify="right")
    table.add_column("top terms (responses)")
    table.add_column("dead terms (no hits)")
    for theme in dictionary.themes:
        mine = [h for h in hits if h.theme_id == theme.id]
        best = sorted((h for h in mine if h.responses), key=lambda h: -h.responses)[:top]
        dead = [h.term for h in mine if h.responses == 0]
        coded = len(coding.coded_ids(theme.id)) if theme.id in coding.theme_ids else None
        table.add_row(
            Text(theme.label if theme.parent is None else f"  {theme.label}"),
            "" if coded is None else str(coded),
            Text(", ".join(f"{h.term} ({h.responses})" for h in best)),
            Text(", ".join(dead)),
        )
    out.print(table)


def _print_kwic(survey, coding, term: str) -> None:  # noqa: ANN001
    from sendconsult.nlp.term_stats import kwic

    lines = kwic(survey, coding, term)
    if not lines:
        err.print(
            f"The term '{term}' matches nothing in this export (check its spelling as in the dictionary)."
        )
        return
    table = Table(title=f"'{term}' in context ({len(lines)} matches)", title_justify="left")
    table.add_column("response")
    table.add_column("left", justify="right", overflow="fold")
    table.add_column("keyword", style="bold")
    table.add_column("right", overflow="fold")
    table.add_column("counts?")
    for line in lines:
        table.add_row(
            line.response_id,
            Text(line.left),
            Text(line.keyword),
            Text(line.right),
            Text(
                "yes" if line.counts else f"no ({line.vetoed_by})",
                style="green" if line.counts else "red",
            ),
        )
    out.print(table)


@themes_app.command("import")
@guarded
def import_cli(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A LIWC .dic/.dicx, WordStat .cat, quanteda YAML, or two-column CSV/XLSX dictionary.",
            show_default=False,
        ),
    ],
    out_file: Annotated[
        Path, typer.Option("--out", help="The YAML theme dictionary to write.", show_default=False)
    ],
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Convert another tool's dictionary into a sendconsult theme dictionary (YAML).

    Example: sendconsult themes import send_categories.cat --out models/imported_themes.yaml
    """
    from sendconsult.themes.importers import import_dictionary
    from sendconsult.themes.writer import dump_yaml
    from sendconsult.writing import write_text_atomic

    set_debug(debug)
    if out_file.exists() and not force:
        raise ReportError(
            f"{out_file} already exists; choose another --out or add --force to replace it."
        )
    dictionary, issues = import_dictionary(source)
    write_text_atomic(out_file, dump_yaml(dictionary), private=False)
    for issue in issues:
        err.print(Text(f"Skipped: {issue.message}", style="yellow"))
    n_terms = sum(len(t.terms) for t in dictionary.themes)
    out.print(
        f"Wrote {out_file} with {len(dictionary.themes)} themes and {n_terms} terms from {source.name}."
    )


@themes_app.command("suggest")
@guarded
@column_options
def suggest_cli(
    export: ExportArg,
    themes: ThemesOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Suggestions per list.")] = 10,
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Also write the suggestions: .yaml (a snippet to paste into the dictionary) or "
            ".xlsx (with counts and examples).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
    model: ModelOpt = None,
    sheet: SheetOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
    columns: ColumnChoices | None = None,
) -> None:
    """Suggest new terms: phrases common in uncoded responses, and phrases that go with a theme.

    Example: sendconsult themes suggest sample_responses/leicester_send_strategy_2019.csv --out suggestions.yaml
    """
    from sendconsult.project import code_survey, open_project
    from sendconsult.suggest import suggest_terms

    set_debug(debug)
    if out_path is not None:
        if out_path.suffix.lower() not in {".yaml", ".yml", ".xlsx"}:
            raise ReportError(f"--out {out_path.name} must end in .yaml or .xlsx.")
        if out_path.exists() and not force:
            raise ReportError(
                f"{out_path} already exists; add --force to replace it, or choose another name."
            )
    project = open_project(export, config)
    survey = project.read_survey(sheet=sheet, columns=columns)
    show_warnings(survey.warnings)
    dictionary = project.dictionary(themes)
    coded = code_survey(survey, dictionary, model=model, progress=parse_progress)
    suggestions = suggest_terms(survey, coded.coding, coded.classifier, top=top)
    _print_suggestions("Common in responses no theme caught", suggestions.uncoded)
    for theme_id, found in suggestions.by_theme.items():
        if found:
            _print_suggestions(f"Goes with {dictionary.label(theme_id)} ({theme_id})", found)
    if out_path is not None:
        from sendconsult.report.suggestions import write_suggestions

        write_suggestions(out_path, suggestions, dictionary)
        out.print(f"Suggestions written to [bold]{out_path}[/].")


def _print_suggestions(title: str, found) -> None:  # noqa: ANN001
    table = Table(title=title, title_justify="left")
    table.add_column("phrase")
    table.add_column("responses", justify="right")
    table.add_column("lift", justify="right")
    table.add_column("example")
    for s in found:
        table.add_row(Text(s.phrase), f"{s.responses:,}", f"{s.lift:.1f}", Text(s.example[:120]))
    if not found:
        table.add_row("(none)", "", "", "")
    out.print(table)
