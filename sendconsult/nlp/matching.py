"""Finding where dictionary terms occur in a parsed answer: candidates.

A candidate is one place where a term's words occur, with its sentence and the negation cue
around it (if any). Candidates depend only on the text, the term and the pipeline, not on which
theme the term belongs to, so they are what the parse cache keeps per text (caches/parse.py): a
re-run with a revised dictionary only searches for the terms that are new. engine.py turns
candidates into Matches (theme, exclusions, vetoes).

Terms are matched with spaCy's PhraseMatcher on lemmas; wildcard terms ("commission*") by a
per-word cache of which stems a word starts with; NEAR terms are pairs of those within N
tokens in one sentence. Positions, lemmas and sentences are read from arrays of the parsed doc
rather than through a spaCy object per token, which was most of the classification time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from spacy.attrs import IDX, LEMMA, LENGTH, LOWER, NORM, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from sendconsult.caches.parse import Requirement
from sendconsult.nlp.arrays import distinct, expand
from sendconsult.nlp.negation import may_deny, negation_cue_at
from sendconsult.nlp.pipeline import lemmas_are_norms, sentence_starts
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
# A Candidate from a tuple of its fields, without the named tuple's keyword handling: a run
# makes one per occurrence of a term (and the parse cache one per cached occurrence).
candidate_from = functools.partial(tuple.__new__, Candidate)


@dataclass
class CandidateRows:
    """Candidates of consecutive texts as rows of numbers and, for the parse cache, the texts'
    words: what parsing processes send back, and what the parse cache keeps.

    `rows`: one per candidate, ordered by text, columns: text (from 0), term key (its number
    in the matcher's keys), the seven positions of a Candidate, cue (into `cues`, or -1).
    `word_lengths[i]` words of text i follow each other in `words`: the hashes of its distinct
    lemmas and lower-cased forms (none unless asked for).
    """

    rows: np.ndarray
    cues: list[str]
    word_lengths: np.ndarray
    words: np.ndarray

    @classmethod
    def empty(cls) -> CandidateRows:
        return cls(
            np.zeros((0, 10), dtype=np.int32),
            [],
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.uint64),
        )

    @classmethod
    def concat(cls, parts: Sequence[CandidateRows]) -> CandidateRows:
        """The texts of several parts, one after another."""
        if not parts:
            return cls.empty()
        rows, cues, texts = [], [], 0
        for part in parts:
            shifted = cues_after(part.rows, len(cues))
            shifted[:, 0] += texts
            rows.append(shifted)
            cues.extend(part.cues)
            texts += len(part.word_lengths)
        return CandidateRows(
            np.concatenate(rows),
            cues,
            np.concatenate([p.word_lengths for p in parts]),
            np.concatenate([p.words for p in parts]),
        )

    def candidates(self, keys: Sequence[str]) -> list[Candidates]:
        """The Candidates of each text, by term key (`keys`: the matcher's)."""
        bounds = np.searchsorted(self.rows[:, 0], np.arange(len(self.word_lengths) + 1))
        return [
            row_candidates(self.rows[bounds[i] : bounds[i + 1]], self.cues, keys) if more else {}
            for i, more in enumerate(np.diff(bounds).tolist())
        ]


def cues_after(rows: np.ndarray, offset: int) -> np.ndarray:
    """A copy of candidate rows whose cues (column 9, -1 for none) follow `offset` others."""
    shifted = rows.copy()
    shifted[:, 9] = np.where(rows[:, 9] >= 0, rows[:, 9] + offset, -1)
    return shifted


def row_candidates(rows: np.ndarray, cues: Sequence[str], keys: Sequence[str]) -> Candidates:
    """The Candidates of one text's rows (the layout of CandidateRows), by term key."""
    found: Candidates = {}
    for row in rows.tolist():
        cue = cues[row[9]] if row[9] >= 0 else None
        found.setdefault(keys[row[1]], []).append(candidate_from((*row[2:9], cue)))
    return found


def term_key(term: Term) -> str:
    """What decides a term's candidates (kind, words, distance), independent of its theme."""
    words = [w.lower() for w in term.words]
    if term.kind is TermKind.NEAR:
        # "gap": the distance runs between the sides' facing ends (see _near_spans); keys of
        # the earlier start-to-start count ("near/N:") name other candidates, so a parse
        # cache holding them is not reused for these terms.
        return f"near-gap/{term.distance}:{words[0]}|{words[1]}"
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
    other way silently finds nothing. With the built-in pipeline, lemmas and sentences are
    read from the tokenizer's doc (pipeline.lemmas_are_norms), so `parse` only tokenizes.
    """

    def __init__(self, nlp: Language, terms: Iterable[Term]) -> None:
        self.nlp = nlp
        self._boundary_flag = lemmas_are_norms(nlp)
        self.keys: list[str] = []
        self._distance: dict[str, int] = {}
        self._units_of_key: dict[str, list[int]] = {}
        self._key_index: dict[str, int] = {}
        self._units: list[_Unit] = []
        self._unit_of: dict[tuple[TermKind, tuple[str, ...]], int] = {}
        self._phrase_ids: dict[int, int] = {}
        lemma_attr = "LEMMA" if self._boundary_flag is None else "NORM"
        self._phrases = PhraseMatcher(nlp.vocab, attr=lemma_attr)
        self._wildcards = _WildcardIndex(nlp)
        for term in terms:
            self._add_term(term)

    # -- building ---------------------------------------------------------------------------

    def _add_term(self, term: Term) -> None:
        key = term_key(term)
        if key in self._distance:
            return
        self._key_index[key] = len(self.keys)
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

    def parse(self, texts: Iterable[str], batch_size: int) -> Iterator[Doc]:
        """The docs `find_batch` needs of many texts: tokenized only with the built-in
        pipeline (see the class docstring), through the whole pipeline otherwise."""
        if self._boundary_flag is not None:
            make_doc = self.nlp.make_doc
            return (make_doc(text) for text in texts)
        return iter(self.nlp.pipe(texts, batch_size=batch_size))

    def find(self, doc: Doc, text: str | None = None) -> Candidates:
        """Every candidate of every term in one parsed text, by term key.

        `text` is the text the doc was parsed from, if the caller has it (spaCy rebuilds
        `doc.text` token by token on every use).
        """
        return self.find_batch([doc], [doc.text if text is None else text])[0]

    def find_batch(self, docs: Sequence[Doc], texts: Sequence[str]) -> list[Candidates]:
        """The candidates of many parsed texts, each by term key."""
        return self.find_rows(docs, texts).candidates(self.keys)

    def find_rows(
        self, docs: Sequence[Doc], texts: Sequence[str], *, words: bool = False
    ) -> CandidateRows:
        """The candidates of many parsed texts as rows and, with `words`, each text's words
        (see CandidateRows): a run codes most texts from these without a Candidate each."""
        batch = _Batch(docs, texts, self._boundary_flag)
        rows, cues = batch.rows(self._term_spans(self._unit_hits(docs, batch), batch))
        if words:
            return CandidateRows(rows, cues, *batch.words())
        return CandidateRows(rows, cues, np.zeros(len(docs), np.int64), np.zeros(0, np.uint64))

    def _unit_hits(self, docs: Sequence[Doc], batch: _Batch) -> np.ndarray:
        """Rows (doc, unit, start, end) of every phrase and wildcard occurrence in a batch."""
        phrase_ids = self._phrase_ids
        phrases = self._phrases
        flat: list[tuple[int, int, int, int]] = []
        for d, doc in enumerate(docs):
            if len(doc):
                matches = phrases(doc)
                if matches:
                    flat += [(d, phrase_ids[m], s, e) for m, s, e in matches]
        phrase_hits = np.array(flat, dtype=np.int64).reshape(-1, 4)
        wildcard_hits = self._wildcards.find_batch(batch)
        return np.concatenate([phrase_hits, wildcard_hits]) if len(wildcard_hits) else phrase_hits

    def _term_spans(self, hits: np.ndarray, batch: _Batch) -> np.ndarray:
        """Rows (doc, key index, start, end) of every term occurrence the unit hits make,
        each once, sorted: a unit's own terms wherever it occurs, and NEAR terms where both
        sides occur close enough in one sentence."""
        plain_count, plain_keys, plain_first = self._plain_layout
        units = hits[:, 1]
        which, copy = expand(plain_count[units])
        spans = hits[which]
        spans[:, 1] = plain_keys[plain_first[units[which]] + copy]
        near_hits = hits[self._has_near[units]]
        if len(near_hits):
            spans = np.concatenate([spans, self._near_spans(near_hits, batch)])
        if len(spans) > 1:
            spans = spans[np.lexsort(spans.T[::-1])]
            keep = np.ones(len(spans), dtype=bool)
            keep[1:] = (spans[1:] != spans[:-1]).any(axis=1)
            spans = spans[keep]
        return spans

    def _near_spans(self, hits: np.ndarray, batch: _Batch) -> np.ndarray:
        """Rows (doc, key index, start, end) of both sides of every NEAR pair in the hits
        (of units that are a side of some NEAR term): the sides in one sentence, at most
        the term's distance apart, in either order.

        The distance runs from the last word of the side that comes first to the first word
        of the other ("choice and a little control": 4), so a side of several words ("social
        care") is as near to the other side when it comes first as when it comes second.
        """
        role_count, role_first, role_key, role_side, role_distance = self._near_layout
        which, copy = expand(role_count[hits[:, 1]])
        role = role_first[hits[which, 1]] + copy
        doc, start, end = hits[which, 0], hits[which, 2], hits[which, 3]
        sentence = np.searchsorted(batch.sentence_starts, batch.offsets[doc] + start, "right")
        # sides of one term in one sentence share a group
        group = role_key[role] * (len(batch.sentence_starts) + 1) + sentence
        lefts, rights = np.flatnonzero(role_side[role] == 0), np.flatnonzero(role_side[role] == 1)
        rights = rights[np.argsort(group[rights], kind="stable")]
        low = np.searchsorted(group[rights], group[lefts], "left")
        high = np.searchsorted(group[rights], group[lefts], "right")
        pair, nth = expand(high - low)
        left, right = lefts[pair], rights[low[pair] + nth]
        l_start, l_end, r_start, r_end = start[left], end[left], start[right], end[right]
        apart = (r_start >= l_end) | (l_start >= r_end)  # the same words cannot be both sides
        gap = np.where(r_start >= l_end, r_start - (l_end - 1), l_start - (r_end - 1))
        near = apart & (gap <= role_distance[role[left]])
        left, right = left[near], right[near]
        sides = np.concatenate([left, right])
        return np.stack([doc[sides], role_key[role[sides]], start[sides], end[sides]], axis=1)

    @functools.cached_property
    def _plain_layout(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per unit: how many terms are the unit itself, their key indices end to end, and
        where each unit's begin among them (built once all terms are added)."""
        count = np.array([len(u.plain_keys) for u in self._units], dtype=np.int64)
        keys = [self._key_index[k] for u in self._units for k in u.plain_keys]
        return count, np.array(keys, dtype=np.int64), np.cumsum(count) - count

    @functools.cached_property
    def _has_near(self) -> np.ndarray:
        """Per unit: whether it is a side of some NEAR term."""
        return np.array([bool(u.near_roles) for u in self._units], dtype=bool)

    @functools.cached_property
    def _near_layout(self) -> tuple[np.ndarray, ...]:
        """Per unit: how many NEAR sides it is and where its begin; per side: the term's key
        index, which side (0 or 1) and the term's distance."""
        count = np.array([len(u.near_roles) for u in self._units], dtype=np.int64)
        roles = [(self._key_index[k], side) for u in self._units for k, side in u.near_roles]
        keys = np.array([k for k, _ in roles], dtype=np.int64)
        sides = np.array([side for _, side in roles], dtype=np.int64)
        distances = np.array([self._distance[self.keys[k]] for k, _ in roles], dtype=np.int64)
        return count, np.cumsum(count) - count, keys, sides, distances


class _Batch:
    """The token columns of many parsed docs end to end, with where each doc and sentence
    starts: positions, sentences and the negation pre-check are computed for all candidates
    of the batch at once with numpy, not token by token.

    With `boundary_flag` (the built-in pipeline, see pipeline.lemmas_are_norms) lemmas are read from
    NORM and sentences found from the boundary words; otherwise from LEMMA and SENT_START.
    """

    def __init__(
        self, docs: Sequence[Doc], texts: Sequence[str], boundary_flag: int | None = None
    ) -> None:
        self.texts = texts
        if boundary_flag is None:
            columns_wanted = [LEMMA, LOWER, IDX, LENGTH, SENT_START]
        else:
            columns_wanted = [NORM, LOWER, IDX, LENGTH, boundary_flag]
        arrays = [
            doc.to_array(columns_wanted) if len(doc) else np.zeros((0, 5), dtype=np.uint64)
            for doc in docs
        ]
        self.arrays = arrays
        lengths = np.array([len(a) for a in arrays], dtype=np.int64)
        self.offsets = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.offsets[1:])
        columns = np.concatenate(arrays) if arrays else np.zeros((0, 5), dtype=np.uint64)
        self.lemma, self.lower = columns[:, 0], columns[:, 1]
        self.idx = columns[:, 2].astype(np.int64)
        self.length = columns[:, 3].astype(np.int64)
        doc_starts = self.offsets[:-1][lengths > 0]
        if boundary_flag is None:
            is_start = columns[:, 4] == 1
            is_start[doc_starts] = True  # a doc starts a sentence
        else:
            is_start = sentence_starts(columns[:, 4] == 1, doc_starts)
        self.sentence_starts = np.flatnonzero(is_start)
        self.doc_of = np.repeat(np.arange(len(docs)), lengths)

    def rows(self, wanted: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """The candidate rows (see CandidateRows) of each (doc, key index, start, end)
        wanted, with sentence and negation cue, and the cues."""
        if not len(wanted):
            return np.zeros((0, 10), np.int32), []
        docs, key_numbers = wanted[:, 0], wanted[:, 1]
        local_first, local_after = wanted[:, 2], wanted[:, 3]
        offsets = self.offsets[docs]
        first, after = offsets + local_first, offsets + local_after
        sentence = np.searchsorted(self.sentence_starts, first, side="right") - 1
        sent_first = self.sentence_starts[sentence]
        following = np.append(self.sentence_starts, len(self.lemma))
        sent_after = following[sentence + 1]
        idx, length = self.idx, self.length
        start_char = idx[first]
        end_char = idx[after - 1] + length[after - 1]
        sent_start_char = idx[sent_first]
        sent_end_char = idx[sent_after - 1] + length[sent_after - 1]
        # Only mentions the negation rule could deny go through the rule itself.
        check = may_deny(self.lemma, first, after, sent_first, sent_after)
        cue_ids = np.full(len(wanted), -1, dtype=np.int64)
        cues: dict[str, int] = {}
        lemmas: dict[int, list[int]] = {}
        sentence_after = sent_after - offsets
        for i in np.flatnonzero(check).tolist():
            d, _, s, e = wanted[i].tolist()
            if d not in lemmas:
                lemmas[d] = self.lemma[self.offsets[d] : self.offsets[d + 1]].tolist()
            bounds = (int(sent_first[i] - offsets[i]), int(sentence_after[i]))
            cue = negation_cue_at(lemmas[d], self._text_at(d), s, e, bounds)
            if cue is not None:
                cue_ids[i] = cues.setdefault(cue, len(cues))
        rows = np.stack(
            [docs, key_numbers, local_first, local_after, start_char, end_char,
             sent_first - offsets, sent_start_char, sent_end_char, cue_ids],
            axis=1,
        ).astype(np.int32)  # fmt: skip
        return rows, list(cues)

    def words(self) -> tuple[np.ndarray, np.ndarray]:
        """Each doc's distinct lemmas and lower-case words (see CandidateRows)."""
        n_docs = len(self.offsets) - 1
        differs = self.lower != self.lemma  # most words are their own lemma: kept once
        owner = np.concatenate([self.doc_of, self.doc_of[differs]])
        hashes = np.concatenate([self.lemma, self.lower[differs]])
        order = np.lexsort((hashes, owner))
        owner, hashes = owner[order], hashes[order]
        keep = np.ones(len(hashes), dtype=bool)
        keep[1:] = (owner[1:] != owner[:-1]) | (hashes[1:] != hashes[:-1])
        owner, hashes = owner[keep], hashes[keep]
        return np.bincount(owner, minlength=n_docs).astype(np.int64), hashes

    def _text_at(self, d: int) -> Callable[[int], str]:
        text, offset = self.texts[d], int(self.offsets[d])

        def text_at(i: int) -> str:
            start = int(self.idx[offset + i])
            return text[start : start + int(self.length[offset + i])]

        return text_at


_BUCKET_MASK = np.uint64((1 << 16) - 1)


class _WildcardIndex:
    """Suffix-wildcard units ("commission*", "short break*") matched without regular expressions.

    Each distinct word is tested against every stem once and the answer kept, as a row of a
    word-by-stem table; a batch looks up its words in that table with numpy, then checks the
    leading words ("special" of "special school*") of every unit of each stem it found, at
    all those positions at once. spaCy's Matcher with REGEX predicates re-tests every token
    against every pattern and was most of the classification time; a Python loop over the
    positions, and then over the stems, was still a third of matching.
    """

    def __init__(self, nlp: Language) -> None:
        self._strings = nlp.vocab.strings
        self._stems: list[str] = []
        self._entries: list[tuple[int, tuple[int, ...], int]] = []  # (stem, leading, unit)
        self._layout: _WildcardLayout | None = None
        self._seen: set[int] = set()  # lower-case word hashes already tested against the stems
        self._reset_table()

    def _reset_table(self) -> None:
        self._seen.clear()
        self._words = np.zeros(0, dtype=np.uint64)  # words starting a stem, sorted
        self._buckets = np.zeros(_BUCKET_MASK + 1, dtype=bool)  # low bits of those words
        self._stems_of_word = np.zeros((0, len(self._stems)), dtype=bool)  # rows as _words
        self._stem_index()

    def add(self, unit: int, leading: tuple[int, ...], stem: str) -> None:
        if stem not in self._stems:
            self._stems.append(stem)
            self._reset_table()
        self._entries.append((self._stems.index(stem), leading, unit))
        self._layout = None

    def _learn(self, words: np.ndarray) -> None:
        """Test the words not seen before against every stem and add those starting one."""
        new = [w for w in distinct(words).tolist() if w not in self._seen]
        if not new:
            return
        self._seen.update(new)
        stem_at = {stem: i for i, stem in enumerate(self._stems)}
        lengths = sorted({len(stem) for stem in self._stems})
        starting: list[int] = []
        cells: list[tuple[int, int]] = []  # (row, stem) of each word's stems
        for lower in new:
            word = self._strings[lower]
            stems = [stem_at.get(word[:n]) for n in lengths if n <= len(word)]
            stems = [i for i in stems if i is not None]
            if stems:
                cells.extend((len(starting), i) for i in stems)
                starting.append(lower)
        if not starting:
            return
        rows = np.zeros((len(starting), len(self._stems)), dtype=bool)
        rows[tuple(np.array(cells).T)] = True
        words_now = np.concatenate([self._words, np.array(starting, dtype=np.uint64)])
        table = np.concatenate([self._stems_of_word, rows])
        order = np.argsort(words_now, kind="stable")
        self._words, self._stems_of_word = words_now[order], table[order]
        self._buckets[self._words & _BUCKET_MASK] = True
        self._stem_index()

    def _stem_index(self) -> None:
        """Each table word's stems, in stem order, as a list per word: `_stem_count[w]` stems
        from `_stem_first[w]` in `_stem_list`."""
        word_of, self._stem_list = np.nonzero(self._stems_of_word)
        self._stem_count = np.bincount(word_of, minlength=len(self._words)).astype(np.int64)
        self._stem_first = np.cumsum(self._stem_count) - self._stem_count

    def find_batch(self, batch: _Batch) -> np.ndarray:
        """Rows (doc, unit, start, end) of every wildcard occurrence, in token positions of
        its doc."""
        none = np.zeros((0, 4), dtype=np.int64)
        if not self._stems or not len(batch.lower):
            return none
        self._learn(batch.lower)
        if not len(self._words):
            return none
        # Most words start no stem: a table of their hashes' low bits rules out nearly all
        # at once, and only the rest are looked up.
        maybe = np.flatnonzero(self._buckets[batch.lower & _BUCKET_MASK])
        lower = batch.lower[maybe]
        row = np.minimum(np.searchsorted(self._words, lower), len(self._words) - 1)
        found = self._words[row] == lower
        positions, row = maybe[found], row[found]
        if not len(positions):
            return none
        # every (position, stem it starts with), then every unit of that stem
        cell, nth = expand(self._stem_count[row])
        stem = self._stem_list[self._stem_first[row[cell]] + nth]
        layout = self._layout or self._build_layout()
        which, copy = expand(layout.count[stem])
        entry = layout.first[stem[which]] + copy
        at = positions[cell[which]]
        docs = batch.doc_of[at]
        local = at - batch.offsets[docs]
        leading = layout.leading_count[entry]
        hit = local >= leading  # the leading words are in the same doc
        for k in range(layout.leading.shape[1]):
            needed = leading > k
            word = batch.lemma[np.where(needed, np.maximum(at - leading + k, 0), at)]
            hit &= ~needed | (word == layout.leading[entry, k])
        starts = local[hit] - leading[hit]
        return np.stack([docs[hit], layout.unit[entry[hit]], starts, local[hit] + 1], axis=1)

    def _build_layout(self) -> _WildcardLayout:
        entries = sorted(self._entries, key=lambda e: e[0])
        widest = max((len(leading) for _, leading, _ in entries), default=0)
        leading = np.zeros((len(entries), widest), dtype=np.uint64)
        for i, (_, words, _) in enumerate(entries):
            leading[i, : len(words)] = words
        count = np.bincount([e[0] for e in entries], minlength=len(self._stems)).astype(np.int64)
        self._layout = _WildcardLayout(
            count=count,
            first=np.cumsum(count) - count,
            unit=np.array([e[2] for e in entries], dtype=np.int64),
            leading_count=np.array([len(e[1]) for e in entries], dtype=np.int64),
            leading=leading,
        )
        return self._layout


@dataclass(frozen=True)
class _WildcardLayout:
    """The wildcard units as arrays, grouped by stem: `count[s]` units of stem s follow each
    other from `first[s]`; each has its unit number, how many leading words it has and their
    lemma hashes (a row of `leading`, padded)."""

    count: np.ndarray
    first: np.ndarray
    unit: np.ndarray
    leading_count: np.ndarray
    leading: np.ndarray
