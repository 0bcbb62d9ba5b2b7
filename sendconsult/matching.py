"""Finding where dictionary terms occur in a parsed answer: candidates.

A candidate is one place where a term's words occur, with its sentence and the negation cue
around it (if any). Candidates depend only on the text, the term and the pipeline, not on which
theme the term belongs to, so they are what the parse cache keeps per text (parse_cache.py): a
re-run with a revised dictionary only searches for the terms that are new. classify.py turns
candidates into Matches (theme, exclusions, vetoes).

Terms are matched with spaCy's PhraseMatcher on lemmas; wildcard terms ("commission*") by a
per-word cache of which stems a word starts with; NEAR terms are pairs of those within N
tokens in one sentence. Positions, lemmas and sentences are read from arrays of the parsed doc
rather than through a spaCy object per token, which was most of the classification time.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from spacy.attrs import IDX, LEMMA, LENGTH, LOWER, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from sendconsult.negation import negation_cue_at
from sendconsult.themes.model import Term, TermKind


class Candidate(NamedTuple):
    """One occurrence of a term: token and character positions, its sentence, any negation."""

    start: int
    end: int
    start_char: int
    end_char: int
    sentence: int  # token index where the sentence starts: identifies the sentence
    sentence_start_char: int
    sentence_end_char: int
    cue: str | None  # the negation cue around it, or None


Candidates = dict[str, list[Candidate]]  # term key -> occurrences in one text

# What a text must contain for a term to occur in it: any one alternative, each a set of word
# hashes (lemmas or lower-cased forms) that must all be present and prefixes that some word
# must start with. Used to find which cached texts a new term could occur in.
Requirement = tuple[frozenset[int], tuple[str, ...]]


def term_key(term: Term) -> str:
    """What decides a term's candidates (kind, words, distance), independent of its theme."""
    words = [w.lower() for w in term.words]
    if term.kind is TermKind.NEAR:
        return f"near/{term.distance}:{words[0]}|{words[1]}"
    return f"{term.kind.value}:{' '.join(words)}"


@dataclass
class _Unit:
    """A phrase or wildcard the matchers look for, and the terms that use it."""

    kind: TermKind
    words: tuple[str, ...]
    plain_keys: list[str] = field(default_factory=list)  # terms that are this unit
    near_roles: list[tuple[str, int]] = field(default_factory=list)  # (NEAR term key, side)
    requirements: list[Requirement] = field(default_factory=list)


