"""`sendconsult explain`: show why a text gets the themes it gets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
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
    guarded,
    out,
    set_debug,
    show_warnings,
    usage_error,
)

if TYPE_CHECKING:  # the core (spaCy, pandas) is imported when a command runs, not for --help
    from sendconsult.coding import Match


@app.command("explain")
@guarded
@column_options
def explain_cli(
    text: Annotated[
        str | None,
        typer.Argument(help="The text to explain (or use --id with --export).", show_default=False),
    ] = None,
    response_id: Annotated[
        str | None, typer.Option("--id", help="A response ID to explain, from --export.")
    ] = None,
    export: Annotated[
        Path | None, typer.Option("--export", help="The export holding the response given by --id.")
    ] = None,
    themes: ThemesOpt = None,
    model: ModelOpt = None,
    sheet: SheetOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
    columns: ColumnChoices | None = None,
) -> None:
    """Show the tokens, lemmas, every dictionary match, negations and the resulting themes.

    Example: sendconsult explain "No problems with transport but we need respite"
    """
    from sendconsult.nlp.engine import NEGATION_RULE
    from sendconsult.nlp.pipeline import build_pipeline
    from sendconsult.nlp.weak_evidence import weak_terms
    from sendconsult.project import answers_of, explain_answers, open_project

    set_debug(debug)
    if (text is None) == (response_id is None):
        usage_error(
            "give either a TEXT or --id RESPONSE_ID with --export FILE; see sendconsult "
            "explain --help."
        )
    if response_id is not None and export is None:
        usage_error("--id needs --export FILE to find the response in.")
    project = open_project(export, config)  # the dictionary analyse would use on this export
    dictionary = project.dictionary(themes)
    nlp = build_pipeline(model)
    if text is not None:
        answers = {"text": text}
    else:
        survey = project.read_survey(sheet=sheet, columns=columns)
        show_warnings(survey.warnings)
        answers = answers_of(survey, response_id)  # type: ignore[arg-type]
    explanation = explain_answers(answers, dictionary, nlp)
    weak = weak_terms(dictionary)
    for explained in explanation:
        if text is None:
            out.print(f"\n[bold]{explained.question}[/]")
        out.print(_highlighted(explained.answer, explained.matches))
        out.print(_token_table(explained.doc))
        out.print(_match_table(explained.matches, dictionary.label, weak))
    if not answers:
        out.print("This response has no free-text answers.")
    result = ", ".join(dictionary.label(t) for t in explanation.themes)
    out.print(f"\n[bold]Themes:[/] {result or 'none'}")
    if explanation.negated:
        out.print(f"\n[dim]Negation rule: {NEGATION_RULE}[/]")


def _highlighted(answer: str, matches: list[Match]) -> Text:
    text = Text(answer)
    for m in matches:
        text.stylize("bold green" if m.counts else "strike red", m.start, m.end)
    return text


def _token_table(doc) -> Table:  # noqa: ANN001 - a spaCy Doc
    table = Table(title="Tokens", show_lines=False, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("token")
    table.add_column("lemma")
    table.add_column("sentence starts")
    for token in doc:
        table.add_row(
            str(token.i),
            Text(token.text),
            Text(token.lemma_),
            "yes" if token.is_sent_start else "",
        )
    return table


def _match_table(
    matches: list[Match],
    label,  # noqa: ANN001
    weak: frozenset[tuple[str, str]],
) -> Table:
    from sendconsult.nlp.weak_evidence import decided_by

    table = Table(title="Dictionary matches", title_justify="left")
    for column in ("theme", "term", "matched", "counts?"):
        table.add_column(column)
    for m in matches:
        rule = decided_by(m, matches, weak)
        verdict = (
            Text(f"yes ({rule})" if rule else "yes", style="green")
            if m.counts
            else Text(f"no ({m.vetoed_by})", style="red")
        )
        table.add_row(Text(label(m.theme_id)), Text(m.term), Text(m.matched), verdict)
    if not matches:
        table.add_row("-", "no dictionary term found", "", "")
    return table
