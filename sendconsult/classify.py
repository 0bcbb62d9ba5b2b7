"""Coding responses to themes with spaCy matchers, keeping the evidence for every code.

One `ThemeClassifier` is built per dictionary and pipeline: every term is lemmatised by the
same pipeline that parses the responses (see nlp.py), phrases go into one PhraseMatcher on
lemmas, wildcards and the sides of NEAR rules into one Matcher. A match then passes two vetoes:

- exclude phrases of its theme in the same sentence, overlapping or within a few tokens;
- the negation rule (NEGATION_RULE below): a mention that denies the theme is a concern.

Each surviving match codes its theme (a sub-theme's match codes its parent) and is kept as a
`Match` with character offsets into the answer, so reports can highlight the words.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from sendconsult.coding import Coding, Match
from sendconsult.nlp import MAX_TEXT_CHARS
from sendconsult.survey import RESPONSE_ID, Survey
from sendconsult.themes.model import Term, TermKind, ThemeDictionary

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

EXCLUDE_WINDOW = 3
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

RuleKind = Literal["term", "near_left", "near_right", "exclude"]


@dataclass(frozen=True)
class _Rule:
    """What a matcher key stands for."""

    kind: RuleKind
    rule_theme_id: str
    root_theme_id: str
    term: Term
    near_index: int = -1
    is_exclude: bool = False


@dataclass(frozen=True)
class _Hit:
    rule: _Rule
    span: Span
    sent: tuple[int, int]  # token bounds of the sentence holding the span


class _Sentences:
    """Sentence bounds of one doc, computed once: `span.sent` re-walks the doc on every call,
    which made a single 40,000-character answer take minutes."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.starts = [sent.start for sent in doc.sents] or [0]
        self.ends = [*self.starts[1:], len(doc)]
        self._texts: dict[int, str] = {}

    def bounds(self, token: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, token) - 1
        return self.starts[index], self.ends[index]

    def text(self, bounds: tuple[int, int]) -> str:
        if bounds[0] not in self._texts:
            self._texts[bounds[0]] = self.doc[bounds[0] : bounds[1]].text.strip()
        return self._texts[bounds[0]]


