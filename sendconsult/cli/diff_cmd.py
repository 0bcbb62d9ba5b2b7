"""`sendconsult diff`: what changed between two reports (before and after a dictionary revision)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from sendconsult.cli.app import app
from sendconsult.cli.common import DebugOpt, guarded, out, set_debug
from sendconsult.writing import write_csv_atomic

if TYPE_CHECKING:  # the core (pandas) is imported when a command runs, not for --help
    from sendconsult.compare import Changes


@app.command("diff")
@guarded
def diff_cli(
    before: Annotated[Path, typer.Argument(help="The earlier report (.xlsx).", show_default=False)],
    after: Annotated[Path, typer.Argument(help="The later report (.xlsx).", show_default=False)],
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write every change to this file: .xlsx (themes and responses) or .csv "
            "(responses).",
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Responses to list on screen (default 20).")
    ] = 20,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Compare two reports' codes: per theme before and after, and every response that changed.

    Example: sendconsult diff report_v1.xlsx report_v2.xlsx --out changes.xlsx
    """
    from sendconsult.coding_record import read_report
    from sendconsult.compare import compare
    from sendconsult.errors import ReportError

    set_debug(debug)
    if out_path is not None:
        if out_path.suffix.lower() not in {".xlsx", ".csv"}:
            raise ReportError(f"--out {out_path.name} must end in .xlsx or .csv.")
        if out_path.exists() and not force:
            raise ReportError(
                f"{out_path} already exists; add --force to replace it, or choose another name."
            )
    changes = compare(read_report(before), read_report(after))
    print_changes(changes, limit=limit)
    if out_path is not None:
        write_changes(changes, out_path)
        out.print(f"Changes written to [bold]{out_path}[/].")


def print_changes(changes: Changes, *, limit: int) -> None:
    """The per-theme table and the first `limit` changed responses."""
    from sendconsult.compare import ADDED

    themes = Table(title=f"Changes since {changes.before}", title_justify="left")
    themes.add_column("theme")
    themes.add_column("before", justify="right")
    themes.add_column("now", justify="right")
    themes.add_column("change", justify="right")
    for c in changes.themes:
        themes.add_row(
            Text(changes.label(c.theme_id)),
            "-" if c.before is None else f"{c.before:,}",
            "-" if c.after is None else f"{c.after:,}",
            f"{c.delta:+,}" if c.delta else "0",
        )
    out.print(themes)
    out.print(f"{changes.changed_responses:,} responses changed theme.")
    if changes.only_before or changes.only_after:
        out.print(
            f"{len(changes.only_before):,} responses are only in the earlier report and "
            f"{len(changes.only_after):,} only in the later one; they were not compared."
        )
    if limit and changes.responses:
        listed = Table(title="Responses that changed", title_justify="left")
        for name in ("response", "theme", "change", "why"):
            listed.add_column(name)
        for c in changes.responses[:limit]:
            listed.add_row(
                Text(c.response_id),
                Text(changes.label(c.theme_id)),
                "added" if c.change == ADDED else "removed",
                Text(c.reason),
            )
        out.print(listed)
        if len(changes.responses) > limit:
            out.print(f"... and {len(changes.responses) - limit:,} more; use --out to list all.")


def write_changes(changes: Changes, path: Path) -> None:
    """Every change to .csv (one row per changed response) or .xlsx (themes and responses)."""
    if path.suffix.lower() == ".csv":
        write_csv_atomic(
            path,
            ["response_id", "theme", "change", "why", "label"],
            (
                [c.response_id, c.theme_id, c.change, c.reason, changes.label(c.theme_id)]
                for c in changes.responses
            ),
        )
        return
    from openpyxl import Workbook

    from sendconsult.report.saving import save_atomic
    from sendconsult.report.workbook import add_table, set_text, write_header

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Themes"
    write_header(sheet, 1, ["theme", "before", "now", "change", "label"])
    for row, c in enumerate(changes.themes, start=2):
        set_text(sheet.cell(row=row, column=1), c.theme_id)
        sheet.cell(row=row, column=2).value = c.before
        sheet.cell(row=row, column=3).value = c.after
        sheet.cell(row=row, column=4).value = c.delta
        set_text(sheet.cell(row=row, column=5), changes.label(c.theme_id))
    add_table(sheet, "Themes", 1, len(changes.themes) + 1, 5)
    sheet = workbook.create_sheet("Responses")
    write_header(sheet, 1, ["response_id", "theme", "change", "why", "label"])
    for row, c in enumerate(changes.responses, start=2):
        values = (c.response_id, c.theme_id, c.change, c.reason, changes.label(c.theme_id))
        for column, value in enumerate(values, 1):
            set_text(sheet.cell(row=row, column=column), value)
    add_table(sheet, "Responses", 1, len(changes.responses) + 1, 5)
    for name, widths in (("Themes", (28, 10, 10, 10, 36)), ("Responses", (22, 28, 10, 70, 36))):
        for index, width in enumerate(widths):
            workbook[name].column_dimensions[chr(65 + index)].width = width
    save_atomic(workbook, path)
