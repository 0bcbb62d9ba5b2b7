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
    load_export,
    load_themes,
    out,
    set_debug,
    usage_error,
)
from sendconsult.errors import ColumnError

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
    from sendconsult.nlp.engine import NEGATION_RULE, ThemeClassifier
    from sendconsult.nlp.pipeline import build_pipeline
    from sendconsult.nlp.weak_evidence import weak_terms

    set_debug(debug)
    if (text is None) == (response_id is None):
        usage_error(
            "give either a TEXT or --id RESPONSE_ID with --export FILE; see sendconsult "
            "explain --help."
        )
    dictionary = load_themes(themes, export)
    nlp = build_pipeline(model)
    classifier = ThemeClassifier(dictionary, nlp)
    if text is not None:
        answers = {"text": text}
    else:
        if export is None:
            usage_error("--id needs --export FILE to find the response in.")
        survey = load_export(export, sheet=sheet, config=config, columns=columns)
        answers = survey.texts(response_id)  # type: ignore[arg-type]
        if not answers and response_id not in set(survey.responses["response_id"]):
            raise ColumnError(
                f"Response ID '{response_id}' is not in {export.name}; copy it from the "
                "response_id column of the report's Coding sheet."
            )
    coded: set[str] = set()
    weak = weak_terms(dictionary)
    negated = False
    for question, answer in answers.items():
        doc = nlp(answer)
        matches = classifier.match_doc(doc, question)
        coded.update(m.theme_id for m in matches if m.counts)
        negated = negated or any((m.vetoed_by or "").startswith("negation") for m in matches)
        if text is None:
            out.print(f"\n[bold]{question}[/]")
        out.print(_highlighted(answer, matches))
        out.print(_token_table(doc))
        out.print(_match_table(matches, dictionary.label, weak))
    if not answers:
        out.print("This response has no free-text answers.")
    result = ", ".join(dictionary.label(t) for t in dictionary.theme_ids if t in coded)
    out.print(f"\n[bold]Themes:[/] {result or 'none'}")
    if negated:
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
