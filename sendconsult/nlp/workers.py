"""Coding many texts: from the parse cache, in this process, or on several processes.

Parsing, matching and resolving are done together, a chunk of texts at a time, so a worker
process sends back only compact rows: the matches of each text (coding.MatchRow) and, for the
parse cache, its candidates as a numpy array and its words; never parsed docs, which are slow to
send between processes. Candidates stay rows of numbers until the codes are decided
(engine.ThemeClassifier.resolve_many). Work is shared out in chunks of texts; results come
back in order, so the coding does not depend on how many processes ran it. Small runs stay in
this process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from sendconsult.errors import SendconsultError
from sendconsult.memory import cycle_collection_paused
from sendconsult.nlp.arrays import distinct
from sendconsult.nlp.matching import CandidateRows, TermMatcher, cues_after, term_key
from sendconsult.nlp.pipeline import build_pipeline, pipeline_source
from sendconsult.processes import ParallelError, forks, start_helper
from sendconsult.themes.model import Term, ThemeDictionary

if TYPE_CHECKING:
    from spacy.language import Language

    from sendconsult.caches.parse import ParseCache
    from sendconsult.coding import MatchRow

MIN_TEXTS_PER_PROCESS = 1_500
# Texts matched at once. Matching a batch makes a few hundred numpy calls whatever its size, so
# small batches pay that many times: at 10,000 responses, batches of 256 took 13% longer than
# batches of 1,000 in one process, and batches of 2,000 gained little more.
BATCH_SIZE = 1_000
CHUNK_TEXTS = 1_000  # the most texts a parsing process is given at a time
TASKS_PER_PROCESS = 4  # at least, so that no process waits long for the others' last chunk


class Classifier(Protocol):
    """What coding texts needs of a classifier (engine.ThemeClassifier, which calls this
    module, is one): its pipeline, matcher and terms, and the rules that resolve candidates."""

    dictionary: ThemeDictionary
    nlp: Language
    matcher: TermMatcher
    terms: list[Term]

    def __init__(self, dictionary: ThemeDictionary, nlp: Language) -> None: ...

    @property
    def keys(self) -> list[str]: ...

    def resolve_many(
        self, rows: np.ndarray, cues: list[str], keys: list[str], n_texts: int
    ) -> list[list[MatchRow]]: ...


def default_jobs() -> int:
    """Processes to parse on by default: one per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class _Parsed:
    """What coding a list of texts found, per text in order (see module docstring).

    `rows`: match rows; `cache`: the candidates and words for the parse cache (when asked for
    them), with `strings` the strings of the words that this process had not sent back before
    in this run.
    """

    rows: list[list[MatchRow]] = field(default_factory=list)
    cache: list[CandidateRows] = field(default_factory=list)
    strings: dict[int, str] = field(default_factory=dict)

    def extend(self, other: _Parsed) -> None:
        self.rows.extend(other.rows)
        self.cache.extend(other.cache)
        self.strings.update(other.strings)


