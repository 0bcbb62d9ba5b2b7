"""The `analyse` run as one plain function: classify, find campaigns, aggregate, write the report.

The CLI only parses options, shows progress and prints the summary this returns; tests and the
benchmark call `run_analysis` directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.language import Language

import sendconsult
from sendconsult.aggregate import Aggregates, aggregate
from sendconsult.caches.parse import ParseCache
from sendconsult.caches.redactions import RedactionCache
from sendconsult.campaigns import CampaignResult, CampaignSearch, find_campaigns
from sendconsult.coding import Coding
from sendconsult.coding_record import CodingRecord, record_of
from sendconsult.compare import Changes, compare
from sendconsult.config import ProjectConfig
from sendconsult.errors import ConfigError, ReportError
from sendconsult.memory import cycle_collection_paused
from sendconsult.nlp.engine import NEGATION_RULE, ThemeClassifier
from sendconsult.nlp.pipeline import pipeline_id
from sendconsult.nlp.term_stats import dictionary_warnings
from sendconsult.overrides import Override, OverrideResult, apply_overrides
from sendconsult.privacy import Redactor
from sendconsult.quotes import representative_quotes
from sendconsult.report import (
    ReportContent,
    ReportOptions,
    RunInfo,
    texts_to_redact,
    write_report,
)
from sendconsult.survey import Survey
from sendconsult.textcat import Suggestions, ThemeModel, stale_rules, suggest
from sendconsult.themes.model import ThemeDictionary
from sendconsult.writing import missing_folder

DEFAULT_THRESHOLD = 5


@dataclass(frozen=True)
class AnalysisSettings:
    """The officer's choices for one run (flags over config over defaults)."""

    consultation_name: str | None = None
    redact: bool = True
    suppression_threshold: int = DEFAULT_THRESHOLD
    internal: bool = False
    publish: bool = False  # a report for publication: no internal sheets (--publish)
    exclude_campaigns: bool = False
    command_line: str = "sendconsult analyse"
    max_rows_per_theme: int = 2_000
    jobs: int = 1
    cache_dir: Path | None = None  # None: no parse cache
    overrides: tuple[Override, ...] | None = None  # officer overrides to apply (--overrides)
    overrides_source: str = ""
    compare_with: CodingRecord | None = None  # an earlier report's coding (--compare)
    classifier: ThemeModel | None = None  # a trained classifier for suggestions (--classifier)
    suggest_threshold: float | None = None  # None: each theme's own, chosen in training

    @classmethod
    def from_config(
        cls,
        config: ProjectConfig | None,
        *,
        redact: bool | None = None,
        suppression_threshold: int | None = None,
        internal: bool = False,
        publish: bool = False,
        exclude_campaigns: bool = False,
        command_line: str = "sendconsult analyse",
        jobs: int = 1,
        cache_dir: Path | None = None,
        overrides: tuple[Override, ...] | None = None,
        overrides_source: str = "",
        compare_with: CodingRecord | None = None,
        classifier: ThemeModel | None = None,
        suggest_threshold: float | None = None,
    ) -> AnalysisSettings:
        def pick(flag, key: str, default):  # noqa: ANN001,ANN202
            if flag is not None:
                return flag
            value = getattr(config, key, None) if config is not None else None
            return default if value is None else value

        return cls(
            consultation_name=getattr(config, "consultation_name", None) if config else None,
            redact=pick(redact, "redact", True),
            suppression_threshold=pick(
                suppression_threshold, "suppression_threshold", DEFAULT_THRESHOLD
            ),
            internal=internal,
            publish=publish,
            exclude_campaigns=exclude_campaigns,
            command_line=command_line,
            jobs=jobs,
            cache_dir=cache_dir,
            overrides=overrides,
            overrides_source=overrides_source,
            compare_with=compare_with,
            classifier=classifier,
            suggest_threshold=suggest_threshold,
        )

    def check_output(self, export: Path, report: Path, *, force: bool) -> None:
        """Never overwrite the export; never replace a report unless `force`; a report for
        publication is redacted and suppressed and has no internal sheet."""
        if self.publish and self.internal:
            raise ConfigError(
                "A report for publication cannot hold the internal sheet; ask for one of them.",
                fix="publish-internal",
            )
        if self.publish and not self.redact:
            raise ConfigError(
                "A report for publication needs quotes redacted; turn redaction on (redact = true "
                "in the project config).",
                fix="publish-redact",
            )
        if self.publish and self.suppression_threshold <= 1:
            raise ConfigError(
                "A report for publication needs small numbers suppressed; set a suppression "
                "threshold of 5 or more (suppression_threshold in the project config).",
                fix="publish-suppress",
            )
        if report.suffix.lower() != ".xlsx":
            raise ReportError(
                f"The report name {report.name} must end in .xlsx.", fix="output-name"
            )
        if report.exists() and export.exists() and report.resolve() == export.resolve():
            raise ReportError(
                f"The report {report.name} is the export itself; choose another name for the "
                "report.",
                fix="report-is-export",
                name=report.name,
            )
        if report.exists() and not force:
            raise ReportError(
                f"{report} already exists; choose another name, or allow replacing it.",
                fix="report-exists",
                path=str(report),
            )
        if not report.parent.exists():
            raise missing_folder(report.parent)


