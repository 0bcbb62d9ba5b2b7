"""The Uncoded sheet (free text that no theme caught: where the dictionary needs work), and the
internal sheet of responses whose authors asked not to be published."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.aggregate import unnamed_languages
from sendconsult.coding import Coding
from sendconsult.ingest.languages import language_name
from sendconsult.report.bulk_rows import BulkRows, CellValue, stream_table
from sendconsult.report.content import ReportContent
from sendconsult.report.workbook import page_setup, set_widths, write_title
from sendconsult.survey import CONSENT, GROUPS, RESPONSE_ID, Consent, Survey


def _answers(
    content: ReportContent,
    rid: str,
    consent: Consent | None = None,
    unnamed: frozenset[str] = frozenset(),
) -> str:
    """Every answer of a response under its question; redacted when on, and always for
    respondents publishing anonymously."""
    texts = content.survey.texts(rid)
    redactor = content.redactor_for(consent)
    parts = [
        f"{q}{set_aside_note(content.survey, rid, q, unnamed)}\n"
        f"{redactor.redact(t) if redactor else t}"
        for q, t in texts.items()
    ]
    return "\n\n".join(parts)


def set_aside_note(
    survey: Survey, rid: str, question: str, unnamed: frozenset[str] = frozenset()
) -> str:
    """" [in French]" or " [points to an attachment]" after the question of a set-aside answer;
    " [in another language]" for a language the report must not name (`unnamed`: see
    aggregate.unnamed_languages)."""
    note = survey.set_aside.get((rid, question))
    if note is None:
        return ""
    if note == "attachment":
        return " [points to an attachment]"
    if note == "test":
        return " [test answer]"
    if note in unnamed:
        return " [in another language]"
    return f" [in {language_name(note)}]"


def _words(survey: Survey, rid: str) -> int:
    """Words in all of a response's answers: how the sheet is ordered."""
    return sum(len(t.split()) for t in survey.texts(rid).values())


@dataclass(frozen=True)
class UncodedListing:
    """What the Uncoded sheet lists: responses with free text and no theme, and coded responses
    with an answer set aside (in another language, a test, a pointer to an attachment), which
    no theme sheet shows."""

    uncoded: int  # responses with free text and no theme
    set_aside: int  # coded responses listed for an answer set aside
    withheld: int  # listed responses not shown: their authors asked not to be published
    shown: list[tuple[str, list[str], int, Consent | None]]  # (response, groups, words, consent)


def uncoded_responses(survey: Survey, coding: Coding) -> UncodedListing:
    """The responses the Uncoded sheet lists, publishable ones longest first."""
    frame = survey.responses
    has_text = survey.has_any_text().to_numpy()  # set-aside answers are listed too
    coded_any = (coding.codes.loc[frame[RESPONSE_ID]].to_numpy().sum(axis=1) > 0).tolist()
    set_aside = {rid for rid, _ in survey.set_aside}
    listed = [
        (rid, groups, consent, coded)
        for rid, groups, consent, text, coded in zip(
            frame[RESPONSE_ID], frame[GROUPS], frame[CONSENT], has_text, coded_any, strict=True
        )
        if text and (not coded or rid in set_aside)
    ]
    shown = [
        (rid, groups, _words(survey, rid), c)
        for rid, groups, c, _ in listed
        if c is not Consent.WITHHOLD
    ]
    shown.sort(key=lambda r: -r[2])
    coded_listed = sum(1 for *_, coded in listed if coded)
    return UncodedListing(
        len(listed) - coded_listed, coded_listed, len(listed) - len(shown), shown
    )


def shown_texts(survey: Survey, coding: Coding, limit: int) -> list[str]:
    """The answers the Uncoded sheet will list (see theme_sheets.shown_texts)."""
    shown = uncoded_responses(survey, coding).shown[:limit]
    return [text for rid, *_ in shown for text in survey.texts(rid).values()]


def write(sheet: Worksheet, content: ReportContent) -> BulkRows | None:
    """Responses with free text and no theme, longest first (publishable ones only)."""
    listing = uncoded_responses(content.survey, content.coding)
    shown = listing.shown
    also = (
        f", and {listing.set_aside:,} coded responses with an answer set aside (marked)"
        if listing.set_aside
        else ""
    )
    note = (
        f"{listing.uncoded:,} responses have free text but no theme{also}, longest first: read "
        "them to improve the dictionary."
    )
    if listing.withheld:
        note += f" {listing.withheld} whose authors asked not to be published are not shown."
    limit = content.options.max_rows_per_theme
    if len(shown) > limit:
        note += f" Showing the {limit:,} longest."
        shown = shown[:limit]
    row = write_title(sheet, "Free text no theme caught", note)
    page_setup(sheet)

    label = content.aggregates.group_label  # never an exported group too small to show
    unnamed = unnamed_languages(content.survey, content.options.suppression_threshold)

    def rows() -> Iterator[list[CellValue]]:
        for rid, groups, words, consent in shown:
            yield [
                rid,
                label(groups),
                words,
                _answers(content, rid, consent, unnamed),
            ]

    return stream_table(
        sheet,
        header_row=row,
        headers=["Response ID", "Respondent group(s)", "Words", "Answers"],
        kinds=["text", "wrap", "number", "wrap"],
        widths={1: 20, 2: 28, 3: 8, 4: 100},
        table_name="Uncoded",
        rows=rows(),
        n_rows=len(shown),
    )


def write_withheld(sheet: Worksheet, content: ReportContent) -> BulkRows | None:
    """The internal sheet: responses whose authors asked not to be published."""
    frame = content.survey.responses
    withheld = [
        (rid, g)
        for rid, g, c in zip(frame[RESPONSE_ID], frame[GROUPS], frame[CONSENT], strict=True)
        if c is Consent.WITHHOLD
    ]
    row = write_title(
        sheet,
        "Withheld from publication (INTERNAL)",
        "Respondents who asked not to be published: counted in every figure, never quoted elsewhere. Do not publish this sheet.",
    )

    unnamed = unnamed_languages(content.survey, content.options.suppression_threshold)

    def rows() -> Iterator[list[CellValue]]:
        for rid, groups in withheld:
            yield [
                rid,
                ", ".join(groups) or "Not stated",
                ", ".join(content.coding.themes_of(rid)),
                _answers(content, rid, None, unnamed),
            ]

    widths = {1: 20, 2: 28, 3: 30, 4: 90}
    bulk = stream_table(
        sheet,
        header_row=row,
        headers=["Response ID", "Respondent group(s)", "Themes", "Answers"],
        kinds=["text", "wrap", "wrap", "wrap"],
        widths=widths,
        table_name="Withheld",
        rows=rows(),
        n_rows=len(withheld),
    )
    set_widths(sheet, widths)
    return bulk
