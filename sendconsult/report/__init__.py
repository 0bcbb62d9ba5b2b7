"""The Excel report: what goes in it and writing it safely.

Sheets, in order: Summary, By group, Closed questions, Crosstabs, one sheet per theme, Uncoded, Coding
(internal: not in a report for publication), Changes (only with --compare), Method (and
"Withheld (internal)" only with --internal). Numbers, and which of them may be published,
come from aggregate.py; these modules only lay them out.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from sendconsult.coding import Coding
from sendconsult.report import (
    by_group,
    changes,
    closed,
    coding_sheet,
    crosstab_sheet,
    method,
    summary,
    theme_sheets,
    uncoded,
)
from sendconsult.report.content import ReportContent, ReportOptions, RunInfo
from sendconsult.report.saving import save_atomic
from sendconsult.report.workbook import clean_text, fit_row_heights, print_header
from sendconsult.survey import Survey

__all__ = [
    "INTERNAL_SHEETS", "ReportContent", "ReportOptions", "RunInfo", "texts_to_redact", "write_report",
]  # fmt: skip

INTERNAL_SHEETS = ("Coding", "Changes", "Withheld (internal)")  # never in a report for publication


def texts_to_redact(survey: Survey, coding: Coding, max_rows_per_theme: int) -> list[str]:
    """The answers the theme and Uncoded sheets will list, each once: nearly all that writing
    a report redacts, so a run can find their redactions beforehand (see analysis.py)."""
    texts = theme_sheets.shown_texts(survey, coding, max_rows_per_theme)
    texts += uncoded.shown_texts(survey, coding, max_rows_per_theme)
    return list(dict.fromkeys(texts))


def write_report(path: Path, content: ReportContent) -> None:
    """Build the workbook and save it atomically to `path`.

    Writing makes millions of short-lived strings and lists and no reference cycles; a run
    writes with the cycle collector paused (analysis.run_analysis, memory.py), as each full
    collection would walk every object of the run (about 2 s of writing at 100,000 responses).
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken = {
        "Summary",
        "By group",
        "Closed questions",
        "Crosstabs",
        "Uncoded",
        "Coding",
        "Changes",
        "Method",
        "Withheld (internal)",
    }
    theme_sheets.assign_sheet_names(content, taken)
    summary.write(workbook.create_sheet("Summary"), content)
    by_group.write(workbook.create_sheet("By group"), content)
    closed.write(workbook.create_sheet("Closed questions"), content)
    crosstab_sheet.write(workbook.create_sheet("Crosstabs"), content)
    bulk = theme_sheets.write_all(workbook, content)
    bulk.append(uncoded.write(workbook.create_sheet("Uncoded"), content))
    if not content.options.publish:  # one row per respondent: the internal working record
        bulk.append(coding_sheet.write(workbook.create_sheet("Coding"), content))
    if content.changes is not None and not content.options.publish:
        bulk.append(changes.write(workbook.create_sheet("Changes"), content))
    method.write(workbook.create_sheet("Method"), content)
    if content.options.internal:
        bulk.append(uncoded.write_withheld(workbook.create_sheet("Withheld (internal)"), content))
    for sheet in workbook.worksheets:
        if sheet.title != "Coding":
            fit_row_heights(sheet)
        print_header(sheet, content.run.consultation_name, internal=sheet.title in INTERNAL_SHEETS)
    workbook.properties.creator = "sendconsult"
    workbook.properties.title = clean_text(
        f"{content.run.consultation_name}: themes by respondent group"
    )
    save_atomic(workbook, Path(path), [b for b in bulk if b is not None])
