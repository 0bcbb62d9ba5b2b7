"""The Method sheet: how the report was made, so anyone can check or repeat it."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from sendconsult.aggregate import consent_counts, set_aside_summary
from sendconsult.overrides import OverrideResult
from sendconsult.report.content import ReportContent
from sendconsult.report.workbook import (
    LABEL_FONT,
    add_table,
    page_setup,
    set_text,
    set_widths,
    write_header,
    write_section,
    write_title,
)
from sendconsult.survey import Role
from sendconsult.textcat import Suggestions
from sendconsult.themes.model import ThemeDictionary


def write(sheet: Worksheet, content: ReportContent) -> None:
    run, options, dictionary, survey = (
        content.run,
        content.options,
        content.dictionary,
        content.survey,
    )
    row = write_title(
        sheet, "Method", "How this report was produced, so it can be checked and repeated."
    )
    threshold = options.suppression_threshold
    personal = [c for c in survey.columns if c.role is Role.PERSONAL]
    facts = [
        ("Command", run.command_line),
        ("Run on", run.run_at.isoformat(sep=" ")),
        (
            "Export",
            f"{survey.source.name} ({survey.layout.value.replace('_', ' ')} layout{', sheet ' + survey.sheet if survey.sheet else ''})",
        ),
        ("Theme dictionary", dictionary.source.name if dictionary.source else dictionary.name),
        ("Dictionary SHA-256", dictionary.sha256),
        ("sendconsult version", run.sendconsult_version),
        ("spaCy version and pipeline", f"{run.spacy_version}; {run.pipeline}"),
        (
            "Matching",
            "Dictionary terms matched on lemmas, ignoring case; word* matches any ending; A NEAR/n B within n words in one sentence; exclude phrases cancel matches within 3 words.",
        ),
        ("Negation rule", run.negation_rule),
        (
            "Small-number suppression",
            f"Counts from 1 to {threshold - 1} shown as <{threshold}, with secondary suppression where a total, or counting the answers listed on a theme sheet, would reveal a hidden cell (those cells are shown as [c]). Groups with fewer than {threshold} respondents with free text are shown together as Other groups, and a listed answer shows only the groups whose figure for its theme is published. The Coding and Changes sheets are not suppressed: they are the internal working record, marked as such, and left out of a report for publication."
            if threshold > 1
            else "Off: every count is shown, so this report is not for publication.",
        ),
        (
            "Redaction",
            "On: names, e-mail addresses, phone numbers, postcodes, NHS numbers, web addresses, social-media handles, street addresses, dates of birth (and every full date) and named schools and settings in quotes are replaced by tags such as [NAME] or [SCHOOL]; coding always uses the original text."
            if options.redact
            else "OFF: quotes may contain personal data; internal use only. Quotes of respondents who asked to be published anonymously are still redacted.",
        ),
        (
            "Publication consent",
            "Respondents who chose 'Do not publish' are counted but never quoted; those publishing anonymously are quoted without identifying details."
            + (f" Respondents: {consent}." if (consent := consent_counts(survey)) else ""),
        ),
        (
            "Personal data",
            "Columns holding names, contact details, organisations, register numbers or similar "
            "are never analysed or shown, whatever the consent; a respondent's own such details "
            "in their answers are replaced by [NAME], [ORGANISATION] or [PERSONAL]. Personal "
            f"columns in this export: {len(personal)}.",
        ),
        (
            "Answers set aside",
            "Answers that only point to an attachment, test answers and answers in another "
            "language than the dictionary's are left out of the percentages (a respondent only "
            "when all their answers are) and listed in the Uncoded sheet. "
            + (
                set_aside_summary(survey, threshold=options.suppression_threshold)
                or "None in this export"
            )
            + ".",
        ),
        (
            "Campaigns",
            f"{len(content.campaigns.campaigns)} found; "
            + (
                "each counted once in the figures."
                if options.exclude_campaigns
                else "counted as individual responses in the figures."
            ),
        ),
    ]
    overrides = content.overrides
    if overrides is not None:
        changed = sum(a.changed for a in overrides.applied)
        facts.append(
            (
                "Officer overrides",
                f"{len(overrides.applied)} codes set by hand from {overrides.source} "
                f"({changed} differ from what the dictionary found), applied before anything "
                "was counted; shown in yellow in the Coding sheet and listed below."
                + ("\n" + "\n".join(overrides.warnings) if overrides.warnings else ""),
            )
        )
    if content.suggestions is not None:
        facts.append(("Trained classifier", classifier_description(content.suggestions)))
    if content.changes is not None:
        facts.append(
            (
                "Compared with",
                f"{content.changes.before}: see the Changes sheet.",
            )
        )
    if survey.warnings:
        facts.append(("Warnings when reading the export", "\n".join(survey.warnings)))
    if content.dictionary_warnings:
        facts.append(("Dictionary warnings", "\n".join(content.dictionary_warnings)))
    for label, value in facts:
        set_text(sheet.cell(row=row, column=1), label)
        sheet.cell(row=row, column=1).font = LABEL_FONT
        set_text(sheet.cell(row=row, column=2), value, wrap=True)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        lines = max(1, len(str(value)) // 95 + str(value).count("\n") + 1)
        sheet.row_dimensions[row].height = 14 * lines
        row += 1
    row += 1
    write_section(sheet, row, "Columns of the export and how they were used")
    row += 1
    write_header(sheet, row, ["Column", "Role", "Why"])
    start = row
    for info in survey.columns:
        row += 1
        set_text(sheet.cell(row=row, column=1), info.name, wrap=True)
        set_text(sheet.cell(row=row, column=2), info.role.value)
        set_text(sheet.cell(row=row, column=3), info.reason, wrap=True)
    add_table(sheet, "MethodColumns", start, row, 3, repeat_header=False)
    row += 2
    write_section(sheet, row, "Dictionary terms")
    row += 1
    # One row per theme (not per term): hundreds of terms print on a few pages, not a dozen.
    write_header(sheet, row, ["Theme", "Terms", "Weak terms", "Exclude phrases", "Theme id"])
    start = row
    for theme in dictionary.themes:
        row += 1
        set_text(
            sheet.cell(row=row, column=1),
            theme.label
            if theme.parent is None
            else f"{dictionary.label(theme.parent)} > {theme.label}",
            wrap=True,
        )
        set_text(sheet.cell(row=row, column=2), "; ".join(t.text for t in theme.terms), wrap=True)
        set_text(sheet.cell(row=row, column=3), "; ".join(t.text for t in theme.weak), wrap=True)
        set_text(sheet.cell(row=row, column=4), "; ".join(t.text for t in theme.exclude), wrap=True)
        set_text(sheet.cell(row=row, column=5), theme.id, wrap=True)
    add_table(sheet, "MethodTerms", start, row, 5, repeat_header=False)
    if overrides is not None and overrides.applied:
        row = _write_overrides(sheet, row + 2, overrides, dictionary)
    sheet.freeze_panes = None
    set_widths(sheet, {1: 34, 2: 50, 3: 26, 4: 32, 5: 16})
    page_setup(sheet)


def _write_overrides(
    sheet: Worksheet, row: int, overrides: OverrideResult, dictionary: ThemeDictionary
) -> int:
    """The officer's overrides, one row each: what the dictionary said and what they said."""
    write_section(sheet, row, "Officer overrides")
    row += 1
    write_header(sheet, row, ["Response ID", "Theme", "Dictionary said", "Officer said", "Note"])
    start = row
    for applied in overrides.applied:
        o = applied.override
        row += 1
        set_text(sheet.cell(row=row, column=1), o.response_id)
        set_text(sheet.cell(row=row, column=2), dictionary.label(o.theme_id))
        sheet.cell(row=row, column=3).value = applied.dictionary_value
        sheet.cell(row=row, column=4).value = o.value
        set_text(sheet.cell(row=row, column=5), o.note, wrap=True)
    add_table(sheet, "MethodOverrides", start, row, 5, repeat_header=False)
    return row


def classifier_description(suggestions: Suggestions) -> str:
    """What the classifier is, what it learnt from, how it scored, and how it was used."""
    info = suggestions.info
    f1 = info.micro.get("f1")
    scored = f"cross-validated micro-F1 {f1:.2f}" if f1 else ""
    trained = ", ".join(
        part
        for part in (
            f"trained on {info.trained_on}" if info.trained_on else "",
            f"{info.n_train} responses" if info.n_train else "",
            info.created,
            scored,
        )
        if part
    )
    rules = "; ".join(f"{t}: {suggestions.threshold_text(t)}" for t in suggestions.thresholds)
    return (
        f"{suggestions.model_name} (TF-IDF of words and characters, logistic regression per "
        f"theme; {trained}). Where it scores a theme at or above that theme's threshold and the "
        "dictionary did not code it, the theme is suggested: listed in blue on the theme sheet "
        "and in the Coding sheet's suggested column, never counted in a figure. Thresholds: "
        f"{rules}."
    )
