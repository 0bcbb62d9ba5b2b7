"""The parse cache: what parsing found in each text, kept between runs of the same export.

Officers revise the dictionary and re-run many times on the same export. Parsing and matching
every answer again each time is the slow part, so for each text (keyed by a hash of the text)
the cache keeps the candidates of every term it was searched for (nlp/matching.py), and the set of
words in it. A re-run then parses nothing for terms it has seen before; for a new term it parses
only the texts whose words could hold it. The candidates include the negation cue, so the
cache is tied to the pipeline (name, version, spaCy version) and to engine_version(): a hash of
the source of every module that decides what a candidate is (ENGINE_SOURCES: matching, the
negation rule and its words, tokenizing and lemmas, ...) and of the lemma tables' version. Any
change to them makes a cache ignored and rebuilt; there is no version number to remember.

One file per export and pipeline, in a folder beside the export (or --cache-dir). Written to a
temporary file and renamed into place, so a reader sees a whole file, and two runs at once
leave one whole file (the later). A file that cannot be read is rebuilt, with a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from sendconsult.caches import text_digest
from sendconsult.errors import Caveat, ReportError
from sendconsult.resources import PACKAGE_DIR, source_digest
from sendconsult.writing import atomic_path, write_failure

# What a text must contain for a term to occur in it: any one alternative, each a set of word
# hashes (lemmas or lower-cased forms) that must all be present and prefixes that some word
# must start with. Found by matching.TermMatcher.requirements; used here to find which cached
# texts a new term could occur in.
Requirement = tuple[frozenset[int], tuple[str, ...]]

FIX = "cache"  # the setting that puts the cache elsewhere, for warnings (see writing.py)
SAVE_FAILED = "The parse cache could not be saved: "
# What a cached candidate depends on: this file (its layout), the modules that find, number and
# store candidates, and all they import that could change a result (tests/test_parse_cache.py
# checks the list against the modules' imports).
ENGINE_SOURCES = (
    "caches/__init__.py",
    "caches/parse.py",
    "nlp/workers.py",
    "nlp/matching.py",
    "nlp/negation.py",
    "nlp/pipeline.py",
    "nlp/arrays.py",
    "themes/model.py",
)


def engine_version(package: Path = PACKAGE_DIR) -> str:
    """The hash a cache file must carry to be used (see the module docstring)."""
    try:
        lookups = metadata.version("spacy-lookups-data")
    except metadata.PackageNotFoundError:  # pragma: no cover - checked when the tables load
        lookups = "missing"
    return f"{source_digest(ENGINE_SOURCES, package)}/lookups-{lookups}"


_COLUMNS = (
    "text", "key", "start", "end", "start_char", "end_char",
    "sentence", "sentence_start_char", "sentence_end_char", "cue",
)  # fmt: skip


@dataclass
class CachePlan:
    """What the cache already knows about the texts of a run, and what must still be parsed.

    `stored_at[i]`: where text i is in the cache, or -1 if it is new. `rows`: the cached
    candidates of the run's texts for the run's terms, in the layout of matching.CandidateRows with
    text = index into the run's texts and key = index into the run's keys, ordered by text;
    `cues` are their negation cues. `missing_keys`: terms the cache never searched for.
    `recheck`: cached texts that may hold a missing term, to parse again for those terms only.
    """

    stored_at: np.ndarray
    rows: np.ndarray
    cues: list[str]
    keys: list[str]
    missing_keys: list[str]
    recheck: list[int]
    digests: list[bytes]

    @property
    def new_texts(self) -> list[int]:
        return np.flatnonzero(self.stored_at < 0).tolist()

    @property
    def cached_texts(self) -> list[int]:
        return np.flatnonzero(self.stored_at >= 0).tolist()


@dataclass
class _Store:
    """The file's content: per text, its word set and the candidates of every searched term."""

    keys: list[str]
    digests: list[bytes]
    word_ptr: np.ndarray  # int64, len(digests) + 1: words of text t are word_ids[ptr[t]:ptr[t+1]]
    word_ids: np.ndarray  # int32 ids into word_hashes
    word_hashes: np.ndarray  # uint64: spaCy string hashes of lemmas and lower-cased forms
    word_strings: list[str]
    rows: np.ndarray  # int32, one row per candidate, columns _COLUMNS (cue: index into cues, -1)
    cues: list[str] = field(default_factory=list)

    @classmethod
    def empty(cls) -> _Store:
        return cls(
            keys=[],
            digests=[],
            word_ptr=np.zeros(1, dtype=np.int64),
            word_ids=np.zeros(0, dtype=np.int32),
            word_hashes=np.zeros(0, dtype=np.uint64),
            word_strings=[],
            rows=np.zeros((0, len(_COLUMNS)), dtype=np.int32),
        )

    @cached_property
    def position(self) -> dict[bytes, int]:
        return {digest: i for i, digest in enumerate(self.digests)}

    @cached_property
    def _owners(self) -> np.ndarray:
        """The text each entry of `word_ids` belongs to."""
        return np.repeat(np.arange(len(self.digests), dtype=np.int32), np.diff(self.word_ptr))

    @cached_property
    def _word_index(self) -> dict[int, int]:
        return {h: i for i, h in enumerate(self.word_hashes.tolist())}

    @cached_property
    def _postings(self) -> dict[int, np.ndarray]:
        """The texts holding each word looked up so far (word index -> sorted texts)."""
        return {}

    def _texts_with_words(self, words: Iterable[int]) -> dict[int, np.ndarray]:
        """The texts holding each of these words (indices into word_hashes), sorted.

        Found in one pass over the texts' words for the words not looked up before: a re-run
        asks about the few words of its new terms, and a full inverted index of millions of
        entries took longer to sort than the rest of the plan.
        """
        postings = self._postings
        new = np.array(sorted(set(words) - postings.keys()), dtype=np.int32)
        if len(new):
            at = np.flatnonzero(np.isin(self.word_ids, new))
            ids, owners = self.word_ids[at], self._owners[at]
            order = np.argsort(ids, kind="stable")  # each word's texts stay in text order
            ids, owners = ids[order], owners[order]
            bounds = np.searchsorted(ids, np.append(new, np.iinfo(np.int32).max))
            for i, word in enumerate(new.tolist()):
                postings[word] = owners[bounds[i] : bounds[i + 1]]
        return postings

    def texts_meeting(self, requirements: Iterable[Requirement]) -> np.ndarray:
        """Indices of stored texts that meet any one of the requirements (see nlp/matching.py)."""
        requirements = list(requirements)
        stem_words = {
            stem: [i for i, s in enumerate(self.word_strings) if s.startswith(stem)]
            for _, stems in requirements
            for stem in stems
        }
        needed = [
            self._word_index[w] for ws, _ in requirements for w in ws if w in self._word_index
        ]
        postings = self._texts_with_words(needed + [w for ws in stem_words.values() for w in ws])
        found = np.zeros(0, dtype=np.int32)
        for hashes, stems in requirements:
            sets: list[np.ndarray] = []
            for word in hashes:
                index = self._word_index.get(word)
                if index is None:
                    sets = [np.zeros(0, dtype=np.int32)]
                    break
                sets.append(postings[index])
            for stem in stems:
                words = stem_words[stem]
                sets.append(
                    np.unique(np.concatenate([postings[w] for w in words]))
                    if words
                    else np.zeros(0, dtype=np.int32)
                )
            if not sets:  # a term with no words: cannot occur
                continue
            meeting = sets[0]
            for other in sets[1:]:
                meeting = np.intersect1d(meeting, other, assume_unique=True)
            found = np.union1d(found, meeting)
        return found


