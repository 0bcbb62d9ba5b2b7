"""Recognising which survey tool wrote an export, and turning its header rows into one.

Most tools write one header row. SurveyMonkey writes two (question, then option: a multi-select
question spreads over one column per option with the question text only above the first);
Qualtrics writes three (internal ids, question texts, ImportId JSON). After this step every
export is one unique header per column plus data rows, and multi-select questions spread over
option columns are combined into lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sendconsult.survey import Layout

LAYOUT_NAMES: dict[Layout, str] = {
    Layout.CITIZEN_SPACE: "Citizen Space",
    Layout.SURVEYMONKEY: "SurveyMonkey",
    Layout.MS_FORMS: "Microsoft Forms",
    Layout.GOOGLE_FORMS: "Google Forms",
    Layout.QUALTRICS: "Qualtrics",
    Layout.GENERIC: "Generic (one header row)",
}

# The separator each tool puts between the options of a multi-select answer.
SEPARATORS: dict[Layout, str] = {
    Layout.CITIZEN_SPACE: ", ",
    Layout.GOOGLE_FORMS: ", ",
    Layout.MS_FORMS: ";",
    Layout.QUALTRICS: ",",
    Layout.SURVEYMONKEY: ", ",
    Layout.GENERIC: ", ",
}

# Column headings that name a response ID in some tool or hand-made spreadsheet.
ID_HEADERS = {
    "response id", "respondent id", "responseid", "response_id", "id", "reference",
    "response reference", "response number", "ref", "response ref", "response no",
    "submission id", "record id", "unique id",
}  # fmt: skip

SURVEYMONKEY_ROW2 = {"response", "open-ended response"}
CITIZEN_SPACE_ID = re.compile(r"^[A-Z]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]$")
CITIZEN_SPACE_META = {"started on", "completed on", "started", "completed", "submitted on"}
MS_FORMS_HEADERS = {"id", "start time", "completion time", "email", "name"}
MS_FORMS_META = {"start time", "completion time", "email", "name", "last modified time"}
QUALTRICS_META = {
    "startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)",
    "finished", "recordeddate", "recipientlastname", "recipientfirstname", "recipientemail",
    "externalreference", "externaldatareference", "locationlatitude", "locationlongitude",
    "distributionchannel", "userlanguage",
}  # fmt: skip
QUALTRICS_OTHER = re.compile(r"^(.+)_\d+_TEXT$")  # "Q1_7_TEXT": typed text of Q1's option 7
SURVEYMONKEY_META = (
    "collector id", "start date", "end date", "ip address", "email address", "first name",
    "last name", "custom data",
)  # fmt: skip


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
    # Columns holding the text typed into a question's "Other" box: text header -> question.
    other_columns: dict[str, str] = field(default_factory=dict)
    # The numbered placeholders of row 1 ("Ident 1", "Q1") when row 2 held the real headings.
    placeholders: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The tool's name as officers know it."""
        return LAYOUT_NAMES[self.layout]


def detect_layout(grid_rows: list[list[str]]) -> LayoutResult:
    """Pick the layout from header rows and values, and normalise the header."""
    skipped = 0
    while skipped < len(grid_rows) and not any(c.strip() for c in grid_rows[skipped]):
        skipped += 1  # leading blank rows still count for spreadsheet row numbers
    rows = grid_rows[skipped:]
    if not rows:
        return LayoutResult(Layout.GENERIC, [], [], skipped + 2, ", ")
    if len(rows) >= 3 and _is_qualtrics(rows):
        result = _qualtrics(rows)
    elif len(rows) >= 2 and _is_surveymonkey(rows):
        result = _surveymonkey(rows)
    elif len(rows) >= 3 and _has_placeholder_header(rows):
        width = max(len(rows[0]), len(rows[1]))
        texts = [
            _cell(rows[1], i).strip() or _cell(rows[0], i).strip() for i in range(width)
        ]  # question texts in row 2 are the real header; a blank keeps its placeholder
        result = _single_header([texts, *rows[2:]])
        result.first_data_row += 1
        result.placeholders = [c.strip() for c in rows[0] if c.strip()]
    else:
        result = _single_header(rows)
    result.first_data_row += skipped
    return result


# Headings some tools write above the real ones: "Ident 1", "Q3", "Column1", "Unnamed: 0".
PLACEHOLDER = re.compile(
    r"^(ident|id|q|question|column|col|field|var|variable|item|unnamed:?|f)[ _.:-]*\d+$",
    re.IGNORECASE,
)


QUESTION_START = re.compile(
    r"^(what|which|how|why|when|where|who|do|does|did|are|is|was|were|would|could|should|can|"
    r"have|has|please|to what extent|if|tell us|your|any)\b",
    re.IGNORECASE,
)


