"""One sheet per theme: every coded answer, the matched words highlighted, the terms that fired."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.coding import Coding, Match
from sendconsult.report.bulk_rows import BulkRows, CellValue, Marked, register_style, stream_table
from sendconsult.report.content import ReportContent
from sendconsult.report.workbook import HIGHLIGHT_COLOUR, clean_text, page_setup, write_title
from sendconsult.survey import GROUPS, RESPONSE_ID, Consent, Survey

ADDED_BY_OFFICER = "(added by an officer)"
SUGGESTED_TERMS = "(suggested by the classifier)"
SUGGESTED_FILL = PatternFill("solid", fgColor="DDEBF7")  # light blue: not counted
TEXT_LIMIT = 32_000  # below Excel's 32,767 characters per cell, leaving room for the marker
HIGHLIGHT = InlineFont(rFont="Arial", sz=10, b=True, color=HIGHLIGHT_COLOUR)
PLAIN = InlineFont(rFont="Arial", sz=10)


def assign_sheet_names(content: ReportContent, taken: set[str]) -> None:
    from sendconsult.report.workbook import safe_sheet_name

    for theme_id in content.aggregates.theme_table["theme_id"]:
        content.sheet_names[theme_id] = safe_sheet_name(content.dictionary.label(theme_id), taken)


def write_all(workbook: Workbook, content: ReportContent) -> list[BulkRows]:
    bulk: list[BulkRows] = []
    respondents = _Respondents.of(content.survey)  # once for all themes: 100,000 rows each
    for number, theme_id in enumerate(content.aggregates.theme_table["theme_id"], start=1):
        sheet = workbook.create_sheet(content.sheet_names[theme_id])
        rows = write_theme(sheet, content, theme_id, number, respondents)
        if rows is not None:
            bulk.append(rows)
    return bulk


@dataclass(frozen=True)
class _Respondents:
    """Each response's publication consent and how its respondent groups are shown."""

    consent: dict[str, Consent | None]
    groups: dict[str, tuple[str, ...]]  # as exported, one shared tuple per combination

    @classmethod
    def of(cls, survey: Survey) -> _Respondents:
        frame = survey.responses
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        groups: dict[str, tuple[str, ...]] = {}
        for rid, names in zip(frame[RESPONSE_ID], frame[GROUPS], strict=True):
            key = tuple(names or ())
            groups[rid] = shared.setdefault(key, key)
        return cls(survey.consent_by_id(), groups)

    def labeller(self, content: ReportContent, theme_id: str) -> Callable[[str], str]:
        """A response's groups as this theme's sheet may show them (aggregate.group_label)."""
        labels: dict[tuple[str, ...], str] = {}
        agg = content.aggregates

        def label(rid: str) -> str:
            key = self.groups.get(rid, ())
            shown = labels.get(key)
            if shown is None:
                shown = labels[key] = agg.group_label(key, theme_id)
            return shown

        return label


def write_theme(
    sheet: Worksheet,
    content: ReportContent,
    theme_id: str,
    number: int,
    respondents: _Respondents | None = None,
) -> BulkRows | None:
    respondents = respondents or _Respondents.of(content.survey)
    consent = respondents.consent
    group_of = respondents.labeller(content, theme_id)
    coded_ids = content.coding.coded_ids(theme_id)  # the codes decide, overrides included
    coded = len(coded_ids)
    withheld = sum(1 for rid in coded_ids if consent.get(rid) is Consent.WITHHOLD)
    limit = content.options.max_rows_per_theme
    agg = content.aggregates
    small = agg.theme_hidden(theme_id)
    unlisted = small and content.options.publish
    if small:
        note = f"Fewer than {agg.threshold} respondents raised this theme."
        if unlisted:
            note += " Their answers are not listed in a report for publication, so that the number cannot be counted."
    else:
        note = f"{coded:,} respondents raised this theme."
        if withheld:
            few = 0 < withheld < agg.threshold  # a small count of people, like any other
            asked = f"Fewer than {agg.threshold}" if few else f"{withheld}"
            note += f" {asked} asked not to be published and are not quoted here (they are counted)."
    note += " Matched words are in bold red."
    if agg.threshold > 1:
        note += (
            " A respondent's group is shown only where the theme's figure for that group is "
            "published (By group)."
        )
    if content.options.redact:
        note += " Names, contact details and NHS numbers are redacted."
    answers = shown_answers(content.survey, content.coding, consent, theme_id, limit)
    if unlisted:
        answers = []
    total = 0 if unlisted else answer_count(content.survey, content.coding, consent, theme_id)
    if total > limit:
        note += f" Showing the first {limit:,} of {total:,} answers" + (
            "." if content.options.publish else "; the Coding sheet lists every response."
        )
    suggestions = content.suggestions
    suggested: list[tuple[str, str, float]] = []
    if suggestions is not None and not unlisted:
        scores = suggestions.by_theme.get(theme_id, {})
        if scores:
            note += (
                f" A further {content.aggregates.suggested[theme_id]:,} responses are suggested by "
                f"the trained classifier ({suggestions.threshold_text(theme_id)}), listed last "
                "in blue: they are not counted in any figure until an officer confirms them."
            )
        for rid, score in scores.items():
            if consent.get(rid) is Consent.WITHHOLD:
                continue
            for question in content.survey.texts(rid):
                if len(suggested) < limit:
                    suggested.append((rid, question, score))
    description = content.dictionary.theme(theme_id).description
    row = write_title(
        sheet, content.dictionary.label(theme_id), (description + " " if description else "") + note
    )
    page_setup(sheet)

    headers = ["Response ID", "Respondent group(s)", "Question", "Answer", "Matched terms"]
    kinds = ["text", "wrap", "wrap", "rich", "wrap"]
    widths = {1: 20, 2: 28, 3: 32, 4: 90, 5: 24}
    if suggestions is not None:
        headers.append("Suggested by the classifier (score)")
        kinds.append("number")
        widths[6] = 16
    styles = _suggested_styles(sheet, kinds) if suggested else []

    def rows() -> Iterator[list[CellValue]]:
        for rid, question, text, matches in answers:
            cells: list[CellValue] = [
                rid,
                group_of(rid),
                question,
                highlighted(text, matches, content, consent.get(rid)),
                ", ".join(dict.fromkeys(m.term for m in matches)) or ADDED_BY_OFFICER,
            ]
            yield [*cells, None] if suggestions is not None else cells
        for rid, question, score in suggested:
            text = content.survey.texts(rid).get(question, "")
            cells = [
                rid,
                group_of(rid),
                question,
                highlighted(text, [], content, consent.get(rid)),
                SUGGESTED_TERMS,
                score,
            ]
            yield [Marked(value, style) for value, style in zip(cells, styles, strict=True)]

    return stream_table(
        sheet,
        header_row=row,
        headers=headers,
        kinds=kinds,
        widths=widths,
        table_name=f"Theme{number}",
        rows=rows(),
        n_rows=len(answers) + len(suggested),
    )