class TermMatcher:
    """Matchers for a set of terms, built once with the pipeline that parses the answers.

    Terms are lemmatised by that same pipeline: a lemma matcher whose patterns were made any
    other way silently finds nothing.
    """

    def __init__(self, nlp: Language, terms: Iterable[Term]) -> None:
        self.nlp = nlp
        self.keys: list[str] = []
        self._distance: dict[str, int] = {}
        self._units_of_key: dict[str, list[int]] = {}
        self._units: list[_Unit] = []
        self._unit_of: dict[tuple[TermKind, tuple[str, ...]], int] = {}
        self._phrase_ids: dict[int, int] = {}
        self._phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._wildcards = _WildcardIndex(nlp)
        for term in terms:
            self._add_term(term)

    # -- building ---------------------------------------------------------------------------

    def _add_term(self, term: Term) -> None:
        key = term_key(term)
        if key in self._distance:
            return
        self.keys.append(key)
        self._distance[key] = term.distance
        if term.kind is TermKind.NEAR:
            for side, text in enumerate(term.words):
                words = tuple(text.lower().split())
                if words[-1].endswith("*"):
                    index = self._unit(TermKind.WILDCARD, (*words[:-1], words[-1][:-1]))
                else:
                    index = self._unit(TermKind.PHRASE, words)
                self._units[index].near_roles.append((key, side))
                self._units_of_key.setdefault(key, []).append(index)
        else:
            index = self._unit(term.kind, tuple(w.lower() for w in term.words))
            self._units[index].plain_keys.append(key)
            self._units_of_key[key] = [index]

    def _unit(self, kind: TermKind, words: tuple[str, ...]) -> int:
        index = self._unit_of.get((kind, words))
        if index is not None:
            return index
        index = len(self._units)
        unit = _Unit(kind, words)
        self._units.append(unit)
        self._unit_of[(kind, words)] = index
        if kind is TermKind.WILDCARD:
            leading, stem = self._wildcard_parts(words)
            self._wildcards.add(index, leading, stem)
            unit.requirements = [(frozenset(leading), (stem,))]
        else:
            name = f"U{index}"
            patterns = self._phrase_patterns(words)
            self._phrases.add(name, patterns)
            self._phrase_ids[self.nlp.vocab.strings[name]] = index
            unit.requirements = [(frozenset(t.lemma for t in doc), ()) for doc in patterns]
        return index

    def requirements(self, key: str) -> list[Requirement]:
        """What a text must contain for the term `key` to occur in it (any one alternative).

        A superset test: every text holding the term passes, some that pass do not hold it.
        """
        alternatives: list[Requirement] = [(frozenset(), ())]
        for index in self._units_of_key[key]:
            alternatives = [
                (words | more_words, stems + more_stems)
                for words, stems in alternatives
                for more_words, more_stems in self._units[index].requirements
            ]
        return alternatives

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
        unique: dict[tuple[str, ...], Doc] = {}
        for doc in self.nlp.pipe(sorted(variants)):
            unique.setdefault(tuple(t.lemma_ for t in doc), doc)
        return list(unique.values())

    def _wildcard_parts(self, words: tuple[str, ...]) -> tuple[tuple[int, ...], str]:
        """Lemma hashes of the leading tokens, and the lower-case prefix of the last token."""
        tokens = list(self.nlp(" ".join(words)))
        leading = tuple(self.nlp.vocab.strings.add(t.lemma_) for t in tokens[:-1])
        stem = tokens[-1].lower_ if tokens else words[-1]
        return leading, stem

    # -- matching ---------------------------------------------------------------------------

    def find(self, doc: Doc, text: str | None = None) -> Candidates:
        """Every candidate of every term in one parsed text, by term key.

        `text` is the text the doc was parsed from, if the caller has it (spaCy rebuilds
        `doc.text` token by token on every use).
        """
        return self.find_with_words(doc, text)[0]

    def find_with_words(self, doc: Doc, text: str | None = None) -> tuple[Candidates, set[int]]:
        """`find`, and the set of the text's lemma and lower-case word hashes (for the cache)."""
        if len(doc) == 0:
            return {}, set()
        columns = doc.to_array(_COLUMNS).T.tolist()
        words = set(columns[_LEMMA])
        words.update(columns[_LOWER])
        hits = [(self._phrase_ids[m], s, e) for m, s, e in self._phrases(doc)]
        hits.extend(self._wildcards.find(columns[_LOWER], columns[_LEMMA]))
        if not hits:
            return {}, words
        tokens = _DocArrays(columns, doc.text if text is None else text)
        spans: dict[str, set[tuple[int, int]]] = {}
        sides: dict[str, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
        for unit_index, start, end in hits:
            unit = self._units[unit_index]
            for key in unit.plain_keys:
                spans.setdefault(key, set()).add((start, end))
            for key, side in unit.near_roles:
                sides.setdefault(key, ([], []))[side].append((start, end))
        for key, (left, right) in sides.items():
            paired = _near_pairs(left, right, self._distance[key], tokens)
            if paired:
                spans.setdefault(key, set()).update(paired)
        found = {key: [tokens.candidate(s, e) for s, e in sorted(f)] for key, f in spans.items()}
        return found, words


def _near_pairs(
    left: list[tuple[int, int]], right: list[tuple[int, int]], distance: int, tokens: _DocArrays
) -> set[tuple[int, int]]:
    """Both sides of every pair in one sentence with starts at most `distance` tokens apart."""
    if not left or not right:
        return set()
    right = sorted(right)
    right_starts = [s for s, _ in right]
    paired: set[tuple[int, int]] = set()
    for l_start, l_end in left:
        low = bisect.bisect_left(right_starts, l_start - distance)
        high = bisect.bisect_right(right_starts, l_start + distance)
        for r_start, r_end in right[low:high]:  # only sides close enough: linear, not L x R
            if l_start < r_end and r_start < l_end:
                continue  # the same words cannot be both sides
            if tokens.sentence_of(l_start) != tokens.sentence_of(r_start):
                continue
            paired.add((l_start, l_end))
            paired.add((r_start, r_end))
    return paired


_COLUMNS = [LEMMA, LOWER, IDX, LENGTH, SENT_START]
_LEMMA, _LOWER, _IDX, _LENGTH, _SENT_START = range(5)


class _DocArrays:
    """A parsed doc's lemmas, character offsets and sentence starts as plain lists."""

    __slots__ = ("text", "lemmas", "idx", "length", "starts")

    def __init__(self, columns: list[list[int]], text: str) -> None:
        self.text = text
        self.lemmas, self.idx, self.length = columns[_LEMMA], columns[_IDX], columns[_LENGTH]
        sent_starts = columns[_SENT_START]
        self.starts = [0] + [i for i in range(1, len(sent_starts)) if sent_starts[i] == 1]

    def sentence_of(self, token: int) -> int:
        return self.starts[bisect.bisect_right(self.starts, token) - 1]

    def text_at(self, i: int) -> str:
        start = self.idx[i]
        return self.text[start : start + self.length[i]]

    def candidate(self, start: int, end: int) -> Candidate:
        index = bisect.bisect_right(self.starts, start) - 1
        sent_start = self.starts[index]
        sent_end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.lemmas)
        last, sent_last = end - 1, sent_end - 1
        return Candidate(
            start,
            end,
            self.idx[start],
            self.idx[last] + self.length[last],
            sent_start,
            self.idx[sent_start],
            self.idx[sent_last] + self.length[sent_last],
            negation_cue_at(self.lemmas, self.text_at, start, end, (sent_start, sent_end)),
        )


