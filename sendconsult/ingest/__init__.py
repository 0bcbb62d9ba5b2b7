"""Reading a consultation export into a normalised `Survey`.

    file --readers--> grid of strings --layouts--> one header + rows --rows--> clean cells
         --assign (roles)--> what each column holds --build--> Survey

Officer choices win over detection: command-line flags, then the project config, then what the
values say. Every decision is recorded in `Survey.columns` so `inspect` and the report can show it.
"""

from __future__ import annotations

from pathlib import Path

from sendconsult.errors import ExportError
from sendconsult.ingest.assign import assign_roles, list_headers
from sendconsult.ingest.build import build_survey
from sendconsult.ingest.layouts import LAYOUT_NAMES, detect_layout
from sendconsult.ingest.options import IngestOptions
from sendconsult.ingest.readers import read_grid
from sendconsult.ingest.roles import column_stats
from sendconsult.ingest.rows import tidy_rows
from sendconsult.limits import DEFAULT_LIMITS
from sendconsult.memory import cycle_collection_paused
from sendconsult.survey import Role, Survey

__all__ = ["LAYOUT_NAMES", "IngestOptions", "load_survey"]


def load_survey(path: Path, options: IngestOptions | None = None) -> Survey:
    """Read an export file into a Survey, or raise an error that says what to do.

    Raises ExportError (the file cannot be read or has no responses or free text) and
    ColumnError (a column named by a flag or the config is not in the file).

    Python's cycle collector is paused meanwhile: reading makes hundreds of thousands of lists
    and strings but no reference cycles, and each collection would walk all of them again.
    """
    with cycle_collection_paused():
        return _load(path, options)


def _load(path: Path, options: IngestOptions | None) -> Survey:
    options = options or IngestOptions()
    path = Path(path)
    limits = options.config.limits if options.config is not None else DEFAULT_LIMITS
    grid = read_grid(path, options.sheet, limits)
    layout = detect_layout(grid.rows)
    if not layout.headers:
        raise ExportError(
            f"{path.name} has no column headings; export the responses again with headings."
        )
    rows = tidy_rows(layout)
    if not rows.numbers:
        raise ExportError(
            f"{path.name} has column headings but no responses; check it is the full export, "
            "downloaded after responses came in."
        )
    stats = {
        h: column_stats(rows.column(i), layout.separator) for i, h in enumerate(layout.headers)
    }
    columns = {h: rows.column(i) for i, h in enumerate(layout.headers)}
    roles = assign_roles(path, layout, columns, stats, options)
    if not any(role is Role.TEXT for role, _ in roles.values()):
        raise ExportError(
            f"No free-text column was found in {path.name} "
            f"(columns are: {list_headers(layout.headers)}).",
            fix="text-column",
        )
    survey = build_survey(path, layout, rows, roles, stats, options.config, options.cache_dir)
    survey.sheet = grid.sheet
    if layout.placeholders:
        survey.warnings.append(
            f"Row {layout.first_data_row - 2} holds numbered headings "
            f"({', '.join(layout.placeholders[:3])}, ...) and row {layout.first_data_row - 1} "
            "the question texts, which were used as the headings; responses start at row "
            f"{layout.first_data_row}."
        )
    if options.include_other_languages is not None:
        survey.include_other_languages = options.include_other_languages
    survey.warnings[:0] = grid.warnings
    return survey
