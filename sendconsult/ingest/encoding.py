"""Turning the bytes of a CSV export into text, whatever encoding the survey tool used."""

from __future__ import annotations

from dataclasses import dataclass

from charset_normalizer import from_bytes


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def decode_bytes(raw: bytes) -> DecodedText:
    """UTF-8 (with or without BOM) first, then Windows-1252, then a detected encoding.

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
    if _plausible_cp1252(raw):
        return DecodedText(raw.decode("cp1252"), "cp1252")
    best = from_bytes(raw).best()
    if best is not None:
        return DecodedText(str(best), best.encoding)
    return DecodedText(raw.decode("cp1252", errors="replace"), "cp1252")


def _plausible_cp1252(raw: bytes) -> bool:
    """Windows-1252 decodes almost anything; accept it when it reads as sensible text."""
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return from_bytes(raw[:200_000], cp_isolation=["cp1252"]).best() is not None
