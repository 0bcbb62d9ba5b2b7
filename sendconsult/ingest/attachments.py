"""Answers that only point to an attached document, and test answers.

"See attached document." says nothing the dictionary could code: counted as a free-text answer,
it would lower every percentage. Such answers are recognised by a list of whole answers
(editable in the config as `attachment_answers`) and, for pointers only, by a rule: a short
answer (at most MAX_POINTER_WORDS words) that speaks of an attachment ("attached",
"enclosed", "uploaded", "see our separate submission"). Short real answers such as "nothing" or
"none" are not pointers: they stay governed by the non-answer list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

DEFAULT_ATTACHMENT_ANSWERS: tuple[str, ...] = (
    "see attached", "see attached.", "see attached document", "see attached document.",
    "see attachment", "see attachment.", "see attachments", "please see attached",
    "please see attached.", "please see attachment", "please find attached",
    "please find attached.", "attached", "attached.", "see document", "see pdf",
    "see enclosed", "response attached", "our response is attached", "test", "test.",
    "testing", "test response", "this is a test", "ignore - test", "test only",
)  # fmt: skip
TEST_ANSWERS = frozenset(
    {"test", "test.", "testing", "test response", "this is a test", "ignore - test", "test only"}
)
MAX_POINTER_WORDS = 15
MAX_POINTER_CHARS = 200  # 15 words are rarely longer; longer answers are never pointers
POINTER = re.compile(
    r"\b(attached|attachment|attachments|enclosed|uploaded|appendix|annex)\b|"
    r"\b(see|find|refer to|read)\b( the| our| my| a)?( separate| accompanying| full| uploaded)?"
    r" (document|pdf|file|submission|letter|paper|position paper)\b",
    re.IGNORECASE,
)


def answer_set(values: Iterable[str]) -> frozenset[str]:
    """Whole answers compared case- and spacing-insensitively."""
    return frozenset(" ".join(v.lower().split()) for v in values)


def set_aside_kind(text: str, listed: frozenset[str]) -> str | None:
    """ "test" for a test answer, "attachment" for an answer that only points to an attached
    document, else None."""
    if len(text) > MAX_POINTER_CHARS:  # most answers: far longer than any pointer
        return None
    key = " ".join(text.lower().split())
    if key in listed:
        return "test" if key in TEST_ANSWERS else "attachment"
    if len(key.split()) <= MAX_POINTER_WORDS and POINTER.search(key):
        return "attachment"
    return None
