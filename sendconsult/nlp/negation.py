"""The negation rule: when a mention of a theme denies it is a concern, it does not count.

The rule reads the lemmas around a mention within its sentence. It works on the list of the
answer's lemma hashes (spaCy string ids) and a `text_at(i)` accessor used only to quote the
words of a cue, so the classifier can apply it to plain arrays of a parsed answer without a
spaCy object or a string per token: it runs for every candidate.

Every word the rule reads is declared once, in the CUES table; the checks, their fast
pre-check (may_deny) and the rule's text (NEGATION_RULE: README, Method sheet, explain) are
derived from it, so a new cue is a change to the table alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from spacy.strings import get_string_id
from spacy.tokens import Span

NEGATION_WINDOW = 6


@dataclass(frozen=True)
class VerdictPhrase:
    """A two-part verdict after a mention: one of `first`, then one of `then` among the next
    `reach` words ("not ... an issue", "works well")."""

    first: tuple[str, ...]
    then: tuple[str, ...]
    reach: int
    example: str


@dataclass(frozen=True)
class NegationCues:
    """Every word the negation rule reads, as lemmas. This table is the rule: the checks, their
    fast pre-check and the rule's text (README, Method sheet, explain) all derive from it."""

    scope_breakers: tuple[str, ...]  # a cue must lie between the mention and any of these
    negators: tuple[str, ...]  # before: one of these together with ...
    concern_words: tuple[str, ...]  # ... one of these, nearer the mention
    content_words: tuple[str, ...]  # before: one of these, not itself negated
    verdict_words: tuple[str, ...]  # after: one of these
    verdict_phrases: tuple[VerdictPhrase, ...]  # after: or one of these
    verdict_fillers: tuple[str, ...]  # after: only these may come before the verdict


CUES = NegationCues(
    scope_breakers=(
        "but", "however", "although", "though", "whereas", "except", "yet",
        ";", ",", ":", "(", ")",
    ),
    negators=("no", "not", "n't", "never", "nothing", "without", "nor", "neither"),
    concern_words=(
        "problem", "issue", "complaint", "concern", "difficulty", "trouble", "wrong", "worry",
        "need", "want", "use", "require", "apply", "interested", "about", "relevant",
        "bother", "applicable", "eligible",
    ),
    content_words=("happy", "satisfied", "pleased", "content"),
    verdict_words=(
        "fine", "ok", "okay", "good", "great", "excellent", "brilliant", "fantastic",
        "superb", "satisfactory", "adequate", "reliable", "smooth", "positive", "outstanding",
    ),
    verdict_phrases=(
        VerdictPhrase(("work",), ("well", "good", "fine"), 1, "works well"),
        VerdictPhrase(
            ("not", "n't"),
            ("issue", "problem", "concern", "need", "something", "priority"),
            3,
            "not something we need",
        ),
        VerdictPhrase(("no",), ("problem", "issue"), 1, "no problem"),
    ),
    verdict_fillers=(
        "be", "have", "has", "been", "always", "generally", "actually", "really", "so", "far",
        "all", "mostly", "pretty", "very", "quite", "absolutely", "totally", "honestly",
        "for", "us", "me", "him", "her", "them", "thankfully", "luckily", "largely", "perfectly",
        "seem", "remain", "fairly", "reasonably", "also", "too", "now", "ok", "okay",
    ),
)  # fmt: skip


def _either(words: Sequence[str], quoted: bool = False) -> str:
    """'a, b or c' (each quoted if asked)."""
    shown = [f"'{w}'" if quoted else w for w in words]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def rule_text(cues: NegationCues) -> str:
    """The rule in words, every word of `cues` in it: for the README, the Method sheet and
    `explain`."""
    verdicts = [f"a word of approval ({_either(cues.verdict_words)})"] + [
        f"{_either(p.first, quoted=True)} followed "
        f"{'by' if p.reach == 1 else f'within {p.reach} words by'} {_either(p.then)} "
        f"(as in '{p.example}')"
        for p in cues.verdict_phrases
    ]
    return (
        "A dictionary match does not count when, in the same sentence and before any "
        f"{_either(cues.scope_breakers, quoted=True)}, the respondent denies it is a concern: "
        f"(1) within {NEGATION_WINDOW} words before it, a negation ({_either(cues.negators)}) "
        "together with a word of concern or need between the negation and the match "
        f"({_either(cues.concern_words)}), as in 'no problems with transport' or 'I don't "
        "need a personal budget'; or a word of contentment "
        f"({_either(cues.content_words)}) not itself negated, as in 'happy with the "
        f"transport'; or (2) within {NEGATION_WINDOW} words after it, a verdict that it is "
        f"fine: {'; '.join(verdicts[:-1])}; or {verdicts[-1]}; the verdict may follow the "
        f"match directly or after any of {_either(cues.verdict_fillers)}, as in 'transport "
        "has been fine'. Words are compared by their lemma ('problems' is 'problem'). "
        "Absence complaints such as 'there are not enough places' or 'no respite at all' "
        "are not negations and do count."
    )


NEGATION_RULE = rule_text(CUES)

TokenText = Callable[[int], str]


def _ids(words: Iterable[str]) -> frozenset[int]:
    return frozenset(get_string_id(w) for w in words)


def _id_array(ids: Iterable[int]) -> np.ndarray:
    return np.array(sorted(ids), dtype=np.uint64)