class _WildcardIndex:
    """Suffix-wildcard units ("commission*", "short break*") matched without regular expressions.

    Each distinct word is tested against every stem once and the answer cached; per text, only
    the words known to start with some stem are looked at position by position. spaCy's Matcher
    with REGEX predicates re-tests every token against every pattern and was most of the
    classification time.
    """

    def __init__(self, nlp: Language) -> None:
        self._strings = nlp.vocab.strings
        self._rules: list[tuple[int, tuple[int, ...], str]] = []
        self._stems_of: dict[int, tuple[int, ...]] = {}
        self._starting_a_stem: set[int] = set()

    def add(self, unit: int, leading: tuple[int, ...], stem: str) -> None:
        self._rules.append((unit, leading, stem))
        self._stems_of.clear()
        self._starting_a_stem.clear()

    def _learn(self, words: Iterable[int]) -> None:
        for lower in [w for w in words if w not in self._stems_of]:
            word = self._strings[lower]
            rules = tuple(i for i, (_, _, stem) in enumerate(self._rules) if word.startswith(stem))
            self._stems_of[lower] = rules
            if rules:
                self._starting_a_stem.add(lower)

    def find(self, lowers: list[int], lemmas: list[int]) -> list[tuple[int, int, int]]:
        """(unit, start, end) of every wildcard occurrence in a doc's lower-case words."""
        if not self._rules:
            return []
        words = set(lowers)
        self._learn(words)
        present = words & self._starting_a_stem
        if not present:
            return []
        found: list[tuple[int, int, int]] = []
        for i in [i for i, lower in enumerate(lowers) if lower in present]:
            lower = lowers[i]
            for index in self._stems_of[lower]:
                unit, leading, _ = self._rules[index]
                start = i - len(leading)
                if start < 0 or tuple(lemmas[start:i]) != leading:
                    continue
                found.append((unit, start, i + 1))
        return found
