"""Reading a consultation export into a normalised `Survey`.

    file --readers--> grid of strings --layouts--> one header + rows --cleaning--> clean cells
         --roles--> what each column holds --> Survey (ids, groups, consent, questions)

Officer choices win over detection: command-line flags, then the project config, then what the
values say. Every decision is recorded in `Survey.columns` so `inspect` and the report can show it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sendconsult.config import ProjectConfig
from sendconsult.errors import ColumnError, ExportError
from sendconsult.ingest.cleaning import DEFAULT_NON_ANSWERS, clean_cell, is_non_answer
from sendconsult.ingest.layouts import ID_HEADERS, SEPARATORS, LayoutResult, detect_layout
from sendconsult.ingest.multiselect import learn_options, split_selection
from sendconsult.ingest.readers import read_grid
from sendconsult.ingest.roles import (
    column_stats,
    guess_role,
    looks_like_consent,
    looks_like_groups,
    looks_like_id,
)
from sendconsult.survey import (
    CONSENT,
    FIXED_COLUMNS,
    GROUPS,
    GROUPS_RAW,
    RESPONSE_ID,
    SOURCE_ROW,
    ColumnInfo,
    Consent,
    Role,
    Survey,
)

__all__ = ["IngestOptions", "load_survey"]


@dataclass(frozen=True)
class IngestOptions:
    """The officer's overrides: command-line flags and the loaded project config."""

    sheet: str | None = None
    id_column: str | None = None
    group_column: str | None = None
    text_columns: tuple[str, ...] = ()
    config: ProjectConfig | None = None


def load_survey(path: Path, options: IngestOptions | None = None) -> Survey:
    """Read an export file into a Survey, or raise an error saying what to do."""
    options = options or IngestOptions()
    path = Path(path)
    grid = read_grid(path, options.sheet)
    layout = detect_layout(grid.rows)
    if not layout.headers or not any(h.strip() for h in layout.headers):
        raise ExportError(
            f"{path.name} has no header row; export the responses again with column headings."
        )
    warnings: list[str] = []
    rows, source_rows = _clean_rows(path, layout, warnings)
    if not rows:
        raise ExportError(
            f"{path.name} has column headings but no responses; check the export was taken after "
            "the consultation closed."
        )
    config = options.config
    columns = {h: [r[i] for r in rows] for i, h in enumerate(layout.headers)}
    roles = _assign_roles(path, layout, columns, options, config)
    text_questions = [h for h in layout.headers if roles[h][0] is Role.TEXT]
    if not text_questions:
        raise ExportError(
            f"No free-text column was found in {path.name}; name one with --text-column "
            f"(columns are: {_list(layout.headers)})."
        )
    survey = _build(path, layout, rows, source_rows, roles, columns, config, warnings)
    survey.sheet = grid.sheet
    return survey


def _clean_rows(
    path: Path, layout: LayoutResult, warnings: list[str]
) -> tuple[list[list[str]], list[int]]:
    width = len(layout.headers)
    rows: list[list[str]] = []
    source_rows: list[int] = []
    blank: list[int] = []
    long_rows: list[int] = []
    for offset, row in enumerate(layout.rows):
        number = layout.first_data_row + offset
        if len(row) > width and any(c.strip() for c in row[width:]):
            long_rows.append(number)
        cells = [clean_cell(c) for c in row[:width]] + [""] * max(0, width - len(row))
        combined_here = any(
            layout.combined.get(h) and layout.combined[h][offset] for h in layout.combined
        )
        if not any(cells) and not combined_here:
            blank.append(number)
            continue
        rows.append(cells)
        source_rows.append(number)
    if blank:
        warnings.append(f"{len(blank)} blank rows were skipped (rows {_rows(blank)}).")
    if long_rows:
        warnings.append(
            f"{len(long_rows)} rows have more cells than there are column headings (rows "
            f"{_rows(long_rows)}); the extra cells were ignored. Check the export for stray separators."
        )
    layout.rows = [layout.rows[n - layout.first_data_row] for n in source_rows]
    for header, lists in list(layout.combined.items()):
        layout.combined[header] = [lists[n - layout.first_data_row] for n in source_rows]
    for header, texts in list(layout.other_text.items()):
        layout.other_text[header] = [texts[n - layout.first_data_row] for n in source_rows]
    return rows, source_rows