class NegationRule:
    """The rule of one cue table, on lemma hashes: `cue_at` for one mention, `may_deny` as
    its fast pre-check for many."""

    def __init__(self, cues: NegationCues) -> None:
        self.cues = cues
        self.text = rule_text(cues)
        self._breakers = _ids(cues.scope_breakers)
        self._negators = _ids(cues.negators)
        self._concern = _ids(cues.concern_words)
        self._content = _ids(cues.content_words)
        self._verdict = _ids(cues.verdict_words)
        self._fillers = _ids(cues.verdict_fillers)
        # lemma that starts a verdict phrase -> (the lemmas that complete it, how far ahead)
        self._phrases = {
            first: (_ids(p.then), p.reach)
            for p in cues.verdict_phrases
            for first in _ids(p.first)
        }
        # A denial before a mention needs one of these; a verdict after it starts with one of
        # `after_starts` and turns on one of `deciders`.
        deciders = self._verdict | self._phrases.keys()
        self.before_triggers = self._negators | self._content
        self.after_starts = deciders | self._fillers
        self._content_array, self._negator_array = _id_array(self._content), _id_array(self._negators)
        self._concern_array = _id_array(self._concern)
        self._after_start_array, self._decider_array = _id_array(self.after_starts), _id_array(deciders)

    def may_deny(
        self,
        lemmas: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        sentence_start: np.ndarray,
        sentence_end: np.ndarray,
    ) -> np.ndarray:
        """Which mentions the rule could find a cue for, many at once: only those need
        cue_at. A necessary condition, not the rule: before a mention, a word of content
        ("happy with") or a negation and a word of concern within the window; after it, a word
        a verdict may start with, and one it turns on ("fine", "not", "work", "no") in the
        window.

        `lemmas`: the lemma hashes of one or more answers' tokens end to end; the mentions are
        tokens [start, end) in sentences [sentence_start, sentence_end), positions into `lemmas`.
        """

        def any_of(ids: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
            counts = np.concatenate([[0], np.cumsum(np.isin(lemmas, ids))])
            return counts[np.maximum(high, low)] - counts[low] > 0

        window = np.maximum(sentence_start, start - NEGATION_WINDOW)
        before = any_of(self._content_array, window, start) | (
            any_of(self._negator_array, window, start) & any_of(self._concern_array, window, start)
        )
        next_word = lemmas[np.minimum(end, max(len(lemmas) - 1, 0))]
        after = (end < sentence_end) & np.isin(next_word, self._after_start_array)
        after &= any_of(
            self._decider_array, end, np.minimum(sentence_end, end + NEGATION_WINDOW)
        )
        return before | after

    def cue_at(
        self,
        lemmas: Sequence[int],
        text_at: TokenText,
        start: int,
        end: int,
        sentence: tuple[int, int],
    ) -> str | None:
        """Why the mention at tokens [start, end) is a denial rather than a concern, or None.

        `lemmas` are the lemma hashes of the answer's tokens; `sentence` is the token range of
        the mention's sentence. The returned cue quotes the words that made it a denial
        ("negation: has been fine"), so an officer can see the reason.
        """
        sent_start, sent_end = sentence
        first = max(sent_start, start - NEGATION_WINDOW)
        if not self.before_triggers.isdisjoint(lemmas[first:start]):  # most mentions have neither
            cue = self._denial_before(self._scope(reversed(range(first, start)), lemmas), text_at)
            if cue:
                return f"negation: {cue}"
        if end < sent_end and lemmas[end] in self.after_starts:
            after = self._scope(range(end, min(sent_end, end + NEGATION_WINDOW)), lemmas)
            cue = self._verdict_after(after, text_at)
            if cue:
                return f"negation: {cue}"
        return None

    def _scope(self, indices: Iterable[int], lemmas: Sequence[int]) -> list[tuple[int, int]]:
        """(token index, lemma) walking away from the match until a scope breaker."""
        tokens: list[tuple[int, int]] = []
        for i in indices:
            lemma = lemmas[i]
            if lemma in self._breakers:
                break
            tokens.append((i, lemma))
        return tokens

    def _denial_before(self, before: list[tuple[int, int]], text_at: TokenText) -> str | None:
        """`before` runs from the token nearest the match backwards."""
        lemmas = [lemma for _, lemma in before]
        for i, lemma in enumerate(lemmas):
            if lemma in self._negators and any(w in self._concern for w in lemmas[:i]):
                return " ".join(reversed(_quoted(before[: i + 1], text_at)))
            if lemma in self._content and not any(w in self._negators for w in lemmas[i + 1 :]):
                return " ".join(reversed(_quoted(before[: i + 1], text_at)))
        return None

    def _verdict_after(self, after: list[tuple[int, int]], text_at: TokenText) -> str | None:
        """`after` runs from the token just after the match forwards."""
        lemmas = [lemma for _, lemma in after]
        for i, lemma in enumerate(lemmas):
            if lemma in self._verdict:
                return " ".join(_quoted(after[: i + 1], text_at))
            if lemma in self._phrases:
                then, reach = self._phrases[lemma]
                rest = lemmas[i + 1 : i + 1 + reach]
                if then.isdisjoint(rest):
                    return None
                return " ".join(_quoted(after[: i + 1 + len(rest)], text_at))
            if lemma not in self._fillers:
                return None
        return None


def _quoted(tokens: list[tuple[int, int]], text_at: TokenText) -> list[str]:
    return [text_at(i) for i, _ in tokens]


RULE = NegationRule(CUES)
may_deny = RULE.may_deny
negation_cue_at = RULE.cue_at


def negation_cue(span: Span, sentence: tuple[int, int] | None = None) -> str | None:
    """The negation cue of a spaCy span (see NegationRule.cue_at), for explaining single texts."""
    doc = span.doc
    bounds = sentence if sentence is not None else (span.sent.start, span.sent.end)
    lemmas = [token.lemma for token in doc]
    return negation_cue_at(lemmas, lambda i: doc[i].text, span.start, span.end, bounds)