def _has_placeholder_header(rows: list[list[str]]) -> bool:
    """Row 1 is numbered placeholders and row 2 the question texts: a two-row header.

    Row 2 is taken for headings only when its cells are filled, read like questions or labels
    (a "?", "Please ...", "What ...", or a few words without a full stop), at least one like a
    question, and none of them appears again in its column below, as an answer would.
    """
    first = [c.strip() for c in rows[0] if c.strip()]
    if len(first) < 2 or sum(bool(PLACEHOLDER.match(c)) for c in first) < 0.8 * len(first):
        return False
    second = [c.strip() for c in rows[1]]
    filled = [c for c in second if c]
    if len(filled) < 0.6 * len(first) or any(PLACEHOLDER.match(c) for c in filled):
        return False
    asking = [c for c in filled if c.endswith(("?", ":")) or QUESTION_START.match(c)]
    labels = [c for c in filled if len(c.split()) <= 4 and not c.endswith(".")]
    if not asking or len(set(asking) | set(labels)) < 0.8 * len(filled):
        return False
    below = rows[2:202]
    return not any(
        cell and any(i < len(r) and r[i].strip() == cell for r in below)
        for i, cell in enumerate(second)
    )


def _single_header(rows: list[list[str]]) -> LayoutResult:
    """MS Forms, Google Forms, Citizen Space and anything else with one header row."""
    header = unique_headers(_trim(rows[0], [rows[0]]))
    lowered = [h.lower() for h in header]
    data = rows[1:]
    if MS_FORMS_HEADERS.issubset(set(lowered)):
        return LayoutResult(
            Layout.MS_FORMS, header, data, 2, ";",
            metadata={h for h in header if h.lower() in MS_FORMS_META},
            id_header=header[lowered.index("id")],
        )  # fmt: skip
    if lowered[0] == "timestamp":
        return LayoutResult(Layout.GOOGLE_FORMS, header, data, 2, ", ", metadata={header[0]})
    if _is_citizen_space(lowered, data):
        metadata = {
            h for h in header if h.lower().startswith("analyst") or h.lower() in CITIZEN_SPACE_META
        }
        return LayoutResult(
            Layout.CITIZEN_SPACE, header, data, 2, ", ",
            metadata=metadata, id_header=header[lowered.index("response id")],
        )  # fmt: skip
    return LayoutResult(Layout.GENERIC, header, data, 2, _guess_separator(data))


def _trim(header: list[str], header_rows: list[list[str]]) -> list[str]:
    """Header cells up to the last column any header row names (Excel pads rows with ",,,")."""
    width = max(
        (i + 1 for row in header_rows for i, cell in enumerate(row) if cell.strip()), default=0
    )
    cells = [c.strip() for c in header[:width]]
    return cells + [""] * (width - len(cells))


def _is_qualtrics(rows: list[list[str]]) -> bool:
    first = {c.strip().lower() for c in rows[0]}
    third = [c.strip() for c in rows[2] if c.strip()]
    import_ids = sum(c.startswith('{"ImportId"') for c in third)
    if third and import_ids >= len(third) / 2:
        return True
    return len(QUALTRICS_META & first) >= 3 and "responseid" in first


def _qualtrics(rows: list[list[str]]) -> LayoutResult:
    """Question texts (row 2) are the headers; ResponseId is the ID; row 3 is skipped if JSON."""
    internal = _trim(rows[0], rows[:2])
    texts = [
        (rows[1][i].strip() if i < len(rows[1]) else "") or internal[i]
        for i in range(len(internal))
    ]
    headers = unique_headers(texts)
    pairs = list(zip(headers, internal, strict=True))
    metadata = {h for h, i in pairs if i.lower() in QUALTRICS_META}
    id_header = next((h for h, i in pairs if i.lower() == "responseid"), None)
    skip = 3 if rows[2] and rows[2][0].strip().startswith("{") else 2
    by_id = {i: h for h, i in pairs}
    other_columns = {
        h: by_id[match.group(1)]
        for h, i in pairs
        if (match := QUALTRICS_OTHER.match(i)) and match.group(1) in by_id
    }
    return LayoutResult(
        Layout.QUALTRICS, headers, rows[skip:], skip + 1, ",",
        metadata=metadata, id_header=id_header, other_columns=other_columns,
    )  # fmt: skip


def _is_surveymonkey(rows: list[list[str]]) -> bool:
    first = {c.strip().lower() for c in rows[0]}
    second = [c.strip().lower() for c in rows[1]]
    marked = sum(c in SURVEYMONKEY_ROW2 for c in second)
    return ("respondent id" in first or "collector id" in first) and marked >= 1


@dataclass
class _Block:
    """The columns under one SurveyMonkey question, with their option-row labels."""

    question: str
    columns: list[int]
    labels: list[str]