@dataclass(frozen=True)
class RunSummary:
    """The handful of figures printed at the end of a run."""

    responses: int
    with_text: int
    coded_pct: float
    top_themes: list[tuple[str, int, float]]
    campaigns: int
    campaign_responses: int


@dataclass
class AnalysisResult:
    coding: Coding
    campaigns: CampaignResult
    aggregates: Aggregates
    summary: RunSummary
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    overrides: OverrideResult | None = None
    changes: Changes | None = None
    suggestions: Suggestions | None = None


def default_report_path(export: Path) -> Path:
    """`<export stem>_report.xlsx` beside the export."""
    return export.with_name(f"{export.stem}_report.xlsx")


def run_analysis(
    survey: Survey,
    dictionary: ThemeDictionary,
    nlp: Language,
    settings: AnalysisSettings,
    report_path: Path,
    *,
    progress: Callable[[int], None] | None = None,
    score_progress: Callable[[int], None] | None = None,
) -> AnalysisResult:
    """Code, count and write the report; returns what the CLI summarises.

    `progress` advances per answer parsed; `score_progress` per response the classifier scores.
    The run holds millions of long-lived objects: see memory.py for why the cycle collector
    waits until it ends.
    """
    with cycle_collection_paused():
        return _run(survey, dictionary, nlp, settings, report_path, progress, score_progress)


