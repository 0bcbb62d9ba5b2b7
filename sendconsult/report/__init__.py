"""The Excel report: what goes in it and writing it safely.

Sheets, in order: Summary, By group, Closed questions, one sheet per theme, Uncoded, Coding,
Changes (only with --compare), Method (and "Withheld (internal)" only with --internal). Numbers come from aggregate.py; these
modules only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from sendconsult.aggregate import Aggregates
from sendconsult.campaigns import CampaignResult
from sendconsult.coding import Coding
from sendconsult.compare import Changes
from sendconsult.overrides import OverrideResult
from sendconsult.privacy import Redactor
from sendconsult.quotes import Quote, quote_redactor
from sendconsult.survey import Consent, Survey
from sendconsult.textcat import Suggestions
from sendconsult.themes.model import ThemeDictionary


@dataclass(frozen=True)
class ReportOptions:
    """How the report treats respondents' text and small numbers."""

    redact: bool = True
    suppression_threshold: int = 5
    internal: bool = False
    exclude_campaigns: bool = False
    max_rows_per_theme: int = 2_000


@dataclass(frozen=True)
class RunInfo:
    """Facts about the run for the Summary and Method sheets."""

    consultation_name: str
    command_line: str
    sendconsult_version: str
    spacy_version: str
    pipeline: str
    negation_rule: str
    run_at: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))


@dataclass
class ReportContent:
    """Everything a report shows, computed before any sheet is written."""

    survey: Survey
    coding: Coding
    dictionary: ThemeDictionary
    aggregates: Aggregates
    campaigns: CampaignResult
    quotes: dict[str, list[Quote]]
    options: ReportOptions
    run: RunInfo
    redactor: Redactor | None = None
    sheet_names: dict[str, str] = field(default_factory=dict)
    overrides: OverrideResult | None = None  # officer overrides applied in this run
    changes: Changes | None = None  # what changed since an earlier report (--compare)
    suggestions: Suggestions | None = None  # a trained classifier's suggestions (--classifier)
    dictionary_warnings: list[str] = field(default_factory=list)  # themes/terms that found nothing

    def redactor_for(self, consent: Consent | None) -> Redactor | None:
        """How a respondent's words are redacted in this report (None: shown as written)."""
        return quote_redactor(consent, self.redactor if self.options.redact else None)


def texts_to_redact(survey: Survey, coding: Coding, max_rows_per_theme: int) -> list[str]:
    """The answers the theme and Uncoded sheets will list, each once: nearly all that writing
    a report redacts, so a run can find their redactions beforehand (see analysis.py)."""
    from sendconsult.report import theme_sheets, uncoded

    texts = theme_sheets.shown_texts(survey, coding, max_rows_per_theme)
    texts += uncoded.shown_texts(survey, coding, max_rows_per_theme)
    return list(dict.fromkeys(texts))


def write_report(path: Path, content: ReportContent) -> None:
    """Build the workbook and save it atomically to `path`.

    Writing makes millions of short-lived strings and lists and no reference cycles; a run
    writes with the cycle collector paused (analysis.run_analysis, memory.py), as each full
    collection would walk every object of the run (about 2 s of writing at 100,000 responses).
    """
    from sendconsult.report import (
        by_group,
        changes,
        closed,
        coding_sheet,
        method,
        summary,
        theme_sheets,
        uncoded,
    )
    from sendconsult.report.workbook import fit_row_heights, save_atomic

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken = {
        "Summary",
        "By group",
        "Closed questions",
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
    bulk = theme_sheets.write_all(workbook, content)
    bulk.append(uncoded.write(workbook.create_sheet("Uncoded"), content))
    bulk.append(coding_sheet.write(workbook.create_sheet("Coding"), content))
    if content.changes is not None:
        bulk.append(changes.write(workbook.create_sheet("Changes"), content))
    method.write(workbook.create_sheet("Method"), content)
    if content.options.internal:
        bulk.append(uncoded.write_withheld(workbook.create_sheet("Withheld (internal)"), content))
    for sheet in workbook.worksheets:
        if sheet.title != "Coding":
            fit_row_heights(sheet)
    workbook.properties.creator = "sendconsult"
    workbook.properties.title = f"{content.run.consultation_name}: themes by respondent group"
    save_atomic(workbook, Path(path), [b for b in bulk if b is not None])
