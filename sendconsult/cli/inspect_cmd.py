"""`sendconsult inspect`: show how an export was read, before analysing it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from sendconsult.cli.app import app
from sendconsult.cli.common import (
    ColumnChoices,
    ConfigOpt,
    DebugOpt,
    ExportArg,
    SheetOpt,
    column_options,
    guarded,
    out,
    set_debug,
    show_warnings,
)

if TYPE_CHECKING:  # the core (pandas) is imported when a command runs, not for --help
    from sendconsult.survey import Survey

# By the value of each column role (sendconsult.survey.Role).
ROLE_STYLE = {
    "text": "bold green",
    "group": "bold cyan",
    "closed": "blue",
    "id": "magenta",
    "consent": "yellow",
    "personal": "bold red",
    "metadata": "dim",
    "ignored": "dim",
}


@app.command("inspect")
@guarded
@column_options
def inspect_cli(
    export: ExportArg,
    sheet: SheetOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
    columns: ColumnChoices | None = None,
) -> None:
    """Show how an export is read before analysing it: layout, each column's role and why,
    the respondent groups found and the free-text questions. Nothing is written.

    Example: sendconsult inspect sample_responses/leicester_send_strategy_2019.csv
    """
    from sendconsult.project import open_project

    set_debug(debug)
    survey = open_project(export, config).read_survey(sheet=sheet, columns=columns)
    show_warnings(survey.warnings)
    out.print(summary(survey))
    out.print(columns_table(survey))
    out.print(groups_table(survey))
    out.print(text_table(survey))
    out.print(answers_set_aside(survey))


def summary(survey: Survey) -> Text:
    """File, layout and counts: what an officer checks first against the survey tool."""
    from sendconsult.ingest.layouts import LAYOUT_NAMES

    rows = survey.responses["source_row"]
    sheet = f" (sheet '{survey.sheet}')" if survey.sheet else ""
    text = Text()
    text.append(survey.source.name, style="bold")
    text.append(
        f"{sheet}: {LAYOUT_NAMES[survey.layout]} layout, {survey.n_responses:,} responses "
        f"(spreadsheet rows {rows.min()} to {rows.max()})\n"
    )
    text.append(f"Response IDs: {survey.id_column or 'made from row numbers'}")
    return text


def answers_set_aside(survey: Survey) -> Text:
    """Personal columns, consent choices, and answers left out of the percentages and why."""
    from sendconsult.aggregate import consent_counts, set_aside_summary

    text = Text()
    personal = [c.name for c in survey.columns if c.role == "personal"]
    if personal:
        text.append(
            f"Personal columns (never analysed or shown): {', '.join(personal)}\n", style="red"
        )
    consent = consent_counts(survey)
    if consent:
        text.append(f"Publication consent: {consent}\n")
    text.append(f"Answers set aside: {set_aside_summary(survey) or 'none'}")
    return text


def columns_table(survey: Survey) -> Table:
    """Every column with its role and the reason, so an officer can spot a wrong guess."""
    table = Table(title="Columns", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("column", overflow="fold", max_width=60)
    table.add_column("role")
    table.add_column("why")
    table.add_column("filled", justify="right")
    table.add_column("mean words", justify="right")
    for index, info in enumerate(survey.columns, start=1):
        table.add_row(
            str(index),
            Text(info.name),
            Text(info.role.value, style=ROLE_STYLE[info.role.value]),
            Text(info.reason),
            f"{info.fill_rate:.0%}",
            f"{info.mean_words:.0f}",
        )
    return table


def groups_table(survey: Survey) -> Table:
    """Respondents per group; a respondent ticking two groups counts in both."""
    title = f"Respondent groups ({survey.group_column or 'no group column found'})"
    table = Table(title=Text(title), title_justify="left")
    table.add_column("group", overflow="fold", max_width=70)
    table.add_column("respondents", justify="right")
    counts: dict[str, int] = {}
    for chosen in survey.responses["groups"]:
        for group in chosen or ["Not stated"]:
            counts[group] = counts.get(group, 0) + 1
    for group, count in sorted(counts.items(), key=lambda kv: -kv[1]):
        table.add_row(Text(group), f"{count:,}")
    if survey.other_texts:
        table.caption = f"{len(survey.other_texts):,} respondents typed their own 'Other' group."
        table.caption_justify = "left"
    return table


def text_table(survey: Survey) -> Table:
    """The questions that will be analysed, with how many answered and at what length."""
    table = Table(title="Free-text questions", title_justify="left")
    table.add_column("question", overflow="fold", max_width=70)
    table.add_column("answered", justify="right")
    table.add_column("mean words", justify="right")
    table.add_column("mean characters", justify="right")
    frame = survey.responses
    for question in survey.text_questions:
        answers = [v for v in frame[question] if isinstance(v, str)]
        words = sum(len(a.split()) for a in answers) / len(answers) if answers else 0
        chars = sum(len(a) for a in answers) / len(answers) if answers else 0
        table.add_row(
            Text(question),
            f"{len(answers) / max(1, len(frame)):.0%}",
            f"{words:.0f}",
            f"{chars:.0f}",
        )
    return table
