"""The negation rule: when a mention of a theme denies it is a concern, it does not count.

The rule reads the lemmas around a mention within its sentence. It works on the list of the
answer's lemma hashes (spaCy string ids) and a `text_at(i)` accessor used only to quote the
words of a cue, so the classifier can apply it to plain arrays of a parsed answer without a
spaCy object or a string per token: it runs for every candidate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
from spacy.strings import get_string_id
from spacy.tokens import Span

NEGATION_RULE = (
    "A dictionary match does not count when, in the same sentence and before any 'but', "
    "'however', 'although', ';' or ',', the respondent denies it is a concern: "
    "(1) within 6 words before it, a negation (no, not, n't, never, nothing, without) "
    "together with a word of concern or need (problem, issue, complaint, concern, difficulty, "
    "trouble, wrong; need, want, use, require, apply, interested, about, relevant), as in "
    "'no problems with transport' or 'I don't need a personal budget'; or 'happy/satisfied/"
    "pleased with' not itself negated; or (2) within 6 words after it, a verdict that it is "
    "fine (fine, ok, good, great, excellent, brilliant, no problem, not an issue, works well, "
    "not something we need), as in 'transport has been fine'. Absence complaints such as "
    "'there are not enough places' or 'no respite at all' are not negations and do count."
)

NEGATION_WINDOW = 6

_SCOPE_BREAKERS = frozenset(
    {"but", "however", "although", "though", "whereas", "except", "yet", ";", ",", ":", "(", ")"}
)
_NEGATORS = frozenset({"no", "not", "n't", "never", "nothing", "without", "nor", "neither"})
_CONCERN_WORDS = frozenset(
    {
        "problem", "issue", "complaint", "concern", "difficulty", "trouble", "wrong", "worry",
        "need", "want", "use", "require", "apply", "interested", "about", "relevant",
        "bother", "applicable", "eligible",
    }
)  # fmt: skip
_CONTENT_WORDS = frozenset({"happy", "satisfied", "pleased", "content"})
_VERDICT_WORDS = frozenset(
    {
        "fine", "ok", "okay", "good", "great", "excellent", "brilliant", "fantastic",
        "superb", "satisfactory", "adequate", "reliable", "smooth", "positive", "outstanding",
    }
)  # fmt: skip
_VERDICT_FILLERS = frozenset(
    {
        "be", "have", "has", "been", "always", "generally", "actually", "really", "so", "far",
        "all", "mostly", "pretty", "very", "quite", "absolutely", "totally", "honestly",
        "for", "us", "me", "him", "her", "them", "thankfully", "luckily", "largely", "perfectly",
        "seem", "remain", "fairly", "reasonably", "also", "too", "now", "ok", "okay",
    }
)  # fmt: skip
_NOT_CONCERN_AFTER = frozenset({"issue", "problem", "concern", "need", "something", "priority"})

TokenText = Callable[[int], str]


def _ids(words: Iterable[str]) -> frozenset[int]:
    return frozenset(get_string_id(w) for w in words)


_BREAKER_IDS = _ids(_SCOPE_BREAKERS)
_NEGATOR_IDS = _ids(_NEGATORS)
_CONCERN_IDS = _ids(_CONCERN_WORDS)
_CONTENT_IDS = _ids(_CONTENT_WORDS)
_VERDICT_IDS = _ids(_VERDICT_WORDS)
_FILLER_IDS = _ids(_VERDICT_FILLERS)
_NOT_CONCERN_AFTER_IDS = _ids(_NOT_CONCERN_AFTER)
_NOT_IDS = _ids({"not", "n't"})
_WELL_IDS = _ids({"well", "good", "fine"})
_PROBLEM_IDS = _ids({"problem", "issue"})
_WORK, _NO = get_string_id("work"), get_string_id("no")
# A denial before a mention needs one of these; a verdict after it starts with one of these.
BEFORE_TRIGGERS = _NEGATOR_IDS | _CONTENT_IDS
AFTER_STARTS = _VERDICT_IDS | _FILLER_IDS | _NOT_IDS | {_WORK, _NO}


def _id_array(ids: Iterable[int]) -> np.ndarray:
    return np.array(sorted(ids), dtype=np.uint64)


_CONTENT_ARRAY, _NEGATOR_ARRAY = _id_array(_CONTENT_IDS), _id_array(_NEGATOR_IDS)
_CONCERN_ARRAY, _AFTER_START_ARRAY = _id_array(_CONCERN_IDS), _id_array(AFTER_STARTS)
_DECIDER_ARRAY = _id_array(_VERDICT_IDS | _NOT_IDS | {_WORK, _NO})  # a verdict turns on one


def may_deny(
    lemmas: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    sentence_start: np.ndarray,
    sentence_end: np.ndarray,
) -> np.ndarray:
    """Which mentions the rule could find a cue for, many at once: only those need
    negation_cue_at. A necessary condition, not the rule: before a mention, a word of content
    ("happy with") or a negation and a word of concern within the window; after it, a word
    a verdict may start with, and one it turns on ("fine", "not", "work", "no") in the window.

    `lemmas`: the lemma hashes of one or more answers' tokens end to end; the mentions are
    tokens [start, end) in sentences [sentence_start, sentence_end), positions into `lemmas`.
    """

    def any_of(ids: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        counts = np.concatenate([[0], np.cumsum(np.isin(lemmas, ids))])
        return counts[np.maximum(high, low)] - counts[low] > 0

    window = np.maximum(sentence_start, start - NEGATION_WINDOW)
    before = any_of(_CONTENT_ARRAY, window, start) | (
        any_of(_NEGATOR_ARRAY, window, start) & any_of(_CONCERN_ARRAY, window, start)
    )
    next_word = lemmas[np.minimum(end, max(len(lemmas) - 1, 0))]
    after = (end < sentence_end) & np.isin(next_word, _AFTER_START_ARRAY)
    after &= any_of(_DECIDER_ARRAY, end, np.minimum(sentence_end, end + NEGATION_WINDOW))
    return before | after


def negation_cue_at(
    lemmas: Sequence[int],
    text_at: TokenText,
    start: int,
    end: int,
    sentence: tuple[int, int],
) -> str | None:
    """Why the mention at tokens [start, end) is a denial rather than a concern, or None.

    `lemmas` are the lemma hashes of the answer's tokens; `sentence` is the token range of the
    mention's sentence. The returned cue quotes the words that made it a denial ("negation:
    has been fine"), so an officer can see the reason.
    """
    sent_start, sent_end = sentence
    first = max(sent_start, start - NEGATION_WINDOW)
    if not BEFORE_TRIGGERS.isdisjoint(lemmas[first:start]):  # most mentions have neither
        cue = _denial_before(_scope(reversed(range(first, start)), lemmas), text_at)
        if cue:
            return f"negation: {cue}"
    if end < sent_end and lemmas[end] in AFTER_STARTS:
        after = _scope(range(end, min(sent_end, end + NEGATION_WINDOW)), lemmas)
        cue = _verdict_after(after, text_at)
        if cue:
            return f"negation: {cue}"
    return None


def negation_cue(span: Span, sentence: tuple[int, int] | None = None) -> str | None:
    """The negation cue of a spaCy span (see negation_cue_at), for explaining single texts."""
    doc = span.doc
    bounds = sentence if sentence is not None else (span.sent.start, span.sent.end)
    lemmas = [token.lemma for token in doc]
    return negation_cue_at(lemmas, lambda i: doc[i].text, span.start, span.end, bounds)


def _scope(indices: Iterable[int], lemmas: Sequence[int]) -> list[tuple[int, int]]:
    """(token index, lemma) walking away from the match until a scope breaker."""
    tokens: list[tuple[int, int]] = []
    for i in indices:
        lemma = lemmas[i]
        if lemma in _BREAKER_IDS:
            break
        tokens.append((i, lemma))
    return tokens


def _words(tokens: list[tuple[int, int]], text_at: TokenText) -> list[str]:
    return [text_at(i) for i, _ in tokens]


def _denial_before(before: list[tuple[int, int]], text_at: TokenText) -> str | None:
    """`before` runs from the token nearest the match backwards."""
    lemmas = [lemma for _, lemma in before]
    for i, lemma in enumerate(lemmas):
        if lemma in _NEGATOR_IDS and any(w in _CONCERN_IDS for w in lemmas[:i]):
            return " ".join(reversed(_words(before[: i + 1], text_at)))
        if lemma in _CONTENT_IDS and not any(w in _NEGATOR_IDS for w in lemmas[i + 1 :]):
            return " ".join(reversed(_words(before[: i + 1], text_at)))
    return None


def _verdict_after(after: list[tuple[int, int]], text_at: TokenText) -> str | None:
    """`after` runs from the token just after the match forwards."""
    lemmas = [lemma for _, lemma in after]
    for i, lemma in enumerate(lemmas):
        if lemma in _VERDICT_IDS:
            return " ".join(_words(after[: i + 1], text_at))
        if lemma == _WORK and i + 1 < len(lemmas) and lemmas[i + 1] in _WELL_IDS:
            return " ".join(_words(after[: i + 2], text_at))
        if lemma in _NOT_IDS:
            rest = lemmas[i + 1 : i + 4]
            if any(w in _NOT_CONCERN_AFTER_IDS for w in rest):
                return " ".join(_words(after[: i + 1 + len(rest)], text_at))
            return None
        if lemma == _NO and i + 1 < len(lemmas) and lemmas[i + 1] in _PROBLEM_IDS:
            return " ".join(_words(after[: i + 2], text_at))
        if lemma not in _FILLER_IDS:
            return None
    return None
