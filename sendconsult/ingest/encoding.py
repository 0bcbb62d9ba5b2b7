"""Turning the bytes of a CSV export into text, whatever encoding the survey tool used."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from charset_normalizer import from_bytes

# Bytes that are not UTF-8, as "surrogateescape" decoding leaves them (U+DC80 to U+DCFF).
_ESCAPED = re.compile("[\udc80-\udcff]+")
# A Windows-1252 symbol of the 0xA1-0xBF row between two letters ("szko³ach" for "szkołach")
# is a letter of another code page (here Windows-1250): English and Western European text never
# puts one inside a word. The middle dot is left out (Catalan writes "col·legi").
_SYMBOL_INSIDE_WORD = re.compile(r"(?<=[^\W\d_])[\u00a1-\u00b6\u00b8-\u00bf](?=[^\W\d_])")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    bad_lines: list[int] = field(default_factory=list)  # lines holding bytes that are not UTF-8


def decode_bytes(raw: bytes) -> DecodedText:
    """UTF-8 (with or without BOM) first, then Windows-1252, then a detected encoding.

    A file that is UTF-8 but for a few stray bytes (a line pasted from an older file) stays
    UTF-8: each stray byte is read as the Windows-1252 character it most likely is, and the
    lines holding them are listed in `bad_lines`, so every other curly quote and dash is right.

    Windows-1252 is what Excel on a UK PC writes, so it is preferred whenever it decodes and
    charset-normalizer does not judge the result garbled (e.g. Polish text saved as cp1250).
    Detection alone is unreliable on short files, hence the preference. Never raises
    UnicodeDecodeError: the last resort decodes with replacement characters.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return DecodedText(raw.decode("utf-8-sig", errors="replace"), "utf-8-sig")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return DecodedText(raw.decode("utf-16", errors="replace"), "utf-16")
    try:
        return DecodedText(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(raw)
    if mostly is not None:
        return mostly
    if _plausible_cp1252(raw):
        return DecodedText(raw.decode("cp1252"), "cp1252")
    best = from_bytes(raw).best()
    if best is not None:
        return DecodedText(str(best), best.encoding)
    return DecodedText(raw.decode("cp1252", errors="replace"), "cp1252")


def _plausible_cp1252(raw: bytes) -> bool:
    """Windows-1252 decodes almost anything; accept it when it reads as sensible text."""
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    if _SYMBOL_INSIDE_WORD.search(text):
        return False
    return from_bytes(raw[:200_000], cp_isolation=["cp1252"]).best() is not None


def _mostly_utf8(raw: bytes) -> DecodedText | None:
    """The text as UTF-8 with its stray bytes read as Windows-1252, if it holds at least as many
    real UTF-8 characters beyond ASCII as stray bytes (a Windows-1252 file has almost none)."""
    text = raw.decode("utf-8", errors="surrogateescape")
    stray = _ESCAPED.findall(text)
    n_stray = sum(map(len, stray))
    n_real = len(text) - _ascii_count(raw) - n_stray  # characters of two to four bytes
    if n_real < max(1, n_stray):
        return None
    lines: list[int] = []
    line, position = 1, 0
    for match in _ESCAPED.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        if not lines or lines[-1] != line:
            lines.append(line)
    repaired = _ESCAPED.sub(
        lambda m: bytes(ord(c) - 0xDC00 for c in m.group()).decode("cp1252", errors="replace"),
        text,
    )
    return DecodedText(repaired, "utf-8", lines)


def _ascii_count(raw: bytes) -> int:
    """How many bytes of `raw` are ASCII (each one character in any of our encodings)."""
    return len(raw) - len(raw.translate(None, bytes(range(128))))
