"""Cleaning cell text: Excel artefacts, mojibake, line endings, non-answers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import filterfalse

DEFAULT_NON_ANSWERS: tuple[str, ...] = (
    "n/a", "na", "n.a.", "n/a.", "-", "--", "---", ".", "..", "none", "none.", "nil", "no",
    "no.", "nothing", "nothing.", "no comment", "no comments", "no comment.", "no comments.",
    "not provided", "not answered", "not applicable", "no answer", "nothing to add", "x",
)  # fmt: skip

# Excel writes a carriage return inside a cell as "_x000D_" when the file was not saved by Excel.
_X000D = re.compile(r"_x000[dD]_(\r?\n|_x000[aA]_)?|_x000[aA]_")
# UTF-8 read as Windows-1252: a lead byte (0xC2-0xF4 shows as "Â".."ô") followed by
# continuation bytes (0x80-0xBF show as "€", "™", "©"... or stay as C1 controls).
_CONTINUATION = "".join(
    bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(0x80, 0xC0)
)
_MOJIBAKE = re.compile(f"[\u00c2-\u00f4][{re.escape(_CONTINUATION)}]")
_SEGMENT = re.compile(f"[\u00c2-\u00f4][{re.escape(_CONTINUATION)}]{{1,3}}")
# One character for which str.isalnum() is true: a word character (re's \w) but not "_".
_ALNUM = re.compile(r"[^\W_]")


def clean_cell(value: str) -> str:
    """Normalise one cell: line endings, Excel's `_x000D_`, mojibake, surrounding space."""
    if not value:
        return ""
    text = _X000D.sub("\n", value) if "_x000" in value else value
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():  # mojibake needs non-ASCII characters; most cells have none
        text = repair_mojibake(text)
    return text.strip()


def clean_column(values: Iterable[str]) -> list[str]:
    """`clean_cell` of every value, the whole column at once where that gives the same.

    A column with no carriage return, no `_x000` and no mojibake (most columns of most exports)
    only needs stripping. The three are looked for in the cells joined by "\n", which can't
    complete any of them across two cells: the ASCII cells and the others apart, because one
    emoji would make the whole joined text four bytes a character. Otherwise each distinct
    value is cleaned once: exports repeat most of their cells (groups, Likert answers, consent).
    """
    values = list(values)
    other = "\n".join(filterfalse(str.isascii, values))
    ascii_ = "\n".join(filter(str.isascii, values)) if other else "\n".join(values)
    awkward = any("\r" in text or "_x000" in text for text in (ascii_, other))
    if not awkward and not _MOJIBAKE.search(other):
        return list(map(str.strip, values))
    cleaned = {value: clean_cell(value) for value in set(values)}
    return list(map(cleaned.__getitem__, values))


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text that was read as Windows-1252 and saved again ("â€™" -> "’").

    Only when the whole text round-trips (re-encode as cp1252, decode as UTF-8) and the result
    is shorter: correct text containing "Ã" or "â" on purpose is left alone.
    """
    if not _MOJIBAKE.search(text):
        return text
    try:
        repaired = _cp1252_bytes(text).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return _repair_segments(text)
    return repaired if len(repaired) < len(text) else text


def _cp1252_bytes(text: str) -> bytes:
    """Encode as Windows-1252, keeping the five bytes it leaves undefined (e.g. 0x9D in "”")."""
    return b"".join(
        bytes([ord(ch)]) if "\x80" <= ch <= "\x9f" else ch.encode("cp1252") for ch in text
    )


def _repair_segments(text: str) -> str:
    """Repair mojibake piece by piece when the text also holds characters cp1252 lacks."""

    def fix(match: re.Match[str]) -> str:
        """One suspicious run of characters, repaired only if it is valid UTF-8 underneath."""
        chunk = match.group(0)
        try:
            fixed = _cp1252_bytes(chunk).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return chunk
        return fixed if len(fixed) < len(chunk) else chunk

    return _SEGMENT.sub(fix, text)


def non_answer_set(values: Iterable[str]) -> frozenset[str]:
    """Non-answers compared case- and spacing-insensitively ("No  Comment" = "no comment")."""
    return frozenset(" ".join(v.lower().split()) for v in values)


def is_non_answer(text: str, non_answers: frozenset[str], longest: int | None = None) -> bool:
    """Whether a free-text cell says nothing ("N/A", "-", "no comment").

    `longest`, the length of the longest non-answer, lets long answers skip normalising.
    """
    if longest is not None and len(text) > 2 * longest + 10:
        return _ALNUM.search(text) is None
    key = " ".join(text.lower().split())
    return key in non_answers or _ALNUM.search(key) is None