def _run(
    survey: Survey,
    dictionary: ThemeDictionary,
    nlp: Language,
    settings: AnalysisSettings,
    report_path: Path,
    progress: Callable[[int], None] | None,
    score_progress: Callable[[int], None] | None,
) -> AnalysisResult:
    timings: dict[str, float] = {}
    warnings: list[str] = []
    # Campaigns need only the answers. They are found from the moment parsing ends (nothing
    # may run beside while worker processes are forked), apart from this process (see
    # campaigns.find_campaigns), while it builds the coding, scores suggestions and finds the
    # redactions of the answers the report lists, which need only the coding.
    with ExitStack() as searches:
        finding: list[CampaignSearch] = []

        def start_finding_campaigns() -> None:
            search = find_campaigns(survey, cache_dir=settings.cache_dir, apart=settings.jobs > 1)
            finding.append(searches.enter_context(search))

        started = time.perf_counter()
        classifier = ThemeClassifier(dictionary, nlp)
        cache = None
        if settings.cache_dir is not None:
            cache = ParseCache(settings.cache_dir, survey.source.name, pipeline_id(nlp))
        coding = classifier.classify(
            survey, progress=progress, jobs=settings.jobs, cache=cache, parsed=start_finding_campaigns
        )
        if cache is not None:
            warnings.extend(cache.warnings)
        found_nothing = dictionary_warnings(dictionary, coding, classifier)
        warnings.extend(found_nothing.run_warnings)
        overridden: OverrideResult | None = None
        if settings.overrides is not None:
            overridden = apply_overrides(
                coding, list(settings.overrides), settings.overrides_source
            )
            coding = overridden.coding
            warnings.extend(overridden.warnings)
        changes = None
        if settings.compare_with is not None:
            now = record_of(coding, overridden.by_response() if overridden else None)
            now.labels = {t.id: t.label for t in dictionary.themes}
            now.source = report_path.name
            changes = compare(settings.compare_with, now)
        timings["parse and match"] = time.perf_counter() - started

        suggestions: Suggestions | None = None
        if settings.classifier is not None:
            started = time.perf_counter()
            suggestions = _suggestions(settings, survey, coding, score_progress, warnings)
            if settings.suggest_threshold is None:
                warnings.extend(stale_rules(settings.classifier, dictionary))
            timings["classifier"] = time.perf_counter() - started
        started = time.perf_counter()
        redactor = Redactor(nlp) if settings.redact else None
        remembered = None
        if redactor is not None:
            if settings.cache_dir is not None:
                remembered = RedactionCache(settings.cache_dir, survey.source.name, redactor)
                remembered.load()
            redactor.prepare(texts_to_redact(survey, coding, settings.max_rows_per_theme))
        timings["redact"] = time.perf_counter() - started
        (search,) = finding
        campaigns = search.result()
        timings["campaigns"] = search.seconds

    started = time.perf_counter()
    aggregates = aggregate(
        survey,
        coding,
        dictionary,
        campaigns=campaigns,
        exclude_campaigns=settings.exclude_campaigns,
        suggestions=suggestions,
        threshold=settings.suppression_threshold,
    )
    quotes = representative_quotes(survey, coding, campaigns=campaigns, redactor=redactor)
    timings["aggregate"] = time.perf_counter() - started

    started = time.perf_counter()
    content = ReportContent(
        survey=survey,
        coding=coding,
        dictionary=dictionary,
        aggregates=aggregates,
        campaigns=campaigns,
        quotes=quotes,
        options=ReportOptions(
            redact=settings.redact,
            suppression_threshold=settings.suppression_threshold,
            internal=settings.internal,
            publish=settings.publish,
            exclude_campaigns=settings.exclude_campaigns,
            max_rows_per_theme=settings.max_rows_per_theme,
        ),
        run=RunInfo(
            consultation_name=settings.consultation_name or survey.source.stem.replace("_", " "),
            command_line=settings.command_line,
            sendconsult_version=sendconsult.__version__,
            spacy_version=spacy.__version__,
            pipeline=pipeline_id(nlp),
            negation_rule=NEGATION_RULE,
        ),
        redactor=redactor,
        overrides=overridden,
        changes=changes,
        suggestions=suggestions,
        dictionary_warnings=found_nothing.all,
    )
    write_report(report_path, content)
    if remembered is not None:
        remembered.save()
    timings["write"] = time.perf_counter() - started
    table = aggregates.theme_table
    summary = RunSummary(
        responses=aggregates.responses,
        with_text=aggregates.with_text,
        coded_pct=aggregates.coded_share,
        top_themes=[
            (r.label, int(r.respondents), float(r.share)) for r in table.itertuples(index=False)
        ],
        campaigns=len(campaigns.campaigns),
        campaign_responses=campaigns.campaign_responses,
    )
    return AnalysisResult(
        coding, campaigns, aggregates, summary, timings, warnings, overridden, changes, suggestions
    )


def _suggestions(
    settings: AnalysisSettings,
    survey: Survey,
    coding: Coding,
    score_progress: Callable[[int], None] | None,
    warnings: list[str],
) -> Suggestions:
    """The trained classifier's suggestions, beside the dictionary's codes."""
    model = settings.classifier
    assert model is not None
    scores = model.score(survey, progress=score_progress)
    suggestions = suggest(coding, scores, model, settings.suggest_threshold)
    if suggestions.unknown_themes:
        warnings.append(
            f"The classifier {model.name} was not trained on these themes, so it suggests "
            f"none of them: {', '.join(suggestions.unknown_themes)}."
        )
    return suggestions