def _surveymonkey(rows: list[list[str]]) -> LayoutResult:
    """Fill each question over its option columns, then combine multi-select blocks."""
    questions = _trim(rows[0], rows[:2])
    options_row = _trim(rows[1], rows[:2])
    data = rows[2:]
    blocks = _blocks(questions, options_row)
    headers: list[str] = []
    columns: list[list[str]] = []  # one list of cells per output column
    combined: dict[str, list[list[str]]] = {}
    other_text: dict[str, list[str]] = {}
    options: dict[str, list[str]] = {}
    for block in blocks:
        if _is_option_block(block, data):
            chosen, others = _combine(block, data)
            headers.append(block.question)
            combined[block.question] = chosen
            other_text[block.question] = others
            options[block.question] = [
                lbl for lbl in block.labels if lbl.lower() not in SURVEYMONKEY_ROW2
            ]
            columns.append([", ".join(c) for c in chosen])
            continue
        for c, label in zip(block.columns, block.labels, strict=True):
            single = len(block.columns) == 1 or label.lower() in SURVEYMONKEY_ROW2
            headers.append(block.question if single else f"{block.question} - {label}")
            columns.append([_cell(row, c) for row in data])
    unique = unique_headers(headers)
    renamed = dict(zip(headers, unique, strict=True))
    lowered = [h.lower() for h in unique]
    return LayoutResult(
        Layout.SURVEYMONKEY, unique, [list(r) for r in zip(*columns, strict=True)] if data else [],
        3, ", ",
        combined={renamed[q]: v for q, v in combined.items()},
        options={renamed[q]: v for q, v in options.items()},
        other_text={renamed[q]: v for q, v in other_text.items()},
        metadata={h for h in unique if h.lower().startswith(SURVEYMONKEY_META)},
        id_header=unique[lowered.index("respondent id")] if "respondent id" in lowered else None,
    )  # fmt: skip


def _blocks(questions: list[str], options_row: list[str]) -> list[_Block]:
    """A blank question cell with an option under it belongs to the question on its left."""
    blocks: list[_Block] = []
    for index, (question, label) in enumerate(zip(questions, options_row, strict=True)):
        if question or not blocks or not label:
            blocks.append(_Block(question, [index], [label]))
        else:
            blocks[-1].columns.append(index)
            blocks[-1].labels.append(label)
    return blocks


def _is_option_block(block: _Block, data: list[list[str]]) -> bool:
    """Option columns hold their own label when ticked; matrix and text boxes hold answers."""
    if len(block.columns) < 2:
        return False
    option_columns = [
        (c, label)
        for c, label in zip(block.columns, block.labels, strict=True)
        if label.lower() not in SURVEYMONKEY_ROW2 and not is_other_label(label)
    ]
    if not option_columns:
        return any(is_other_label(label) for label in block.labels)
    return all(
        _cell(row, c).strip().lower() in ("", label.lower())
        for c, label in option_columns
        for row in data
    )


def _combine(block: _Block, data: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """Each respondent's ticked options, and the text typed into the "Other" box."""
    chosen_lists: list[list[str]] = []
    others: list[str] = []
    for row in data:
        chosen: list[str] = []
        other = ""
        for c, label in zip(block.columns, block.labels, strict=True):
            value = _cell(row, c).strip()
            if not value:
                continue
            if label.lower() in SURVEYMONKEY_ROW2:
                chosen.append(value)  # a single-choice answer beside an "Other" box
            elif is_other_label(label):
                chosen.append("Other")
                other = value if value.lower() != label.lower() else ""
            else:
                chosen.append(label)
        chosen_lists.append(list(dict.fromkeys(chosen)))
        others.append(other)
    return chosen_lists, others


def is_other_label(label: str) -> bool:
    """ "Other", "Other (please specify)", "Other - please state": an option with a text box."""
    lowered = label.strip().lower()
    return lowered == "other" or lowered.startswith(("other (", "other -", "other:", "other,"))


def _cell(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def _is_citizen_space(lowered: list[str], data: list[list[str]]) -> bool:
    if "response id" not in lowered:
        return False
    column = lowered.index("response id")
    values = [r[column].strip() for r in data[:200] if column < len(r) and r[column].strip()]
    matching = sum(bool(CITIZEN_SPACE_ID.match(v)) for v in values)
    return (bool(values) and matching >= 0.8 * len(values)) or any(
        h in lowered for h in ("started on", "completed on")
    )


def _guess_separator(data: list[list[str]]) -> str:
    semicolons = sum(c.count(";") for r in data[:200] for c in r)
    commas = sum(c.count(", ") for r in data[:200] for c in r)
    return ";" if semicolons > commas else ", "


def unique_headers(headers: list[str]) -> list[str]:
    """Make header names unique ("Comments", "Comments (2)") and name blank ones ("Column 3")."""
    seen: dict[str, int] = {}
    result: list[str] = []
    for index, header in enumerate(headers):
        name = " ".join(header.split()) or f"Column {index + 1}"
        key = name.lower()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
        else:
            seen[key] = 1
        result.append(name)
    return result
