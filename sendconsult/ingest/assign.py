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
from sendconsult.ingest.consent import consent_of
from sendconsult.ingest.layouts import ID_HEADERS, LayoutResult
from sendconsult.ingest.options import IngestOptions
from sendconsult.ingest.roles import (
    ColumnStats,
    group_score,
    guess_role,
    header_words,
    looks_like_consent,
    looks_like_groups,
    looks_like_id,
    personal_header,
)
from sendconsult.survey import Consent, Role

RoleChoice = tuple[Role, str]
ID_WORDS = re.compile(r"\b(id|ref|reference|number|no|identifier)\b|#", re.IGNORECASE)
# Headers that say "the ID of this response" rather than of something else (a publication).
RESPONSE_ID_WORDS = re.compile(
    r"^(response|respondent|comment|submission|feedback|record|unique|entry|answer|row|case)? ?"
    r"(id|identifier|ref|reference|number|no)$",
    re.IGNORECASE,
)
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
    not_personal = _not_personal(path, layout.headers, options)
    n_rows = len(next(iter(columns.values()), []))
    roles: dict[str, RoleChoice] = {}
    for header in layout.headers:
        roles[header] = forced.get(header) or _from_layout(
            header, layout, columns, stats, n_rows, allow_personal=header not in not_personal
        )
        if header in not_personal and header not in forced:
            role, reason = roles[header]
            roles[header] = (role, f"{reason} (not personal: named by the officer)")
    _choose_group(roles, layout.headers, columns, stats, forced, n_rows)
    _choose_consent(roles, layout.headers, columns, forced)
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
    *,
    allow_personal: bool = True,
) -> RoleChoice:
    """What the tool's layout says about a column, else what its values say."""
    if header == layout.id_header:
        return Role.ID, f"detected: {layout.name} response ID"
    if header in layout.metadata:
        if allow_personal and (
            personal_header(header) or stats[header].personal_share >= 0.5
        ):
            return Role.PERSONAL, f"detected: {layout.name} respondent details; never shown"
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
    return guess_role(header, stats[header], n_rows, allow_personal=allow_personal)


def _choose_group(
    roles: dict[str, RoleChoice],
    headers: list[str],
    columns: Mapping[str, list[str]],
    stats: Mapping[str, ColumnStats],
    forced: Mapping[str, RoleChoice],
    n_rows: int,
) -> None:
    """The respondent-group column: the officer's, else the best candidate by header words and
    value shape. The other candidates stay closed questions, and their reason names them so
    `inspect` shows the choice and the config can make another."""
    if any(role is Role.GROUP for role, _ in forced.values()):
        candidates = []
    else:
        scores = {
            h: group_score(h, columns[h], stats[h], n_rows)
            for h in headers
            if h not in forced and roles[h][0] in (Role.GROUP, Role.CLOSED)
        }
        candidates = sorted((h for h in scores if scores[h]), key=lambda h: -scores[h])
    if not candidates:
        return
    chosen, others = candidates[0], candidates[1:]
    distinct = stats[chosen].distinct
    also = f"; other candidates: {', '.join(repr(o) for o in others)}" if others else ""
    roles[chosen] = (
        Role.GROUP,
        f"detected: respondent-group question (header and {distinct} repeating answers){also}",
    )
    for other in others:
        roles[other] = (
            Role.CLOSED,
            f"detected: closed question; could be the respondent groups ('{chosen}' is used: "
            "name the group column to choose another)",
        )


def _choose_consent(
    roles: dict[str, RoleChoice],
    headers: list[str],
    columns: Mapping[str, list[str]],
    forced: Mapping[str, RoleChoice],
) -> None:
    """Of several consent candidates, the one whose answers read as publication choices; the
    others (a publication's status or date) are bookkeeping."""
    candidates = [h for h in headers if roles[h][0] is Role.CONSENT and h not in forced]
    if len(candidates) < 2 or any(r is Role.CONSENT for r, _ in forced.values()):
        return

    def understood(header: str) -> tuple[float, int]:
        """Share of its answers read as a choice, and how many different choices."""
        values = {v for v in columns[header] if v.strip()}
        choices = [consent_of(v) for v in values]
        known = [c for c in choices if c is not Consent.UNKNOWN]
        return len(known) / max(1, len(values)), len(set(known))

    best = max(candidates, key=understood)
    for header in candidates:
        if header != best:
            roles[header] = (Role.METADATA, f"detected: about publication, but '{best}' holds "
                             "the consent answers")


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
        found = _id_by_meaning(roles, headers, columns)
        if found is not None:
            roles[found] = (Role.ID, "detected: the header says ID and its values are unique")
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


def _id_by_meaning(
    roles: Mapping[str, RoleChoice], headers: list[str], columns: Mapping[str, list[str]]
) -> str | None:
    """A column whose header says it is the response's ID ("id", "response_id", "Comment ID")
    and whose values are (nearly) unique, whatever they look like ("NEAS 111 1648 - Q1")."""
    for header in headers:
        if roles[header][0] not in (Role.CLOSED, Role.TEXT, Role.METADATA):
            continue
        words = header_words(header).lower()
        named = words in ID_HEADERS or bool(RESPONSE_ID_WORDS.match(words))
        if named and looks_like_id(columns[header], min_unique=0.95, spaces_allowed=True):
            return header
    return None


def _not_personal(path: Path, headers: list[str], options: IngestOptions) -> set[str]:
    """Columns the officer says are not personal (config `not_personal`,
    --not-personal-column): detection then decides their role without that reading."""
    named = [(n, "--not-personal-column") for n in options.not_personal_columns]
    settings = options.config.columns if options.config is not None else None
    if settings is not None:
        named += [(n, "config") for n in settings.not_personal]
    return {find_column(path, n, headers, source) for n, source in named}


def _has(roles: Mapping[str, RoleChoice], role: Role) -> bool:
    return any(r is role for r, _ in roles.values())


def _forced_roles(path: Path, headers: list[str], options: IngestOptions) -> dict[str, RoleChoice]:
    """Header -> role for every column the officer named; flags are applied last so they win."""
    named: list[tuple[str, Role, str]] = []
    settings = options.config.columns if options.config is not None else None
    if settings is not None:
        named += [(n, Role.IGNORED, "config") for n in settings.ignore]
        named += [(n, Role.PERSONAL, "config: personal") for n in settings.personal]
        named += [(n, Role.CLOSED, "config") for n in settings.closed]
        if not options.text_columns:  # --text-column replaces the config's list
            named += [(n, Role.TEXT, "config") for n in settings.text]
        for name, role in (
            (settings.consent, Role.CONSENT),
            (None if options.group_column else settings.group, Role.GROUP),  # the flag wins
            (None if options.id_column else settings.id, Role.ID),
        ):
            if name:
                named.append((name, role, "config"))
    named += [(n, Role.TEXT, "--text-column") for n in options.text_columns]
    named += [(n, Role.PERSONAL, "--personal-column") for n in options.personal_columns]
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
    where = "in the config file" if source.startswith("config") else f"with {source}"
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