class ParseCache:
    """The cache file of one export and pipeline (see the module docstring)."""

    def __init__(self, folder: Path, export_name: str, pipeline: str) -> None:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{export_name}.{pipeline}")
        self.folder = folder
        self.path = folder / f"{slug}.npz"
        self.pipeline = pipeline
        self.warnings: list[str] = []
        self._store: _Store | None = None

    # -- reading ----------------------------------------------------------------------------

    def _load(self) -> _Store:
        if self._store is None:
            self._store = self._read()
        return self._store

    def _read(self) -> _Store:
        if not self.path.exists():
            return _Store.empty()
        try:
            with np.load(self.path, allow_pickle=False) as data:
                header = json.loads(bytes(data["header"]).decode("utf-8"))
                if (
                    header.get("engine") != engine_version()
                    or header.get("pipeline") != self.pipeline
                ):
                    return _Store.empty()  # made by another version: rebuilt silently
                digests = bytes(data["digests"])
                store = _Store(
                    keys=list(header["keys"]),
                    digests=[digests[i : i + 16] for i in range(0, len(digests), 16)],
                    word_ptr=data["word_ptr"].astype(np.int64),
                    word_ids=data["word_ids"].astype(np.int32),
                    word_hashes=data["word_hashes"].astype(np.uint64),
                    word_strings=list(header["words"]),
                    rows=data["rows"].astype(np.int32).reshape(-1, len(_COLUMNS)),
                    cues=list(header["cues"]),
                )
            _check(store)
            return store
        except Exception as exc:  # noqa: BLE001 - a damaged file fails in many ways; all mean rebuild
            self.warnings.append(
                f"The parse cache {self.path.name} could not be read ({type(exc).__name__}), so "
                "every answer is parsed again and the cache rebuilt."
            )
            return _Store.empty()

    def plan(
        self,
        texts: Sequence[str],
        keys: Sequence[str],
        requirements_of: dict[str, list[Requirement]] | None = None,
    ) -> CachePlan:
        """What is known of `texts` for the terms `keys`; see CachePlan.

        `requirements_of` gives, for terms the cache has not searched for, what a text must
        contain to hold them (TermMatcher.requirements); without it every cached text is
        rechecked for a missing term.
        """
        store = self._load()
        digests = [text_digest(t) for t in texts]
        position = store.position
        stored_at = np.array([position.get(d, -1) for d in digests], dtype=np.int64)
        key_index = {k: i for i, k in enumerate(store.keys)}
        missing = [k for k in keys if k not in key_index]
        rows = np.zeros((0, len(_COLUMNS)), dtype=np.int32)
        known = np.flatnonzero(stored_at >= 0)
        if len(store.rows) and len(known):
            key_map = np.full(len(store.keys), -1, dtype=np.int32)
            for j, k in enumerate(keys):
                if k in key_index:
                    key_map[key_index[k]] = j
            text_map = np.full(len(store.digests), -1, dtype=np.int32)
            text_map[stored_at[known]] = known
            text, key = text_map[store.rows[:, 0]], key_map[store.rows[:, 1]]
            kept = (text >= 0) & (key >= 0)
            rows = store.rows[kept]
            rows[:, 0], rows[:, 1] = text[kept], key[kept]
            rows = rows[np.argsort(rows[:, 0], kind="stable")]
        recheck: list[int] = []
        if missing and len(known):
            if requirements_of is None:
                recheck = known.tolist()
            else:
                hit = np.zeros(len(store.digests), dtype=bool)
                for key in missing:
                    hit[store.texts_meeting(requirements_of[key])] = True
                recheck = known[hit[stored_at[known]]].tolist()
        return CachePlan(
            stored_at=stored_at,
            rows=rows,
            cues=store.cues,
            keys=list(keys),
            missing_keys=missing,
            recheck=recheck,
            digests=digests,
        )

    # -- writing ----------------------------------------------------------------------------

    def update(
        self,
        texts: Sequence[str],
        keys: Sequence[str],
        plan: CachePlan,
        fresh: np.ndarray,
        cues: Sequence[str],
        words: tuple[np.ndarray, np.ndarray],
        strings: dict[int, str],
    ) -> None:
        """Write the cache for this run's texts: what was cached plus what was parsed.

        `fresh`: candidates parsed in this run (new texts, and missing terms of rechecked
        texts), one row each: text (index into `texts`), key (index into `keys`), the seven
        positions of a Candidate, cue (index into `cues`, or -1). `words`: (lengths, hashes), the
        hashes of each new text's lemmas and lower-cased words one text after another, in the
        order of plan.new_texts; `strings` their strings. Texts
        no longer in the export are dropped; terms searched before are kept while no new text
        needs them too.
        """
        store = self._load()
        digests = plan.digests
        new = plan.new_texts
        if not new and not plan.missing_keys and len(texts) == len(store.digests):
            return  # nothing learned: leave the file as it is
        kept_keys = list(keys) if new else list(dict.fromkeys([*store.keys, *keys]))
        key_of = {k: i for i, k in enumerate(kept_keys)}
        old_key_map = np.full(max(1, len(store.keys)), -1, dtype=np.int32)
        for i, k in enumerate(store.keys):
            old_key_map[i] = key_of.get(k, -1)
        stored_at = plan.stored_at
        old_text_map = np.full(max(1, len(store.digests)), -1, dtype=np.int32)
        known = np.flatnonzero(stored_at >= 0)
        old_text_map[stored_at[known]] = known.astype(np.int32)

        # Candidates: old rows of kept texts and terms, then everything newly parsed.
        old = store.rows
        if len(old):
            old = old.copy()
            old[:, 0] = old_text_map[old[:, 0]]
            old[:, 1] = old_key_map[old[:, 1]]
            old = old[(old[:, 0] >= 0) & (old[:, 1] >= 0)]
        fresh = np.asarray(fresh, dtype=np.int32).reshape(-1, len(_COLUMNS)).copy()
        if len(fresh):
            new_key_map = np.array([key_of[k] for k in keys], dtype=np.int32)
            fresh[:, 1] = new_key_map[fresh[:, 1]]
            fresh[:, 9] = np.where(fresh[:, 9] >= 0, fresh[:, 9] + len(store.cues), -1)
        all_cues = [*store.cues, *cues]
        rows = np.concatenate([old.reshape(-1, len(_COLUMNS)), fresh])

        # Word sets: old ones of kept texts, new ones of new texts, on one vocabulary.
        index = dict(store._word_index) if len(store.word_hashes) else {}
        word_strings = list(store.word_strings)
        added: list[int] = []
        new_ids = np.zeros(0, dtype=np.int32)
        new_lengths = np.zeros(0, dtype=np.int64)
        if new:
            new_lengths, every = words
            # A hash table, not a sort: ten million words at 100,000 responses.
            inverse, unique = pd.factorize(every.astype(np.uint64))
            ids = np.empty(len(unique), dtype=np.int32)
            for j, h in enumerate(unique.tolist()):
                w = index.get(h)
                if w is None:
                    w = index[h] = len(index)
                    added.append(h)
                    word_strings.append(strings[h])
                ids[j] = w
            new_ids = ids[inverse]
        # Each text's word ids, gathered in text order from the old store or the new words.
        pool = np.concatenate([store.word_ids, new_ids]).astype(np.int32)
        new_starts = len(store.word_ids) + np.concatenate([[0], np.cumsum(new_lengths)[:-1]])
        segment_start = np.zeros(len(texts), dtype=np.int64)
        segment_length = np.zeros(len(texts), dtype=np.int64)
        old_at = stored_at[known]
        segment_start[known] = store.word_ptr[old_at]
        segment_length[known] = store.word_ptr[old_at + 1] - store.word_ptr[old_at]
        if new:
            segment_start[new] = new_starts
            segment_length[new] = new_lengths
        ptr = np.concatenate([[0], np.cumsum(segment_length)]).astype(np.int64)
        gather = np.repeat(segment_start - ptr[:-1], segment_length) + np.arange(ptr[-1])
        word_ids = pool[gather]
        self._store = _Store(
            keys=kept_keys,
            digests=list(digests),
            word_ptr=ptr,
            word_ids=word_ids.astype(np.int32),
            word_hashes=np.concatenate(
                [store.word_hashes, np.array(added, dtype=np.uint64)]
            ).astype(np.uint64),
            word_strings=word_strings,
            rows=rows,
            cues=all_cues,
        )
        self._write(self._store)

    def _write(self, store: _Store) -> None:
        header = {
            "engine": engine_version(),
            "pipeline": self.pipeline,
            "keys": store.keys,
            "words": store.word_strings,
            "cues": store.cues,
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.warnings.append(
                Caveat(SAVE_FAILED, ReportError(write_failure(self.path, exc), fix=FIX))
            )
            return
        try:
            with (
                atomic_path(self.path, private=True, fix=FIX) as temporary,
                temporary.open("wb") as handle,
            ):
                np.savez(
                    handle,
                    header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
                    digests=np.frombuffer(b"".join(store.digests), dtype=np.uint8),
                    word_ptr=store.word_ptr,
                    word_ids=store.word_ids,
                    word_hashes=store.word_hashes,
                    rows=store.rows,
                )
        except ReportError as exc:
            self.warnings.append(Caveat(SAVE_FAILED, exc))


def _check(store: _Store) -> None:
    """Refuse a store whose parts do not fit together (a damaged or hand-edited file)."""
    n_texts, n_words = len(store.digests), len(store.word_hashes)
    if len(store.word_ptr) != n_texts + 1 or int(store.word_ptr[-1]) != len(store.word_ids):
        raise ValueError("word index does not fit the texts")
    if len(store.word_strings) != n_words:
        raise ValueError("word strings do not fit the words")
    if len(store.word_ids) and (store.word_ids.min() < 0 or store.word_ids.max() >= n_words):
        raise ValueError("word ids out of range")
    rows = store.rows
    if len(rows) and (
        rows[:, 0].min() < 0
        or rows[:, 0].max() >= n_texts
        or rows[:, 1].min() < 0
        or rows[:, 1].max() >= len(store.keys)
        or rows[:, 9].max() >= len(store.cues)
    ):
        raise ValueError("candidate rows out of range")
