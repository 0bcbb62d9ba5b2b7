"""Redacting personal data from quotes before they go into a report.

Replaced by a tag: e-mail addresses [EMAIL], UK phone numbers [PHONE], postcodes [POSTCODE],
NHS numbers [NHS_NUMBER] (checked with their modulus-11 check digit), web addresses [URL],
and personal names [NAME]. Names are found by a spaCy NER pipeline when one is given (--model),
and always by patterns that catch how respondents mention people: "my son Jack", "our daughter,
Amira,", "called Oliwia", "Mrs Patel", "Dr. Okafor". Redaction only changes what is shown:
classification always reads the original text.

Libraries considered: presidio-analyzer needs a large spaCy model downloaded at run time, which
an offline council laptop cannot do; scrubadub's name detection also relies on downloaded
models. Patterns plus an optional installed NER pipeline keep this offline and explainable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from spacy.language import Language

_CAP = r"[A-ZÀ-ÖØ-ÞĀ-Ž][a-zà-öø-ÿā-ž'’\-]+"
NAME_AFTER = re.compile(
    r"\b(?i:my|our|his|her|their|the)\s+(?i:(?:eldest|youngest|middle|little|older|younger|foster|step|adopted|twin)\s+)?"
    r"(?i:son|daughter|child|boy|girl|grandson|granddaughter|grandchild|brother|sister|nephew|niece|"
    r"stepson|stepdaughter|twins?|kids?|children|husband|wife|partner)s?,?\s+"
    rf"(?P<name>{_CAP}(?:\s+(?:and|&)\s+{_CAP})?(?:\s+{_CAP})?)",
    re.UNICODE,
)
NAME_CALLED = re.compile(
    rf"\b(?:called|named|name is|name's)\s+(?P<name>{_CAP}(?:\s+{_CAP})?)", re.UNICODE
)
NAME_TITLE = re.compile(
    rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+(?P<name>{_CAP}(?:[\s-]+{_CAP})?)", re.UNICODE
)
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[A-Z]{2}\b", re.IGNORECASE)
NHS = re.compile(r"(?<![\d+])\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")
PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)"
)

NOT_NAMES = {
    "is", "has", "was", "and", "who", "with", "at", "in", "the", "a", "an", "he", "she", "they",
    "it", "but", "so", "because", "when", "who's", "school", "college", "year", "reception",
    "nursery", "had", "needs", "attends", "goes", "started", "camhs", "ehcp", "sendiass",
}  # fmt: skip


@dataclass(frozen=True)
class Redaction:
    """One span of personal data in a text, and what kind it is."""

    start: int
    end: int
    kind: str

    @property
    def tag(self) -> str:
        return f"[{self.kind}]"


class Redactor:
    """Finds and replaces personal data in free text."""

    def __init__(self, nlp: Language | None = None) -> None:
        self._ner = nlp if nlp is not None and nlp.has_pipe("ner") else None

    def find(self, text: str) -> list[Redaction]:
        """Non-overlapping spans to redact, in order."""
        found: list[Redaction] = []
        found += [Redaction(m.start(), m.end(), "EMAIL") for m in EMAIL.finditer(text)]
        found += [Redaction(m.start(), m.end(), "URL") for m in URL.finditer(text)]
        found += [Redaction(m.start(), m.end(), "POSTCODE") for m in POSTCODE.finditer(text)]
        for m in NHS.finditer(text):
            context = text[max(0, m.start() - 25) : m.start()].lower()
            if _nhs_valid(m.group()) or "nhs" in context:
                found.append(Redaction(m.start(), m.end(), "NHS_NUMBER"))
        for m in PHONE.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            digits = "0" + digits[2:] if digits.startswith("44") else digits
            if 10 <= len(digits) <= 11:
                found.append(Redaction(m.start(), m.end(), "PHONE"))
        for pattern in (NAME_AFTER, NAME_CALLED, NAME_TITLE):
            for m in pattern.finditer(text):
                start, end = m.span("name")
                name = m.group("name")
                if name.split()[0].lower() in NOT_NAMES or name.isupper():
                    continue
                found.append(Redaction(start, end, "NAME"))
        if self._ner is not None:
            for ent in self._ner(text).ents:
                if ent.label_ == "PERSON":
                    found.append(Redaction(ent.start_char, ent.end_char, "NAME"))
        return _non_overlapping(found)

    def redact(self, text: str) -> str:
        return self.redact_with_offsets(text)[0]

    def redact_with_offsets(self, text: str) -> tuple[str, Callable[[int], int]]:
        """The redacted text and a map from offsets in the original to offsets in it.

        An offset inside a redacted span maps to the start of its tag, so highlighting the
        matched words of a quote stays aligned after redaction.
        """
        spans = self.find(text)
        if not spans:
            return text, lambda offset: offset
        pieces: list[str] = []
        cursor = 0
        for span in spans:
            pieces.append(text[cursor : span.start])
            pieces.append(span.tag)
            cursor = span.end
        pieces.append(text[cursor:])

        def offset_map(offset: int) -> int:
            shift = 0
            for span in spans:
                if offset < span.start:
                    break
                if offset < span.end:
                    return span.start + shift
                shift += len(span.tag) - (span.end - span.start)
            return offset + shift

        return "".join(pieces), offset_map


def _nhs_valid(candidate: str) -> bool:
    digits = [int(d) for d in re.sub(r"\D", "", candidate)]
    if len(digits) != 10:
        return False
    total = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == digits[9]


def _non_overlapping(spans: list[Redaction]) -> list[Redaction]:
    """Keep the earliest, then longest, span where spans overlap."""
    result: list[Redaction] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if result and span.start < result[-1].end:
            continue
        result.append(span)
    return result
