"""Deciding every column's role: the officer's choices first, then the layout, then the values.

Command-line flags beat the project config, which beats detection. Each role carries the reason
shown by `inspect` ("--text-column", "config", "detected: 92% filled, mean 41 words"), so an
officer can see why a column was, or was not, analysed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path

from sendconsult.errors import ColumnError
from sendconsult.ingest.layouts import ID_HEADERS, LayoutResult
from sendconsult.ingest.options import IngestOptions
from sendconsult.ingest.roles import (
    ColumnStats,
    guess_role,
    looks_like_consent,
    looks_like_groups,
    looks_like_id,
)
from sendconsult.survey import Role

RoleChoice = tuple[Role, str]
ID_WORDS = re.compile(r"\b(id|ref|reference|number|no)\b|#", re.IGNORECASE)
SINGLE_ROLES = (Role.ID, Role.GROUP, Role.CONSENT)


def assign_roles(
    path: Path,
    layout: LayoutResult,
    columns: Mapping[str, list[str]],
    stats: Mapping[str, ColumnStats],
    options: IngestOptions,
) -> dict[str, RoleChoice]:
    """One role and reason per header; raises ColumnError for a named column that isn't there."""
    forced = _forced_roles(path, layout.headers, options)
    n_rows = len(next(iter(columns.values()), []))
    roles: dict[str, RoleChoice] = {}
    for header in layout.headers:
        roles[header] = forced.get(header) or _from_layout(header, layout, columns, stats, n_rows)
    _keep_one_of_each(roles, layout.headers, forced)
    _find_missing_by_values(roles, layout.headers, columns, set(forced))
    source = _text_source(options)
    if source is not None:
        for header, (role, _) in roles.items():
            if role is Role.TEXT and header not in forced:
                roles[header] = (Role.IGNORED, f"not analysed: {source} names the text columns")
    return roles


def _from_layout(
    header: str,
    layout: LayoutResult,
    columns: Mapping[str, list[str]],
    stats: Mapping[str, ColumnStats],
    n_rows: int,
) -> RoleChoice:
    """What the tool's layout says about a column, else what its values say."""
    if header == layout.id_header:
        return Role.ID, f"detected: {layout.name} response ID"
    if header in layout.metadata:
        return Role.METADATA, f"detected: {layout.name} bookkeeping column"
    if header in layout.other_columns:
        question = layout.other_columns[header]
        return Role.METADATA, f"detected: text typed for 'Other' in '{question}'"
    if stats[header].fill_rate == 0:
        return Role.IGNORED, "detected: empty"
    if header in layout.combined:
        role, _ = guess_role(header, stats[header], n_rows)
        if role is Role.GROUP or looks_like_groups(columns[header]):
            return Role.GROUP, "detected: multi-select respondent question over option columns"
        return Role.CLOSED, "detected: multi-select question over option columns"
    return guess_role(header, stats[header], n_rows)


def _keep_one_of_each(
    roles: dict[str, RoleChoice], headers: list[str], forced: Mapping[str, RoleChoice]
) -> None:
    """At most one ID, group and consent column: the officer's choice, else the first found."""
    for role in SINGLE_ROLES:
        chosen = [h for h in headers if roles[h][0] is role]
        keep = next((h for h in chosen if h in forced), chosen[0] if chosen else None)
        for header in chosen:
            if header != keep:
                demoted = Role.METADATA if role is Role.ID else Role.CLOSED
                roles[header] = (
                    demoted,
                    f"detected: a second {role.value} column ('{keep}' is used)",
                )


def _find_missing_by_values(
    roles: dict[str, RoleChoice],
    all_headers: list[str],
    columns: Mapping[str, list[str]],
    forced: set[str],
) -> None:
    """When no header gave them away, look for an ID, group and consent column by their values.

    Columns the officer named (`forced`) are never second-guessed.
    """
    headers = [h for h in all_headers if h not in forced]
    if not _has(roles, Role.ID):
        for header in headers:
            if roles[header][0] not in (Role.CLOSED, Role.TEXT, Role.METADATA):
                continue
            named = header.strip().lower() in ID_HEADERS or bool(ID_WORDS.search(header))
            first_unique = header == all_headers[0] and len(columns[header]) >= 10
            if (named and looks_like_id(columns[header], min_unique=0.5)) or (
                first_unique and looks_like_id(columns[header])
            ):
                roles[header] = (Role.ID, "detected: short unique values, like response IDs")
                break
    if not _has(roles, Role.GROUP):
        for header in headers:
            if roles[header][0] is Role.CLOSED and looks_like_groups(columns[header]):
                roles[header] = (Role.GROUP, "detected: answers name kinds of respondent")
                break
    if not _has(roles, Role.CONSENT):
        for header in headers:
            if roles[header][0] is Role.CLOSED and looks_like_consent(columns[header]):
                roles[header] = (Role.CONSENT, "detected: answers are publication choices")
                break


def _has(roles: Mapping[str, RoleChoice], role: Role) -> bool:
    return any(r is role for r, _ in roles.values())


def _forced_roles(path: Path, headers: list[str], options: IngestOptions) -> dict[str, RoleChoice]:
    """Header -> role for every column the officer named; flags are applied last so they win."""
    named: list[tuple[str, Role, str]] = []
    settings = options.config.columns if options.config is not None else None
    if settings is not None:
        named += [(n, Role.IGNORED, "config") for n in settings.ignore]
        named += [(n, Role.CLOSED, "config") for n in settings.closed]
        if not options.text_columns:  # --text-column replaces the config's list
            named += [(n, Role.TEXT, "config") for n in settings.text]
        for name, role in (
            (settings.consent, Role.CONSENT),
            (settings.group, Role.GROUP),
            (settings.id, Role.ID),
        ):
            if name:
                named.append((name, role, "config"))
    named += [(n, Role.TEXT, "--text-column") for n in options.text_columns]
    if options.group_column:
        named.append((options.group_column, Role.GROUP, "--group-column"))
    if options.id_column:
        named.append((options.id_column, Role.ID, "--id-column"))
    return {find_column(path, n, headers, source): (role, source) for n, role, source in named}


def _text_source(options: IngestOptions) -> str | None:
    """Who chose the text columns, if anyone: then no other column is analysed as text."""
    if options.text_columns:
        return "--text-column"
    if options.config is not None and options.config.columns.text:
        return "config"
    return None


def find_column(path: Path, name: str, headers: list[str], source: str) -> str:
    """The header the officer meant (case and spacing ignored), or a ColumnError with hints."""
    if name in headers:
        return name
    folded = {_fold(h): h for h in headers}
    if _fold(name) in folded:
        return folded[_fold(name)]
    close = difflib.get_close_matches(_fold(name), list(folded), n=2, cutoff=0.6)
    hint = " or ".join(f"'{folded[c]}'" for c in close)
    suggestion = f"did you mean {hint}? " if close else ""
    where = "in the config file" if source == "config" else f"with {source}"
    raise ColumnError(
        f"Column '{name}' (given {where}) was not found in {path.name}; {suggestion}"
        f"Columns are: {list_headers(headers)}."
    )


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def list_headers(headers: list[str], limit: int = 15) -> str:
    """Headers quoted for a message, shortened when there are many."""
    shown = ", ".join(f"'{h}'" for h in headers[:limit])
    return shown + (f" and {len(headers) - limit} more" if len(headers) > limit else "")