def find_rows(
    classifier: Classifier,
    texts: Sequence[str],
    *,
    jobs: int = 1,
    cache: ParseCache | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[list[MatchRow]]:
    """The match rows of every text for the classifier's dictionary (see module docstring)."""
    advance = progress or (lambda n: None)
    if cache is None:
        return _run(classifier, texts, "code", jobs, advance).rows
    keys = classifier.keys
    plan = cache.plan(texts, keys, {k: classifier.matcher.requirements(k) for k in keys})
    new = plan.new_texts
    results: list[list[MatchRow] | None] = [None] * len(texts)
    parsed = _run(classifier, [texts[i] for i in new], "code+cache", jobs, advance)
    for i, rows in zip(new, parsed.rows, strict=True):
        results[i] = rows
    learned = CandidateRows.concat(parsed.cache)
    fresh = learned.rows.copy()
    if len(fresh):
        fresh[:, 0] = np.asarray(new, dtype=np.int32)[fresh[:, 0]]
    cues = list(learned.cues)
    known, known_cues = plan.rows, plan.cues  # what the cached texts' codes are decided from
    if plan.recheck:
        missing = set(plan.missing_keys)
        terms = [t for t in classifier.terms if term_key(t) in missing]
        again = CandidateRows.concat(
            _run(
                classifier, [texts[i] for i in plan.recheck], "candidates", jobs, advance, terms
            ).cache
        )
        extra = again.rows.copy()
        extra[:, 0] = np.asarray(plan.recheck, dtype=np.int32)[extra[:, 0]]
        fresh = np.concatenate([fresh, cues_after(extra, len(cues))])
        cues.extend(again.cues)
        known = np.concatenate([known, cues_after(extra, len(known_cues))])
        known_cues = [*known_cues, *again.cues]
    resolved = classifier.resolve_many(known, known_cues, keys, len(texts))
    cached = plan.cached_texts
    for i in cached:
        results[i] = resolved[i]
    advance(len(cached) - len(plan.recheck))
    cache.update(
        texts, keys, plan, fresh, cues, (learned.word_lengths, learned.words), parsed.strings
    )
    return [rows or [] for rows in results]


def _run(
    classifier: Classifier,
    texts: Sequence[str],
    mode: str,
    jobs: int,
    advance: Callable[[int], None],
    terms: list[Term] | None = None,
) -> _Parsed:
    """Code (mode "code", "code+cache") or find candidates (mode "candidates", for `terms`,
    as rows numbered by the classifier's keys)."""
    processes = min(jobs, len(texts) // MIN_TEXTS_PER_PROCESS)
    source: str | None = None
    if processes > 1:
        try:
            source = pipeline_source(classifier.nlp)
        except SendconsultError:
            processes = 1
    if processes <= 1:
        matcher = classifier.matcher if terms is None else TermMatcher(classifier.nlp, terms)
        result = _Parsed()
        sent: set[int] = set()
        for start in range(0, len(texts), CHUNK_TEXTS):
            chunk = texts[start : start + CHUNK_TEXTS]
            result.extend(_code_chunk(classifier, matcher, chunk, mode, sent))
            advance(len(chunk))
        return result
    size = chunk_size(len(texts), processes)
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    result = _Parsed()
    if forks():  # each worker is a copy of this process: it adopts this classifier as it is
        start: Callable[..., None] = _adopt_worker
        given: tuple[object, ...] = (classifier,)
    else:  # a new interpreter: it builds its own, from the pipeline's source
        start, given = _start_worker, (type(classifier), source, classifier.dictionary)
    executor = ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context(),
        initializer=start,
        initargs=given,
    )
    try:
        tasks = [(chunk, mode, terms) for chunk in chunks]
        for chunk, parsed in zip(chunks, executor.map(_work, tasks), strict=True):
            result.extend(parsed)
            advance(len(chunk))
    except BrokenProcessPool as exc:
        raise ParallelError(
            "A parsing process stopped unexpectedly (often for lack of memory).", fix="jobs"
        ) from exc
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    return result


def chunk_size(n_texts: int, processes: int) -> int:
    """Texts per chunk for `processes` parsing processes: CHUNK_TEXTS, or fewer so that each
    process has TASKS_PER_PROCESS chunks at least."""
    return max(1, min(CHUNK_TEXTS, n_texts // (processes * TASKS_PER_PROCESS)))


def _code_chunk(
    classifier: Classifier,
    matcher: TermMatcher,
    texts: Sequence[str],
    mode: str,
    sent: set[int],
) -> _Parsed:
    """Code one chunk of texts (see _run). `sent`: the words whose strings this process has
    sent back already in this run, which each chunk's result leaves out: the main process
    needs each word's string once, and most words of a chunk are in earlier chunks."""
    result = _Parsed()
    for_cache = mode == "code+cache"
    parts: list[CandidateRows] = []
    docs = matcher.parse(texts, BATCH_SIZE)
    for start in range(0, len(texts), BATCH_SIZE):
        batch = texts[start : start + BATCH_SIZE]
        parts.append(matcher.find_rows([next(docs) for _ in batch], batch, words=for_cache))
    found = CandidateRows.concat(parts)
    if mode == "candidates":  # for the parse cache: keys numbered as the classifier's
        index = {k: j for j, k in enumerate(classifier.keys)}
        found.rows[:, 1] = np.array([index[k] for k in matcher.keys], dtype=np.int32)[
            found.rows[:, 1]
        ]
        result.cache = [found]
        return result
    result.rows = classifier.resolve_many(found.rows, found.cues, matcher.keys, len(texts))
    if for_cache:
        result.cache = [found]
        strings = classifier.nlp.vocab.strings
        new = [h for h in distinct(found.words).tolist() if h not in sent]
        sent.update(new)
        result.strings = {h: strings[h] for h in new}
    return result


# -- inside a worker process -------------------------------------------------------------------

_worker: Classifier | None = None
_worker_sent: set[int] = set()  # words whose strings this worker sent back (see _code_chunk)
_worker_matchers: dict[tuple[str, ...], TermMatcher] = {}


def _start_worker(
    classifier_type: type[Classifier], source: str | None, dictionary: ThemeDictionary
) -> None:
    """Build the pipeline and classifier once per worker. Ctrl-C is left to the main process.

    The main process passes the classifier's class, so this module never imports the module
    that calls it (engine.py).
    """
    global _worker
    start_helper()
    _worker = classifier_type(dictionary, build_pipeline(source))
    _worker_sent.clear()  # a worker serves one run


def _adopt_worker(classifier: Classifier) -> None:
    """Where processes fork, a worker uses the main process's classifier, inherited as it is
    (initializer arguments are not copied through a pipe then): building the pipeline and the
    matchers again took each worker about 0.3 s before it could parse."""
    global _worker
    start_helper()
    _worker = classifier
    _worker_sent.clear()  # a worker serves one run


def _work(task: tuple[Sequence[str], str, list[Term] | None]) -> _Parsed:
    texts, mode, terms = task
    assert _worker is not None
    matcher = _worker.matcher
    if terms is not None:
        keys = tuple(term_key(t) for t in terms)
        if keys not in _worker_matchers:
            _worker_matchers[keys] = TermMatcher(_worker.nlp, terms)
        matcher = _worker_matchers[keys]
    with cycle_collection_paused():  # as in the main process: see memory.py
        return _code_chunk(_worker, matcher, texts, mode, _worker_sent)
