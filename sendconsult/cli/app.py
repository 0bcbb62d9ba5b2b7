"""The Typer application objects. Command modules register themselves on these."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="sendconsult",
    help=(
        "Theme analysis of public consultation responses, offline, into an Excel report.\n\n"
        "Example: sendconsult analyse sample_responses/leicester_send_strategy_2019.csv"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

themes_app = typer.Typer(
    help=(
        "Check, import and improve theme dictionaries.\n\n"
        "Example: sendconsult themes check models/send_strategy_themes.yaml"
    ),
    no_args_is_help=True,
)
app.add_typer(themes_app, name="themes")
