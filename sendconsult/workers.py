"""Finding the candidates of many texts: from the parse cache, in this process, or on several.

Parsing and matching are done together, text by text, so a worker process sends back only the
candidates it found (and, for the cache, the words of each text), never parsed docs: spaCy docs
are slow to send between processes. Work is shared out in chunks of texts; results come back
in order, so the coding does not depend on how many processes ran it. Small runs stay in this
process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from spacy.language import Language

from sendconsult.errors import SendconsultError
from sendconsult.matching import Candidates, TermMatcher, term_key
from sendconsult.nlp import build_pipeline, pipeline_source
from sendconsult.themes.model import Term

if TYPE_CHECKING:
    from sendconsult.classify import ThemeClassifier
    from sendconsult.parse_cache import ParseCache

MIN_TEXTS_PER_PROCESS = 1_500
CHUNK_TEXTS = 500
BATCH_SIZE = 256


class ParallelError(SendconsultError):
    """A worker process stopped."""


def default_jobs() -> int:
    """Processes to parse on by default: one per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class _Parsed:
    """What parsing a list of texts found: candidates, and for the cache each text's words."""

    candidates: list[Candidates] = field(default_factory=list)
    words: list[np.ndarray] = field(default_factory=list)
    strings: dict[int, str] = field(default_factory=dict)

    def extend(self, other: _Parsed) -> None:
        self.candidates.extend(other.candidates)
        self.words.extend(other.words)
        self.strings.update(other.strings)


def find_candidates(
    classifier: ThemeClassifier,
    texts: Sequence[str],
    *,
    jobs: int = 1,
    cache: ParseCache | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Candidates]:
    """The candidates of every text for the classifier's terms (see module docstring)."""
    advance = progress or (lambda n: None)
    if cache is None:
        return _parse(classifier, texts, classifier.terms, jobs, False, advance).candidates
    keys = classifier.keys
    plan = cache.plan(texts, keys, {k: classifier.matcher.requirements(k) for k in keys})
    new = plan.new_texts
    advance(len(texts) - len(new) - len(plan.recheck))
    results: list[Candidates] = [found if found is not None else {} for found in plan.found]
    parsed = _parse(classifier, [texts[i] for i in new], classifier.terms, jobs, True, advance)
    for i, found in zip(new, parsed.candidates, strict=True):
        results[i] = found
    if plan.recheck:
        missing = set(plan.missing_keys)
        terms = [t for t in classifier.terms if term_key(t) in missing]
        again = _parse(classifier, [texts[i] for i in plan.recheck], terms, jobs, False, advance)
        for i, found in zip(plan.recheck, again.candidates, strict=True):
            results[i] = {**results[i], **found}
    words = dict(zip(new, parsed.words, strict=True))
    cache.update(texts, keys, plan, results, words, parsed.strings)
    return results


def _parse(
    classifier: ThemeClassifier,
    texts: Sequence[str],
    terms: list[Term],
    jobs: int,
    with_words: bool,
    advance: Callable[[int], None],
) -> _Parsed:
    processes = min(jobs, len(texts) // MIN_TEXTS_PER_PROCESS)
    if processes > 1:
        try:
            source = pipeline_source(classifier.nlp)
        except SendconsultError:
            processes = 1
    if processes <= 1:
        matcher = classifier.matcher if terms is classifier.terms else None
        matcher = matcher or TermMatcher(classifier.nlp, terms)
        result = _Parsed()
        for start in range(0, len(texts), CHUNK_TEXTS):
            chunk = texts[start : start + CHUNK_TEXTS]
            result.extend(_parse_chunk(classifier.nlp, matcher, chunk, with_words))
            advance(len(chunk))
        return result
    chunks = [texts[i : i + CHUNK_TEXTS] for i in range(0, len(texts), CHUNK_TEXTS)]
    result = _Parsed()
    executor = ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context(),
        initializer=_start_worker,
        initargs=(source,),
    )
    try:
        tasks = [(terms, chunk, with_words) for chunk in chunks]
        for chunk, parsed in zip(chunks, executor.map(_work, tasks), strict=True):
            result.extend(parsed)
            advance(len(chunk))
    except BrokenProcessPool as exc:
        raise ParallelError(
            "A parsing process stopped unexpectedly (often for lack of memory); run again with "
            "--jobs 1 to parse in one process."
        ) from exc
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    return result


def _parse_chunk(
    nlp: Language, matcher: TermMatcher, texts: Sequence[str], with_words: bool
) -> _Parsed:
    result = _Parsed()
    every: set[int] = set()
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=BATCH_SIZE), strict=True):
        found, words = matcher.find_with_words(doc, text)
        result.candidates.append(found)
        if with_words:
            result.words.append(np.fromiter(words, dtype=np.uint64, count=len(words)))
            every.update(words)
    if with_words:
        strings = nlp.vocab.strings
        result.strings = {h: strings[h] for h in every}
    return result


# -- inside a worker process -------------------------------------------------------------------

_worker_nlp: Language | None = None
_worker_matchers: dict[tuple[str, ...], TermMatcher] = {}


def _start_worker(source: str | None) -> None:
    """Build the pipeline once per worker. Ctrl-C is left to the main process to report."""
    global _worker_nlp
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_nlp = build_pipeline(source)


def _work(task: tuple[list[Term], Sequence[str], bool]) -> _Parsed:
    terms, texts, with_words = task
    assert _worker_nlp is not None
    keys = tuple(term_key(t) for t in terms)
    matcher = _worker_matchers.get(keys)
    if matcher is None:
        matcher = _worker_matchers[keys] = TermMatcher(_worker_nlp, terms)
    return _parse_chunk(_worker_nlp, matcher, texts, with_words)
