"""What a report shows: its content, computed before any sheet is written, and the options
and facts of the run. The sheet modules read it; report/__init__ writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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
    publish: bool = False  # for publication: no Coding sheet, no answers of a hidden count
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