def shown_answers(
    survey: Survey, coding: Coding, consent: dict[str, Consent | None], theme_id: str, limit: int
) -> list[tuple[str, str, str, list[Match]]]:
    """The (response, question, answer, matches) a theme's sheet lists: answers of responses
    coded to the theme in survey order, the first `limit` of them, none from respondents who
    asked not to be published. A response coded by an officer lists every answer, nothing
    highlighted.
    """
    evidence = coding.evidence_by_response(theme_id)
    answers: list[tuple[str, str, str, list[Match]]] = []
    for rid in coding.coded_ids(theme_id):  # the codes decide, overrides included
        if len(answers) >= limit:
            break
        if consent.get(rid) is Consent.WITHHOLD:
            continue
        texts = survey.texts(rid)
        by_question: dict[str, list[Match]] = {}
        for match in evidence.get(rid, ()):
            by_question.setdefault(match.question, []).append(match)
        if not by_question:
            by_question = {q: [] for q in texts}
        answers.extend((rid, q, texts.get(q, ""), matches) for q, matches in by_question.items())
    return answers[:limit]


def answer_count(
    survey: Survey, coding: Coding, consent: dict[str, Consent | None], theme_id: str
) -> int:
    """How many answers `shown_answers` would list with no limit (a response may raise the
    theme in several questions)."""
    evidence = coding.evidence_by_response(theme_id)
    return sum(
        len({m.question for m in evidence.get(rid, ())}) or len(survey.texts(rid))
        for rid in coding.coded_ids(theme_id)
        if consent.get(rid) is not Consent.WITHHOLD
    )


def shown_texts(survey: Survey, coding: Coding, limit: int) -> list[str]:
    """The answers every theme sheet will list, each once: most of what a report redacts."""
    consent = survey.consent_by_id()
    texts: dict[str, None] = {}
    for theme_id in coding.theme_ids:
        for _, _, text, _ in shown_answers(survey, coding, consent, theme_id, limit):
            texts[text] = None
    return list(texts)


def _suggested_styles(sheet: Worksheet, kinds: list[str]) -> list[int]:
    """The blue style of each column of a suggested row (the score shown as 0.00)."""
    return [
        register_style(sheet, fill=SUGGESTED_FILL, number_format="0.00")
        if kind == "number"
        else register_style(sheet, fill=SUGGESTED_FILL, wrap=kind in ("wrap", "rich"))
        for kind in kinds
    ]


def highlighted(
    text: str, matches: list[Match], content: ReportContent, consent: Consent | None = None
) -> CellRichText:
    """The answer (redacted when on, and always for anonymous respondents) with each matched
    span as a bold red run."""
    spans = sorted({(m.start, m.end) for m in matches})
    redactor = content.redactor_for(consent)
    if redactor is not None:
        shown, offset = redactor.redact_with_offsets(text)
        spans = [(offset(s), offset(e)) for s, e in spans]
    else:
        shown = text
    marker = ""
    if len(shown) > TEXT_LIMIT:
        marker = f" … [truncated: {len(shown):,} characters in full]"
        shown = shown[:TEXT_LIMIT]
        spans = [(s, min(e, TEXT_LIMIT)) for s, e in spans if s < TEXT_LIMIT]
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    safe = clean_text
    rich = CellRichText()
    cursor = 0
    for start, end in merged:
        if start > cursor:
            rich.append(TextBlock(PLAIN, safe(shown[cursor:start])))
        rich.append(TextBlock(HIGHLIGHT, safe(shown[start:end])))
        cursor = end
    if cursor < len(shown) or not merged:
        rich.append(TextBlock(PLAIN, safe(shown[cursor:])))
    if marker:
        rich.append(TextBlock(PLAIN, marker))
    return rich

