"""Cleaning cell text: Excel artefacts, mojibake, line endings, non-answers."""

from __future__ import annotations

import re

DEFAULT_NON_ANSWERS: tuple[str, ...] = (
    "n/a", "na", "n.a.", "n/a.", "-", "--", "---", ".", "..", "none", "none.", "nil", "no",
    "no.", "nothing", "nothing.", "no comment", "no comments", "no comment.", "no comments.",
    "not provided", "not answered", "not applicable", "no answer", "nothing to add", "x",
)  # fmt: skip

_X000D = re.compile(r"_x000[dD]_")
_MOJIBAKE_MARKERS = ("â€", "Ã", "Â", "Å", "Ä", "Ð", "Ø", "Ù")


def clean_cell(value: str) -> str:
    """Normalise one cell: line endings, Excel's `_x000D_`, mojibake, surrounding space."""
    if not value:
        return ""
    text = _X000D.sub("", value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = repair_mojibake(text)
    return text.strip()


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text that was read as Windows-1252 and saved again ("â€™" -> "’").

    Only when the whole text round-trips (re-encode as cp1252, decode as UTF-8) and the result
    is shorter: correct text containing "Ã" or "â" on purpose is left alone.
    """
    if not any(marker in text for marker in _MOJIBAKE_MARKERS):
        return text
    try:
        repaired = text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return _repair_segments(text)
    return repaired if len(repaired) < len(text) else text


_SEGMENT = re.compile(
    r"[\u00c0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122][\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]{1,3}"
)


def _repair_segments(text: str) -> str:
    """Repair mojibake piece by piece when the text also holds characters cp1252 lacks."""

    def fix(match: re.Match[str]) -> str:
        chunk = match.group(0)
        try:
            fixed = chunk.encode("cp1252").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return chunk
        return fixed if len(fixed) < len(chunk) else chunk

    return _SEGMENT.sub(fix, text)


def is_non_answer(text: str, non_answers: frozenset[str]) -> bool:
    """Whether a free-text cell says nothing ("N/A", "-", "no comment")."""
    key = " ".join(text.lower().split())
    return key in non_answers or not any(ch.isalnum() for ch in key)
