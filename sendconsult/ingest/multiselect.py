"""Splitting "tick all that apply" answers without breaking options that contain the separator.

Citizen Space and Google Forms join options with ", ", yet options themselves contain commas
("Education professional (school, college or early years setting)"). Pieces are re-joined when
together they form a known option (from the config, or seen as a whole single answer), when
brackets are left open, or when they continue an "Other (please specify): ..." answer.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

OTHER_PREFIXES = (
    "other (please specify)",
    "other - please specify",
    "other (please state)",
    "other:",
    "other",
)


@dataclass(frozen=True)
class Selection:
    """The options one respondent ticked, and the text they typed for "Other"."""

    options: tuple[str, ...]
    other_text: str = ""


def learn_options(
    values: Iterable[str], separator: str, configured: Iterable[str] = ()
) -> set[str]:
    """Options known for sure: configured ones, and whole answers that are a single option.

    A value counts as a single option when it does not split, or splits only into pieces that
    leave a bracket open. A lower-case single answer ("aunt") is usually a typed "Other" answer,
    so it is learned only when several respondents gave it or most single answers are
    lower-case too (a survey whose options are all lower-case).
    """
    known = {o.strip() for o in configured if o.strip()}
    counts = Counter(v.strip().rstrip(";").strip() for v in values)
    lower: list[str] = []
    singles = 0
    for value in sorted(counts, key=len):  # shortest first: single options are learned first
        if not value or _is_other(value):
            continue
        selection = split_selection(value, separator, known | set(lower))
        if len(selection.options) == 1 and selection.options[0] != "Other":
            singles += 1
            known.add(selection.options[0])
        elif _continues(value) and separator.strip() not in value:
            singles += 1
            lower.append(value)
    if lower and (len(lower) * 2 > singles or all(counts[v] > 1 for v in lower)):
        return known | set(lower)
    return known | {v for v in lower if counts[v] > 1}


def split_selection(
    value: str, separator: str, known: set[str], *, closed: bool = False
) -> Selection:
    """Split one multi-select cell into its options (whole), folding "Other: text" to "Other".

    `closed`: the known options are the survey's full list (from the config), so anything
    else a respondent wrote is typed "Other" text.
    """
    value = value.strip()
    if not value:
        return Selection(())
    raw_separator = separator if separator.strip() != ";" else ";"
    pieces = [p.strip() for p in value.split(raw_separator)]
    pieces = [p for p in pieces if p]
    known_lower = {_key(k): k for k in known}
    options: list[str] = []
    other_parts: list[str] = []
    in_other = False
    i = 0
    while i < len(pieces):
        if in_other:
            longest = _longest_known(pieces, i, raw_separator, known_lower)
            if longest is None:
                other_parts.append(pieces[i])
                i += 1
                continue
            in_other = False
        longest = _longest_known(pieces, i, raw_separator, known_lower)
        if longest is not None:
            end, option = longest
            options.append(option)
            i = end
            continue
        piece, i = _balanced(pieces, i, raw_separator)
        if _continues(piece) or (closed and _key(piece) not in known_lower):
            # Forms tools write a typed "Other" answer as a bare lower-case option.
            options.append("Other")
            other_parts.append(piece)
            continue
        piece, i = _join_continuations(piece, pieces, i, raw_separator, known_lower)
        prefix = _known_prefix(piece, known_lower)
        if prefix is not None:
            # "Known option, typed text": the tool appended an "Other" answer to an option.
            options.extend([prefix[0], "Other"])
            other_parts.append(prefix[1])
            continue
        if _is_other(piece):
            options.append("Other")
            text = _other_text(piece)
            if text:
                other_parts.append(text)
            in_other = True
            continue
        options.append(piece)
    unique = tuple(dict.fromkeys(options))
    joiner = ", " if raw_separator != ";" else "; "
    return Selection(unique, joiner.join(other_parts).strip())


def _join_continuations(
    piece: str, pieces: list[str], i: int, separator: str, known_lower: dict[str, str]
) -> tuple[str, int]:
    """An unknown option followed by lower-case pieces: "Voluntary" + "community or charity"."""
    while (
        separator != ";"
        and i < len(pieces)
        and _key(piece) not in known_lower
        and not piece.endswith(")")
        and _continues(pieces[i])
        and _longest_known(pieces, i, separator, known_lower) is None
    ):
        piece = f"{piece}, {pieces[i]}"
        i += 1
    return piece, i


def _longest_known(
    pieces: list[str], start: int, separator: str, known_lower: dict[str, str]
) -> tuple[int, str] | None:
    for end in range(len(pieces), start, -1):
        candidate = _key(separator.join(pieces[start:end]))
        if candidate in known_lower and not _is_other(candidate):
            return end, known_lower[candidate]
    return None


def _balanced(pieces: list[str], start: int, separator: str) -> tuple[str, int]:
    """Join pieces while a bracket is left open: "X (a" + "b)" -> "X (a, b)"."""
    joined = pieces[start]
    end = start + 1
    while _unbalanced(joined) and end < len(pieces):
        joined = (
            f"{joined}{separator}{pieces[end]}" if separator == ";" else f"{joined}, {pieces[end]}"
        )
        end += 1
    return joined, end


def _known_prefix(piece: str, known_lower: dict[str, str]) -> tuple[str, str] | None:
    """ "Known option, typed text" -> (option, text): a tool appended an "Other" answer."""
    if _key(piece) in known_lower:
        return None
    lowered = piece.lower()
    for option in sorted(known_lower.values(), key=len, reverse=True):
        prefix = option.lower() + ", "
        if lowered.startswith(prefix) and not _is_other(option):
            rest = piece[len(prefix) :].strip()
            if rest:
                return option, rest
    return None


@functools.lru_cache(maxsize=8192)
def _key(text: str) -> str:
    """Options compared without case or spacing around separators ("A,b" = "a, B")."""
    return re.sub(r"\s*([,;])\s*", r"\1", " ".join(text.split())).lower()


def _continues(piece: str) -> bool:
    """Options start with a capital or a digit; a lower-case piece continues the previous one."""
    first = piece[:1]
    return first.isalpha() and first.islower()


def _unbalanced(text: str) -> bool:
    return text.count("(") > text.count(")")


def _is_other(text: str) -> bool:
    lowered = text.strip().lower()
    return (
        lowered == "other"
        or lowered.startswith(OTHER_PREFIXES[:4])
        or lowered.startswith("other (")
    )


def _other_text(piece: str) -> str:
    """The typed part of "Other (please specify): grandparent" -> "grandparent"."""
    if ":" in piece:
        return piece.split(":", 1)[1].strip()
    lowered = piece.lower()
    for prefix in OTHER_PREFIXES:
        if lowered.startswith(prefix):
            return piece[len(prefix) :].strip(" -:")
    return ""