def _assign_roles(
    path: Path,
    layout: LayoutResult,
    columns: dict[str, list[str]],
    options: IngestOptions,
    config: ProjectConfig | None,
) -> dict[str, tuple[Role, str]]:
    headers = layout.headers
    settings = config.columns if config else None
    forced: dict[str, tuple[Role, str]] = {}

    def force(name: str | None, role: Role, source: str) -> None:
        if name:
            forced[_find_column(path, name, headers, source)] = (role, source)

    if settings:
        for name in settings.ignore:
            force(name, Role.IGNORED, "config")
        for name in settings.closed:
            force(name, Role.CLOSED, "config")
        for name in settings.text:
            force(name, Role.TEXT, "config")
        force(settings.consent, Role.CONSENT, "config")
        force(settings.group, Role.GROUP, "config")
        force(settings.id, Role.ID, "config")
    if options.text_columns:
        for header, (role, _) in list(forced.items()):
            if role is Role.TEXT:
                del forced[header]
    for name in options.text_columns:
        force(name, Role.TEXT, "--text-column")
    force(options.group_column, Role.GROUP, "--group-column")
    force(options.id_column, Role.ID, "--id-column")

    roles: dict[str, tuple[Role, str]] = {}
    separator = SEPARATORS[layout.layout]
    n_rows = len(next(iter(columns.values()), []))
    for header in headers:
        if header in forced:
            roles[header] = forced[header]
        elif header == layout.id_header:
            roles[header] = (Role.ID, f"detected: {layout.layout.value} response ID")
        elif header in layout.metadata:
            roles[header] = (Role.METADATA, f"detected: {layout.layout.value} bookkeeping column")
        elif header in layout.combined:
            roles[header] = (Role.GROUP, "detected: multi-select question over option columns")
        else:
            roles[header] = guess_role(header, column_stats(columns[header], separator), n_rows)
    _settle_single(roles, headers, columns, forced, options, layout)
    if options.text_columns:
        for header, (role, _) in roles.items():
            if role is Role.TEXT and header not in forced:
                roles[header] = (Role.IGNORED, "not analysed: --text-column chose the text columns")
    return roles


def _settle_single(
    roles: dict[str, tuple[Role, str]],
    headers: list[str],
    columns: dict[str, list[str]],
    forced: dict[str, tuple[Role, str]],
    options: IngestOptions,
    layout: LayoutResult,
) -> None:
    """At most one ID, one group and one consent column; find them by values if headers didn't."""
    for role in (Role.ID, Role.GROUP, Role.CONSENT):
        chosen = [h for h in headers if roles[h][0] is role]
        keep = next((h for h in chosen if h in forced), chosen[0] if chosen else None)
        for h in chosen:
            if h != keep:
                roles[h] = (
                    Role.CLOSED if role is not Role.ID else Role.METADATA,
                    f"detected: a second {role.value} column",
                )
    if not any(r is Role.ID for r, _ in roles.values()):
        for h in headers:
            if (
                h.strip().lower() in ID_HEADERS
                and roles[h][0] not in (Role.TEXT,)
                and looks_like_id(columns[h], min_unique=0.5)
            ):
                roles[h] = (Role.ID, "detected: unique values under an ID heading")
                break
    if not any(r is Role.GROUP for r, _ in roles.values()):
        for h in headers:
            if roles[h][0] is Role.CLOSED and looks_like_groups(columns[h]):
                roles[h] = (Role.GROUP, "detected: answers name kinds of respondent")
                break
    if not any(r is Role.CONSENT for r, _ in roles.values()):
        for h in headers:
            if roles[h][0] is Role.CLOSED and looks_like_consent(columns[h]):
                roles[h] = (Role.CONSENT, "detected: answers are publication choices")
                break