class ThemeClassifier:
    """Matchers for one dictionary, built once with the pipeline that parses responses."""

    def __init__(self, dictionary: ThemeDictionary, nlp: Language) -> None:
        self.dictionary = dictionary
        self.nlp = nlp
        self.theme_ids = dictionary.theme_ids
        self._rules: dict[str, _Rule] = {}
        self._phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._wildcards = _WildcardIndex(nlp)
        self._near_count = 0
        for theme in dictionary.themes:
            root = dictionary.root_of(theme.id)
            for term in theme.terms:
                self._add_term(term, theme.id, root, is_exclude=False)
            for term in theme.exclude:
                self._add_term(term, theme.id, root, is_exclude=True)

    # -- building ---------------------------------------------------------------------------

    def _add_term(self, term: Term, theme_id: str, root: str, *, is_exclude: bool) -> None:
        if term.kind is TermKind.NEAR:
            index = self._near_count
            self._near_count += 1
            for kind, side in (("near_left", term.words[0]), ("near_right", term.words[1])):
                words = tuple(side.split())
                side_kind = TermKind.WILDCARD if words[-1].endswith("*") else TermKind.PHRASE
                if side_kind is TermKind.WILDCARD:
                    words = (*words[:-1], words[-1][:-1])
                rule = _Rule(kind, theme_id, root, term, index, is_exclude)  # type: ignore[arg-type]
                self._add(rule, words, side_kind)
        else:
            kind = "exclude" if is_exclude else "term"
            self._add(
                _Rule(kind, theme_id, root, term, is_exclude=is_exclude), term.words, term.kind
            )

    def _add(self, rule: _Rule, words: tuple[str, ...], kind: TermKind) -> None:
        key = f"R{len(self._rules)}"
        self._rules[key] = rule
        if kind is TermKind.WILDCARD:
            leading, stem = self._wildcard_parts(words)
            self._wildcards.add(key, leading, stem)
        else:
            self._phrases.add(key, self._phrase_patterns(words))

    def _phrase_patterns(self, words: tuple[str, ...]) -> list[Doc]:
        """The phrase as written, hyphens as spaces, and its last word's plural.

        Lemma lookup does not know acronyms' plurals ("SENCOs", "EHCPs"); adding the plural
        variant lets "senco" match them without officers listing both.
        """
        phrase = " ".join(words)
        variants = {phrase, phrase.replace("-", " ")}
        for variant in list(variants):
            if variant[-1:].isalnum() and not variant.endswith("s"):
                variants.add(variant + "s")
        docs = list(self.nlp.pipe(sorted(variants)))
        unique: dict[tuple[str, ...], Doc] = {}
        for doc in docs:
            unique.setdefault(tuple(t.lemma_ for t in doc), doc)
        return list(unique.values())

    def _wildcard_parts(self, words: tuple[str, ...]) -> tuple[tuple[int, ...], str]:
        """Lemma hashes of the leading tokens, and the lower-case prefix of the last token."""
        tokens = list(self.nlp(" ".join(words)))
        leading = tuple(self.nlp.vocab.strings.add(t.lemma_) for t in tokens[:-1])
        stem = tokens[-1].lower_ if tokens else words[-1]
        return leading, stem

    # -- matching ---------------------------------------------------------------------------

    def match_doc(self, doc: Doc, question: str) -> list[Match]:
        """Every match of the dictionary in one parsed answer, vetoed ones included."""
        found = [
            (self.nlp.vocab.strings[key], start, end) for key, start, end in self._phrases(doc)
        ]
        found.extend(self._wildcards.find(doc))
        sentences = _Sentences(doc)
        hits = [
            _Hit(self._rules[key], doc[start:end], sentences.bounds(start))
            for key, start, end in found
        ]
        near = list(self._near_hits([h for h in hits if h.rule.kind.startswith("near")]))
        excludes = [h for h in hits if h.rule.kind == "exclude"]
        excludes.extend(h for h in near if h.rule.is_exclude)
        terms = [h for h in hits if h.rule.kind == "term"]
        terms.extend(h for h in near if not h.rule.is_exclude)
        matches: list[Match] = []
        seen: set[tuple[str, int, int]] = set()
        for hit in sorted(terms, key=lambda h: (h.span.start_char, h.span.end_char)):
            identity = (hit.rule.rule_theme_id, hit.span.start_char, hit.span.end_char)
            if identity in seen:
                continue
            seen.add(identity)
            veto = _exclude_veto(hit, excludes) or negation_cue(hit.span, hit.sent)
            matches.append(
                Match(
                    theme_id=hit.rule.root_theme_id,
                    rule_theme_id=hit.rule.rule_theme_id,
                    term=hit.rule.term.text,
                    matched=hit.span.text,
                    question=question,
                    start=hit.span.start_char,
                    end=hit.span.end_char,
                    sentence=sentences.text(hit.sent),
                    vetoed_by=veto,
                )
            )
        return matches

    def _near_hits(self, sides: list[_Hit]) -> Iterator[_Hit]:
        """Pairs of NEAR sides in one sentence within the rule's distance; both sides count."""
        by_rule: dict[int, tuple[list[_Hit], list[_Hit]]] = {}
        for hit in sides:
            left, right = by_rule.setdefault(hit.rule.near_index, ([], []))
            (left if hit.rule.kind == "near_left" else right).append(hit)
        for left_hits, right_hits in by_rule.values():
            right_hits.sort(key=lambda h: h.span.start)
            right_starts = [h.span.start for h in right_hits]
            for left in left_hits:
                distance = left.rule.term.distance
                low = bisect.bisect_left(right_starts, left.span.start - distance)
                high = bisect.bisect_right(right_starts, left.span.start + distance)
                for right in right_hits[low:high]:  # only sides close enough: linear, not L x R
                    if left.sent != right.sent or _overlaps(left.span, right.span):
                        continue
                    yield left
                    yield right

    def classify(
        self,
        survey: Survey,
        *,
        progress: Callable[[int], None] | None = None,
        batch_size: int = 128,
        n_process: int = 1,
    ) -> Coding:
        """Code every response of a survey: all its free-text answers together."""
        items = list(_answers(survey, self.nlp.max_length))
        docs = self.nlp.pipe(
            (text for _, _, text, _ in items), batch_size=batch_size, n_process=n_process
        )
        return self.code_docs(survey, items, docs, progress=progress)

    def code_docs(
        self,
        survey: Survey,
        items: list[tuple[str, str, str, int]],
        docs: Iterable[Doc],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> Coding:
        """Code parsed answers: `items` are (response_id, question, text, offset) per doc, where
        `offset` is where the text starts in the whole answer (non-zero for chunks of answers
        longer than the pipeline's max_length)."""
        ids = list(survey.responses[RESPONSE_ID])
        position = {rid: i for i, rid in enumerate(ids)}
        column = {theme: j for j, theme in enumerate(self.theme_ids)}
        values = np.zeros((len(ids), len(self.theme_ids)), dtype=np.int64)
        found: dict[str, list[Match]] = {}
        for (response_id, question, _, offset), doc in zip(items, docs, strict=True):
            matches = self.match_doc(doc, question)
            if offset:
                matches = [replace(m, start=m.start + offset, end=m.end + offset) for m in matches]
            if matches:
                found.setdefault(response_id, []).extend(matches)
                for match in matches:
                    if match.counts:
                        values[position[response_id], column[match.theme_id]] = 1
            if progress is not None:
                progress(1)
        codes = pd.DataFrame(values, index=pd.Index(ids, name=RESPONSE_ID), columns=self.theme_ids)
        return Coding(theme_ids=list(self.theme_ids), codes=codes, matches=found)


def _answers(survey: Survey, max_length: int) -> Iterator[tuple[str, str, str, int]]:
    """(response_id, question, text, offset) for every non-empty answer, in survey order.

    An answer longer than the pipeline accepts is cut into chunks at line or sentence ends,
    so the whole text is still classified (a 10 MB answer is no reason to fail a run).
    """
    frame = survey.responses
    rows = frame[survey.text_questions].itertuples(index=False)
    for response_id, row in zip(frame[RESPONSE_ID], rows, strict=True):
        for question, value in zip(survey.text_questions, row, strict=True):
            if isinstance(value, str) and value.strip():
                for chunk, offset in _chunks(value, max_length // 2):
                    yield response_id, question, chunk, offset


def _chunks(text: str, size: int) -> Iterator[tuple[str, int]]:
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = max(window.rfind("\n"), window.rfind(". "))
        end = start + (cut + 1 if cut > size // 2 else size)
        yield text[start:end], start
        start = end
    yield text[start:], start


def count_answers(survey: Survey, max_length: int = MAX_TEXT_CHARS) -> int:
    """How many pieces of text classification will parse (for a progress bar)."""
    return sum(1 for _ in _answers(survey, max_length))


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _exclude_veto(hit: _Hit, excludes: list[_Hit]) -> str | None:
    for ex in excludes:
        if ex.rule.rule_theme_id not in (hit.rule.rule_theme_id, hit.rule.root_theme_id):
            continue
        if ex.sent != hit.sent:
            continue
        gap = max(ex.span.start - hit.span.end, hit.span.start - ex.span.end)
        if gap <= EXCLUDE_WINDOW:
            return f"exclude: {ex.rule.term.text}"
    return None


def negation_cue(span: Span, sentence: tuple[int, int] | None = None) -> str | None:
    """Why a mention is a denial rather than a concern (see NEGATION_RULE), or None."""
    sent_start, sent_end = sentence if sentence is not None else (span.sent.start, span.sent.end)
    before = _scope(
        reversed(range(max(sent_start, span.start - NEGATION_WINDOW), span.start)), span.doc
    )
    after = _scope(range(span.end, min(sent_end, span.end + NEGATION_WINDOW)), span.doc)
    cue = _denial_before(before)
    if cue:
        return f"negation: {cue}"
    cue = _verdict_after(after)
    if cue:
        return f"negation: {cue}"
    return None


def _scope(indices: Iterable[int], doc: Doc) -> list[tuple[str, str]]:
    """(lemma, text) of tokens walking away from the match until a scope breaker."""
    tokens: list[tuple[str, str]] = []
    for i in indices:
        token = doc[i]
        if token.lemma_ in _SCOPE_BREAKERS:
            break
        tokens.append((token.lemma_, token.text))
    return tokens


def _denial_before(before: list[tuple[str, str]]) -> str | None:
    """`before` runs from the token nearest the match backwards."""
    lemmas = [lemma for lemma, _ in before]
    texts = [text for _, text in before]
    for i, lemma in enumerate(lemmas):
        if lemma in _NEGATORS:
            between = lemmas[:i]
            concern = next((w for w in between if w in _CONCERN_WORDS), None)
            if concern:
                return " ".join(reversed(texts[: i + 1]))
        if lemma in _CONTENT_WORDS:
            earlier = lemmas[i + 1 :]
            if not any(w in _NEGATORS for w in earlier):
                return " ".join(reversed(texts[: i + 1]))
    return None


def _verdict_after(after: list[tuple[str, str]]) -> str | None:
    """`after` runs from the token just after the match forwards."""
    lemmas = [lemma for lemma, _ in after]
    texts = [text for _, text in after]
    for i, lemma in enumerate(lemmas):
        if lemma in _VERDICT_WORDS:
            return " ".join(texts[: i + 1])
        if lemma == "work" and i + 1 < len(lemmas) and lemmas[i + 1] in {"well", "good", "fine"}:
            return " ".join(texts[: i + 2])
        if lemma in {"not", "n't"}:
            rest = lemmas[i + 1 : i + 4]
            if any(w in _NOT_CONCERN_AFTER for w in rest):
                return " ".join(texts[: i + 1 + len(rest)])
            return None
        if lemma == "no" and i + 1 < len(lemmas) and lemmas[i + 1] in {"problem", "issue"}:
            return " ".join(texts[: i + 2])
        if lemma not in _VERDICT_FILLERS:
            return None
    return None


class _WildcardIndex:
    """Suffix-wildcard terms ("commission*", "short break*") matched without regular expressions.

    Each distinct word is tested against every stem once and the answer cached, so a run costs
    one dictionary lookup per token: spaCy's Matcher with REGEX predicates re-tests every token
    against every pattern and was most of the classification time.
    """

    def __init__(self, nlp: Language) -> None:
        self._strings = nlp.vocab.strings
        self._rules: list[tuple[str, tuple[int, ...], str]] = []
        self._cache: dict[int, tuple[int, ...]] = {}

    def add(self, key: str, leading: tuple[int, ...], stem: str) -> None:
        self._rules.append((key, leading, stem))
        self._cache.clear()

    def _rules_for(self, lower_hash: int) -> tuple[int, ...]:
        cached = self._cache.get(lower_hash)
        if cached is None:
            word = self._strings[lower_hash]
            cached = tuple(i for i, (_, _, stem) in enumerate(self._rules) if word.startswith(stem))
            self._cache[lower_hash] = cached
        return cached

    def find(self, doc: Doc) -> list[tuple[str, int, int]]:
        if not self._rules or len(doc) == 0:
            return []
        arr = doc.to_array([LOWER, LEMMA])
        lowers, lemmas = arr[:, 0].tolist(), arr[:, 1].tolist()
        found: list[tuple[str, int, int]] = []
        for i, lower in enumerate(lowers):
            for index in self._rules_for(lower):
                key, leading, _ = self._rules[index]
                start = i - len(leading)
                if start < 0 or tuple(lemmas[start:i]) != leading:
                    continue
                found.append((key, start, i + 1))
        return found
