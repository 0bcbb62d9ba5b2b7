"""Recognising which survey tool wrote an export, and turning its header rows into one.

Most tools write one header row. SurveyMonkey writes two (question, then option: a multi-select
question spreads over one column per option with the question text only above the first);
Qualtrics writes three (internal ids, question texts, ImportId JSON). After this step every
export is one header per column plus data rows, and multi-select questions spread over option
columns are already combined into lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sendconsult.survey import Layout

SURVEYMONKEY_ROW2 = {"response", "open-ended response"}
CITIZEN_SPACE_ID = re.compile(r"^[A-Z]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]$")
MS_FORMS_HEADERS = {"id", "start time", "completion time", "email", "name"}
QUALTRICS_META = {"startdate", "enddate", "responseid", "progress", "finished", "recordeddate"}

# The separator each tool puts between the options of a multi-select answer.
SEPARATORS: dict[Layout, str] = {
    Layout.CITIZEN_SPACE: ", ",
    Layout.GOOGLE_FORMS: ", ",
    Layout.MS_FORMS: ";",
    Layout.QUALTRICS: ",",
    Layout.SURVEYMONKEY: ", ",
    Layout.GENERIC: ", ",
}

# Columns whose name says they identify a response, per tool.
ID_HEADERS = {
    "response id", "respondent id", "responseid", "response_id", "id", "reference",
    "response reference", "response number", "ref", "response ref",
}  # fmt: skip


@dataclass
class LayoutResult:
    """One header per column, the data rows, and what the layout already knows."""

    layout: Layout
    headers: list[str]
    rows: list[list[str]]
    first_data_row: int  # spreadsheet row number of rows[0]
    separator: str
    combined: dict[str, list[list[str]]] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)
    other_text: dict[str, list[str]] = field(default_factory=dict)
    metadata: set[str] = field(default_factory=set)
    id_header: str | None = None


def detect_layout(grid_rows: list[list[str]]) -> LayoutResult:
    """Pick the layout from header rows and values, and normalise the header."""
    rows = _drop_leading_blank_rows(grid_rows)
    if not rows:
        return LayoutResult(Layout.GENERIC, [], [], 2, ", ")
    width = max(len(r) for r in rows[:50])
    rows = [r + [""] * (width - len(r)) if len(r) < width else r for r in rows]
    header = [h.strip() for h in rows[0]]
    lowered = [h.lower() for h in header]
    if len(rows) >= 3 and _is_qualtrics(rows):
        return _qualtrics(rows)
    if len(rows) >= 2 and _is_surveymonkey(rows):
        return _surveymonkey(rows)
    if MS_FORMS_HEADERS.issubset(set(lowered)):
        return LayoutResult(
            Layout.MS_FORMS, header, rows[1:], 2, ";",
            metadata={h for h in header if h.lower() in MS_FORMS_HEADERS - {"id"}},
            id_header=header[lowered.index("id")],
        )  # fmt: skip
    if lowered and lowered[0] == "timestamp":
        return LayoutResult(Layout.GOOGLE_FORMS, header, rows[1:], 2, ", ", metadata={header[0]})
    if _is_citizen_space(header, rows[1:]):
        metadata = {
            h
            for h in header
            if h.lower().startswith("analyst")
            or h.lower()
            in {"started on", "completed on", "started", "completed", "status", "submitted on"}
        }
        id_header = header[lowered.index("response id")] if "response id" in lowered else None
        return LayoutResult(
            Layout.CITIZEN_SPACE, header, rows[1:], 2, ", ", metadata=metadata, id_header=id_header
        )
    return LayoutResult(Layout.GENERIC, header, rows[1:], 2, _guess_separator(rows[1:]))


def _drop_leading_blank_rows(rows: list[list[str]]) -> list[list[str]]:
    start = 0
    while start < len(rows) and not any(c.strip() for c in rows[start]):
        start += 1
    return rows[start:]


def _is_qualtrics(rows: list[list[str]]) -> bool:
    first = {c.strip().lower() for c in rows[0]}
    third = [c.strip() for c in rows[2] if c.strip()]
    has_import_ids = (
        bool(third) and sum(c.startswith('{"ImportId"') for c in third) >= len(third) / 2
    )
    return (
        has_import_ids
        or len(QUALTRICS_META & first) >= 3
        and rows[1][0].strip().lower().startswith("start")
    )


def _qualtrics(rows: list[list[str]]) -> LayoutResult:
    internal = [c.strip() for c in rows[0]]
    texts = [t.strip() or i for t, i in zip(rows[1], internal, strict=False)]
    headers = _unique(texts)
    metadata = {
        h
        for h, i in zip(headers, internal, strict=True)
        if i.lower() in QUALTRICS_META
        or i in {"IPAddress", "Duration (in seconds)", "Status", "RecipientLastName", "RecipientFirstName",
                 "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
                 "DistributionChannel", "UserLanguage"}
    }  # fmt: skip
    id_header = next((h for h, i in zip(headers, internal, strict=True) if i == "ResponseId"), None)
    if id_header:
        metadata.discard(id_header)
    skip = 3 if len(rows) > 2 and rows[2] and rows[2][0].strip().startswith("{") else 2
    return LayoutResult(
        Layout.QUALTRICS,
        headers,
        rows[skip:],
        skip + 1,
        ",",
        metadata=metadata,
        id_header=id_header,
    )


def _is_surveymonkey(rows: list[list[str]]) -> bool:
    first = [c.strip().lower() for c in rows[0]]
    second = [c.strip().lower() for c in rows[1]]
    marked = sum(c in SURVEYMONKEY_ROW2 for c in second)
    return ("respondent id" in first or "collector id" in first) and marked >= 1


def _surveymonkey(rows: list[list[str]]) -> LayoutResult:
    """Fill the question over its option columns, then combine multi-select blocks."""
    questions: list[str] = []
    current = ""
    for q, opt in zip(rows[0], rows[1], strict=True):
        q, opt = q.strip(), opt.strip()
        if q:
            current = q
        questions.append(q or (current if opt else ""))
    blocks: dict[str, list[int]] = {}
    for index, question in enumerate(questions):
        blocks.setdefault(question, []).append(index)
    headers: list[str] = []
    keep: list[int] = []
    combined: dict[str, list[list[str]]] = {}
    options: dict[str, list[str]] = {}
    other_text: dict[str, list[str]] = {}
    data = rows[2:]
    for question, columns in blocks.items():
        labels = [rows[1][c].strip() for c in columns]
        multi = len(columns) > 1 and not all(label.lower() in SURVEYMONKEY_ROW2 for label in labels)
        if not multi:
            for c in columns:
                headers.append(
                    question if len(columns) == 1 else f"{question} - {rows[1][c].strip()}"
                )
                keep.append(c)
            continue
        headers.append(question)
        keep.append(-1)
        chosen_lists: list[list[str]] = []
        others: list[str] = []
        for row in data:
            chosen: list[str] = []
            other = ""
            for c, label in zip(columns, labels, strict=True):
                value = row[c].strip() if c < len(row) else ""
                if not value:
                    continue
                if label.lower().startswith("other") and value != label:
                    chosen.append(label)
                    other = value
                else:
                    chosen.append(label)
            chosen_lists.append(chosen)
            others.append(other)
        combined[question] = chosen_lists
        options[question] = labels
        other_text[question] = others
    new_rows = [[row[c] if 0 <= c < len(row) else "" for c in keep] for row in data]
    headers = _unique(headers)
    lowered = [h.lower() for h in headers]
    meta_words = (
        "collector id",
        "start date",
        "end date",
        "ip address",
        "email address",
        "first name",
        "last name",
        "custom data",
    )
    metadata = {h for h in headers if h.lower().startswith(meta_words)}
    id_header = headers[lowered.index("respondent id")] if "respondent id" in lowered else None
    return LayoutResult(
        Layout.SURVEYMONKEY, headers, new_rows, 3, ", ",
        combined=combined, options=options, other_text=other_text, metadata=metadata, id_header=id_header,
    )  # fmt: skip


def _is_citizen_space(header: list[str], data: list[list[str]]) -> bool:
    lowered = [h.lower() for h in header]
    if "response id" not in lowered:
        return False
    column = lowered.index("response id")
    values = [r[column].strip() for r in data[:200] if column < len(r) and r[column].strip()]
    ids_match = bool(values) and sum(bool(CITIZEN_SPACE_ID.match(v)) for v in values) >= 0.8 * len(
        values
    )
    return ids_match or any(h in lowered for h in ("started on", "completed on"))


def _guess_separator(data: list[list[str]]) -> str:
    semicolons = sum(c.count(";") for r in data[:200] for c in r)
    commas = sum(c.count(", ") for r in data[:200] for c in r)
    return ";" if semicolons > commas else ", "


def _unique(headers: list[str]) -> list[str]:
    """Make header names unique ("Comments", "Comments (2)") so columns can be named."""
    seen: dict[str, int] = {}
    result: list[str] = []
    for index, header in enumerate(headers):
        name = header or f"Column {index + 1}"
        key = name.lower()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
        else:
            seen[key] = 1
        result.append(name)
    return result


def unique_headers(headers: list[str]) -> list[str]:
    return _unique(headers)