def _build(
    path: Path,
    layout: LayoutResult,
    rows: list[list[str]],
    source_rows: list[int],
    roles: dict[str, tuple[Role, str]],
    columns: dict[str, list[str]],
    config: ProjectConfig | None,
    warnings: list[str],
) -> Survey:
    headers = layout.headers
    id_col = next((h for h in headers if roles[h][0] is Role.ID), None)
    group_col = next((h for h in headers if roles[h][0] is Role.GROUP), None)
    consent_col = next((h for h in headers if roles[h][0] is Role.CONSENT), None)
    text_qs = [h for h in headers if roles[h][0] is Role.TEXT]
    closed_qs = [h for h in headers if roles[h][0] is Role.CLOSED]

    ids = _response_ids(columns.get(id_col) if id_col else None, source_rows, warnings, path)
    separator = SEPARATORS[layout.layout]
    groups, groups_raw, group_options, other_texts = _groups(
        layout, group_col, columns, ids, separator, config
    )
    non_answers = frozenset(
        " ".join(v.lower().split())
        for v in (
            config.non_answers if config and config.non_answers is not None else DEFAULT_NON_ANSWERS
        )
    )
    data: dict[str, list[object]] = {
        RESPONSE_ID: ids,
        SOURCE_ROW: source_rows,
        GROUPS: groups,
        GROUPS_RAW: groups_raw,
        CONSENT: [consent_of(v) for v in columns[consent_col]]
        if consent_col
        else [Consent.UNKNOWN] * len(ids),
    }
    for q in text_qs:
        data[_safe_name(q)] = [
            v if v and not is_non_answer(v, non_answers) else None for v in columns[q]
        ]
    for q in closed_qs:
        data[_safe_name(q)] = [v or None for v in columns[q]]
    # object dtype keeps None as None (pandas would otherwise infer strings with NaN).
    frame = pd.DataFrame(
        {k: pd.Series(v, dtype="int64" if k == SOURCE_ROW else object) for k, v in data.items()}
    )
    empty = [
        rid for rid, (_, row) in zip(ids, frame.iterrows(), strict=True)
        if all(row[_safe_name(q)] is None for q in text_qs + closed_qs) and not row[GROUPS]
    ]  # fmt: skip
    if empty:
        warnings.append(
            f"{len(empty)} responses have no answers at all (e.g. {', '.join(empty[:3])}); they are "
            "counted as responses without free text."
        )
    infos = [
        ColumnInfo(
            name=h,
            role=roles[h][0],
            reason=roles[h][1],
            fill_rate=column_stats(columns[h], separator).fill_rate if h in columns else 0.0,
            mean_words=column_stats(columns[h], separator).mean_words if h in columns else 0.0,
            distinct=column_stats(columns[h], separator).distinct if h in columns else 0,
        )
        for h in headers
    ]
    return Survey(
        source=path,
        layout=layout.layout,
        responses=frame,
        text_questions=[_safe_name(q) for q in text_qs],
        closed_questions=[_safe_name(q) for q in closed_qs],
        columns=infos,
        group_column=group_col,
        consent_column=consent_col,
        id_column=id_col,
        group_options=group_options,
        other_texts=other_texts,
        warnings=warnings,
    )


def _safe_name(question: str) -> str:
    """Question columns never collide with the fixed columns of Survey.responses."""
    return f"{question} (question)" if question in FIXED_COLUMNS else question


