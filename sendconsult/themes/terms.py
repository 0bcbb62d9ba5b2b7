"""The term syntax officers write in a theme dictionary.

    personal budget          a phrase; matches on lemmas, any case ("Personal Budgets")
    commission*              suffix wildcard on the last word ("commissioning", "commissioners")
    short break*             a phrase whose last word is a wildcard
    health NEAR/5 council    both words (or phrases) within 5 tokens of each other, either order

Words are lower-cased here; lemmatising happens when the classifier builds its matchers, with
the same pipeline that parses responses.
"""

from __future__ import annotations

import re

from sendconsult.themes.model import Term, TermKind

NEAR_PATTERN = re.compile(
    r"^(?P<left>.+?)\s+NEAR/(?P<distance>\d+)\s+(?P<right>.+)$", re.IGNORECASE
)
_WORD_SPLIT = re.compile(r"\s+")
_REGEX_CHARS = re.compile(r"[\^$?\[\]|\\{}]")
MAX_NEAR_DISTANCE = 50


class TermSyntaxError(ValueError):
    """A term that cannot be understood; the message says how to write it instead."""


def parse_term(text: object, line: int | None = None) -> Term:
    """Read one officer-written term into a Term, or raise TermSyntaxError saying what to fix."""
    if not isinstance(text, str):
        raise TermSyntaxError(
            f"term {text!r} is not text; write each term as words, e.g. 'personal budget'"
        )
    raw = text.strip()
    if not raw:
        raise TermSyntaxError("a term is empty; delete the line or write the words to match")
    if _REGEX_CHARS.search(raw):
        raise TermSyntaxError(
            f"term '{raw}' uses pattern characters ({' '.join(sorted(set(_REGEX_CHARS.findall(raw))))}) that "
            "sendconsult does not read; write plain words, with * only at the end of a word"
        )
    near = NEAR_PATTERN.match(raw)
    if near:
        distance = int(near.group("distance"))
        if not 1 <= distance <= MAX_NEAR_DISTANCE:
            raise TermSyntaxError(
                f"term '{raw}': NEAR distance must be between 1 and {MAX_NEAR_DISTANCE} tokens"
            )
        left = _side(near.group("left"), raw)
        right = _side(near.group("right"), raw)
        if "NEAR/" in right.upper():
            raise TermSyntaxError(
                f"term '{raw}': use NEAR once per term, with one word either side"
            )
        return Term(text=raw, kind=TermKind.NEAR, words=(left, right), distance=distance, line=line)
    if re.search(r"\bNEAR\b", raw) and "/" not in raw:
        raise TermSyntaxError(
            f"term '{raw}': write a distance after NEAR, e.g. 'health NEAR/5 council'"
        )
    if re.search(r"\bNEAR/", raw, re.IGNORECASE):  # a side missing: it would be a phrase
        raise TermSyntaxError(
            f"term '{raw}': NEAR needs words on both sides, e.g. 'health NEAR/5 council'"
        )
    words = tuple(_WORD_SPLIT.split(raw.lower()))
    for word in words[:-1]:
        if "*" in word:
            raise TermSyntaxError(
                f"term '{raw}': '*' may only end the last word (e.g. 'commission*')"
            )
    last = words[-1]
    if "*" in last:
        if not last.endswith("*") or last.count("*") > 1:
            raise TermSyntaxError(f"term '{raw}': '*' may only end a word (e.g. 'commission*')")
        stem = last[:-1]
        if len(stem) < 3:
            raise TermSyntaxError(
                f"term '{raw}': a wildcard needs at least 3 letters before '*' or it matches too much"
            )
        return Term(text=raw, kind=TermKind.WILDCARD, words=(*words[:-1], stem), line=line)
    return Term(text=raw, kind=TermKind.PHRASE, words=words, line=line)


def _side(side: str, raw: str) -> str:
    side = side.strip().lower()
    if not side:
        raise TermSyntaxError(f"term '{raw}': NEAR needs words on both sides")
    if "*" in side[:-1]:
        raise TermSyntaxError(f"term '{raw}': '*' may only end a word")
    if side.endswith("*") and len(side.split()[-1]) - 1 < 3:
        raise TermSyntaxError(
            f"term '{raw}': a wildcard needs at least 3 letters before '*' or it matches too much"
        )
    return side


def near_term(left: str, right: str, within: int, line: int | None = None) -> Term:
    """The structured YAML form `{near: [left, right], within: N}` as a Term."""
    return parse_term(f"{left} NEAR/{within} {right}", line)