def _response_ids(
    values: list[str] | None, source_rows: list[int], warnings: list[str], path: Path
) -> list[str]:
    if values is None:
        warnings.append(
            f"No response ID column was found in {path.name}; IDs were made from spreadsheet row "
            f"numbers (row-{source_rows[0]:04d} is row {source_rows[0]})."
        )
        return [f"row-{n:04d}" for n in source_rows]
    ids: list[str] = []
    seen: dict[str, int] = {}
    duplicates: list[str] = []
    blanks: list[int] = []
    for value, number in zip(values, source_rows, strict=True):
        rid = value.strip()
        if not rid:
            rid = f"row-{number:04d}"
            blanks.append(number)
        if rid in seen:
            seen[rid] += 1
            duplicates.append(f"{rid} (row {number})")
            rid = f"{rid}#{seen[rid]}"
        else:
            seen[rid] = 1
        ids.append(rid)
    if duplicates:
        warnings.append(
            f"{len(duplicates)} response IDs appear more than once: {', '.join(duplicates[:5])}"
            f"{' …' if len(duplicates) > 5 else ''}; every row was kept and the repeats renamed ID#2, ID#3."
        )
    if blanks:
        warnings.append(
            f"{len(blanks)} responses have no ID (rows {_rows(blanks)}); they were given row-based IDs."
        )
    return ids


def _groups(
    layout: LayoutResult,
    group_col: str | None,
    columns: dict[str, list[str]],
    ids: list[str],
    separator: str,
    config: ProjectConfig | None,
) -> tuple[list[list[str]], list[str], list[str], dict[str, str]]:
    n = len(ids)
    if group_col is None:
        return [[] for _ in range(n)], [""] * n, [], {}
    other_texts: dict[str, str] = {}
    if group_col in layout.combined:
        lists = layout.combined[group_col]
        groups = [
            ["Other" if o.lower().startswith("other") else o for o in chosen] for chosen in lists
        ]
        raw = [", ".join(chosen) for chosen in lists]
        for rid, text in zip(ids, layout.other_text.get(group_col, [""] * n), strict=True):
            if text:
                other_texts[rid] = text
        options = [
            ("Other" if o.lower().startswith("other") else o)
            for o in layout.options.get(group_col, [])
        ]
        return groups, raw, list(dict.fromkeys(options)), other_texts
    values = columns[group_col]
    known = learn_options(values, separator, config.group_options if config else ())
    groups = []
    for rid, value in zip(ids, values, strict=True):
        selection = split_selection(value, separator, known)
        groups.append(list(selection.options))
        if selection.other_text:
            other_texts[rid] = selection.other_text
    counts: dict[str, int] = {}
    for chosen in groups:
        for option in chosen:
            counts[option] = counts.get(option, 0) + 1
    options = sorted(counts, key=lambda o: (-counts[o], o))
    return groups, list(values), options, other_texts


def consent_of(value: str) -> Consent:
    """A publication answer as a Consent decision."""
    text = " ".join(value.lower().split())
    if not text:
        return Consent.UNKNOWN
    if (
        "do not" in text
        or "don't" in text
        or "not publish" in text
        or "not be published" in text
        or text in {"no", "n"}
    ):
        return Consent.WITHHOLD
    if "anonym" in text or "without my name" in text:
        return Consent.ANONYMOUS
    if "publish" in text or "full" in text or text in {"yes", "y"} or text.startswith("yes"):
        return Consent.PUBLISH
    if text.startswith("no"):
        return Consent.WITHHOLD
    return Consent.UNKNOWN


def _find_column(path: Path, name: str, headers: list[str], source: str) -> str:
    if name in headers:
        return name
    lowered = {h.lower().strip(): h for h in headers}
    if name.lower().strip() in lowered:
        return lowered[name.lower().strip()]
    close = difflib.get_close_matches(name, headers, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise ColumnError(
        f"Column '{name}' (from {source}) is not in {path.name}; {hint}Columns are: {_list(headers)}."
    )


def _list(headers: list[str], limit: int = 12) -> str:
    shown = ", ".join(f"'{h}'" for h in headers[:limit])
    return shown + (f" and {len(headers) - limit} more" if len(headers) > limit else "")


def _rows(numbers: list[int], limit: int = 8) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown + (" …" if len(numbers) > limit else "")
