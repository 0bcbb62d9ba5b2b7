"""Finding campaign responses: the same (or nearly the same) letter sent by many respondents.

Consultation practice is to count a form-letter campaign once as well as by its signatories,
and to report both. Two answers belong to one campaign when their word 5-gram shingles have a
Jaccard similarity of at least 0.8; only longer answers (a letter, not "more respite please")
are candidates. To stay fast at 100,000 responses, all answers are split into words in one
pass over their UTF-8 bytes, each distinct word's hash is computed once, every shingle's hash
is computed at once with numpy, each answer is bucketed by a few of its rarest shared shingles
among a sample (those whose hash is divisible by SAMPLE), and only answers sharing a bucket
are compared on their full shingle sets (all pairs at once, as sparse row products). Hashes
come from crc32 of the words, so results never vary between runs.
"""

from __future__ import annotations

import string
import time
import zlib
from collections import defaultdict
from collections.abc import Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from sendconsult.caches import campaigns as cache
from sendconsult.nlp.arrays import distinct
from sendconsult.processes import ParallelError, forks, run_apart
from sendconsult.survey import RESPONSE_ID, Survey

MIN_WORDS = 30
MIN_ANSWERS_APART = 5_000  # long answers from which detection is worth a helper
# A cached result is reused only while these files (detection and its arrays) are unchanged.
DETECTION_SOURCES = ("campaigns.py", "nlp/arrays.py")
SHINGLE = 5
SAMPLE = 4  # keep shingles whose hash is divisible by this: a quarter, enough to bucket
ANCHORS = 3  # buckets per answer: its rarest sampled shingles that another answer shares
# What separates words: white space (all that str.split() splits on) and punctuation other
# than the apostrophe. ASCII ones are looked up by byte, the others found by code point.
_ASCII_SEPARATORS = string.punctuation.replace("'", "") + "\t\n\v\f\r\x1c\x1d\x1e\x1f "
_WIDE_SEPARATORS = np.array(
    sorted(
        map(
            ord,
            "’‘“”–—…\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
            "\u2009\u200a\u2028\u2029\u202f\u205f\u3000",
        )
    ),
    dtype=np.int64,
)
_IN_WORD = bytes(0 if chr(b) in _ASCII_SEPARATORS else 1 for b in range(256))
_LOW_BYTES = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [(1 << 64) - 1], dtype=np.uint64)
_MULTIPLIERS = np.array(
    [pow(1_000_003, SHINGLE - 1 - k, 1 << 64) for k in range(SHINGLE)], dtype=np.uint64
)


@dataclass(frozen=True)
class Campaign:
    """One group of near-identical responses."""

    id: str
    size: int
    response_ids: tuple[str, ...]
    text: str


@dataclass
class CampaignResult:
    """Campaigns found, and which campaign (if any) each response belongs to."""

    campaigns: list[Campaign] = field(default_factory=list)
    by_response: dict[str, str] = field(default_factory=dict)

    @property
    def campaign_responses(self) -> int:
        return sum(c.size for c in self.campaigns)

    def representatives(self) -> set[str]:
        """One response per campaign: the one kept when campaigns are counted once."""
        return {c.response_ids[0] for c in self.campaigns}


def detect_campaigns(
    survey: Survey, *, min_size: int = 5, similarity: float = 0.8, cache_dir: Path | None = None
) -> CampaignResult:
    """Group responses whose answers are the same letter (Jaccard >= similarity), see above.

    The result depends only on the export's answers, so with `cache_dir` it is kept there
    (keyed by a hash of the answers and the settings; caches/campaigns.py) and a re-run reads
    it back.
    """
    with find_campaigns(
        survey, min_size=min_size, similarity=similarity, cache_dir=cache_dir
    ) as search:
        return search.result()


def find_campaigns(
    survey: Survey,
    *,
    min_size: int = 5,
    similarity: float = 0.8,
    cache_dir: Path | None = None,
    apart: bool = False,
) -> CampaignSearch:
    """Start detect_campaigns; the search's result() waits for it.

    With `apart`, a large export's campaigns are found beside the caller's work: in a helper
    process where processes start by forking, else in a thread (a new process would import
    numpy and scipy again). Detection is mostly numpy, which holds the interpreter for long
    stretches, so in a thread it and the caller's work take turns, each slowing the other.
    """
    ids = survey.responses[RESPONSE_ID].tolist()
    keys: list[tuple[str, str]] = []  # (response_id, question) of every long answer
    texts: list[str] = []
    for question in survey.text_questions:
        values = survey.responses[question].tolist()
        rows = [
            i
            for i, value in enumerate(values)
            if isinstance(value, str) and value.count(" ") + 1 >= MIN_WORDS
        ]
        keys += [(ids[i], question) for i in rows]
        texts += [values[i] for i in rows]
    cached: Path | None = None
    if cache_dir is not None:
        every = "".join(
            f"\x00{rid}\x00{question}\x00{text}"
            for (rid, question), text in zip(keys, texts, strict=True)
        )
        cached = cache.cache_file(
            cache_dir, DETECTION_SOURCES, f"{min_size}/{similarity}", every
        )
        campaigns = cache.read(cached, _campaign)
        if campaigns is not None:
            return CampaignSearch.done(_result(campaigns))
    started = time.perf_counter()
    if not (apart and len(texts) >= MIN_ANSWERS_APART):
        found = _detect(ids, keys, texts, min_size, similarity)
        return CampaignSearch.done(found, cached, started)
    if forks():
        helper: Executor
        helper, future = run_apart(_detect, ids, keys, texts, min_size, similarity)
    else:
        helper = ThreadPoolExecutor(1, "campaigns")
        future = helper.submit(_detect, ids, keys, texts, min_size, similarity)
    return CampaignSearch(future, cached, helper, started)


@dataclass
class CampaignSearch:
    """Campaign detection, done or under way (see find_campaigns). Use it in a `with` block,
    which stops a helper still running when the block ends."""

    future: Future[CampaignResult]
    cache_file: Path | None = None  # where to keep the result, once found
    helper: Executor | None = None
    started: float = field(default_factory=time.perf_counter)
    seconds: float = 0.0  # how long detection took, once done

    @classmethod
    def done(
        cls, result: CampaignResult, cache_file: Path | None = None, started: float | None = None
    ) -> CampaignSearch:
        """A search already done (read back, or found in this thread since `started`)."""
        future: Future[CampaignResult] = Future()
        future.set_result(result)
        return cls(future, cache_file, started=time.perf_counter() if started is None else started)

    def __post_init__(self) -> None:
        self.future.add_done_callback(self._finished)

    def _finished(self, _: Future[CampaignResult]) -> None:
        self.seconds = time.perf_counter() - self.started

    def result(self) -> CampaignResult:
        """The campaigns found, once found (kept in the cache folder, if there is one)."""
        try:
            result = self.future.result()
        except BrokenProcessPool as exc:
            raise ParallelError(
                "The process finding campaigns stopped unexpectedly (often for lack of memory).",
                fix="jobs",
            ) from exc
        if self.cache_file is not None:
            cache.write(self.cache_file, (asdict(c) for c in result.campaigns))
            self.cache_file = None
        return result

    def __enter__(self) -> CampaignSearch:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.helper is not None:
            self.helper.shutdown(wait=True, cancel_futures=True)


def _campaign(record: Mapping[str, Any]) -> Campaign:
    """A campaign from its record in the cache (asdict of one)."""
    return Campaign(
        record["id"], int(record["size"]), tuple(record["response_ids"]), record["text"]
    )


def _result(campaigns: list[Campaign]) -> CampaignResult:
    """Campaigns read back, with which campaign each response belongs to."""
    result = CampaignResult(campaigns=campaigns)
    for campaign in campaigns:
        for rid in campaign.response_ids:
            result.by_response.setdefault(rid, campaign.id)
    return result


def _detect(
    ids: list[str],
    keys: list[tuple[str, str]],
    texts: list[str],
    min_size: int,
    similarity: float,
) -> CampaignResult:
    """The campaigns among `texts` (the long answers, `keys` their response ID and question),
    with `ids` every response ID in the export's order."""
    shingles, bounds = _shingle_hashes(texts)
    a, b = _candidate_pairs(shingles, bounds, similarity)
    if not len(a):
        return CampaignResult()
    similar = _jaccard(shingles, bounds, a, b) >= similarity
    edges = sparse.coo_matrix(
        (np.ones(int(similar.sum()), dtype=np.int8), (a[similar], b[similar])),
        shape=(len(texts), len(texts)),
    )
    label = csgraph.connected_components(edges, directed=False)[1].tolist()
    # A campaign is a connected group of answers, joined by chains of similar pairs. Groups
    # are taken in the order their first answer was first compared (a pair at a time, sorted),
    # which settles ties in the order of campaigns below.
    compared, first = np.unique(np.column_stack([a, b]).ravel(), return_index=True)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in compared[np.argsort(first)].tolist():
        groups[label[i]].append(i)
    order = {rid: i for i, rid in enumerate(ids)}
    found: list[tuple[list[str], str]] = []
    for members in groups.values():
        if len(members) < min_size:  # fewer answers than that cannot be from enough respondents
            continue
        members_ids = sorted({keys[i][0] for i in members}, key=order.__getitem__)
        if len(members_ids) >= min_size:
            first_member = min(members, key=lambda i: (order[keys[i][0]], i))
            found.append((members_ids, texts[first_member]))
    found.sort(key=lambda item: (-len(item[0]), order[item[0][0]]))
    result = CampaignResult()
    for number, (members_ids, text) in enumerate(found, start=1):
        campaign = Campaign(f"C{number}", len(members_ids), tuple(members_ids), text)
        result.campaigns.append(campaign)
        for rid in members_ids:
            result.by_response.setdefault(rid, campaign.id)
    return result


def _shingle_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every answer's shingle hashes, concatenated; answer i's are hashes[bounds[i]:bounds[i+1]].

    Words are lower-cased with punctuation removed; a shingle is SHINGLE words in a row.
    """
    hashes, starts = _word_hashes(texts)
    n_grams = max(0, len(hashes) - SHINGLE + 1)
    rolling = np.zeros(n_grams, dtype=np.uint64)
    for k in range(SHINGLE):  # uint64 arithmetic wraps: a polynomial hash modulo 2**64
        rolling += hashes[k : k + n_grams] * _MULTIPLIERS[k]
    # A shingle belongs to an answer if it starts in it and ends in it too.
    words_in = np.diff(starts)
    after = np.repeat(starts[1:], words_in)[:n_grams] - np.arange(n_grams)  # words from its start
    lengths = np.maximum(words_in - SHINGLE + 1, 0)
    bounds = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return rolling[after >= SHINGLE], bounds


def _word_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every answer's words' crc32 hashes, concatenated; answer i's are hashes[starts[i]:starts[i+1]].

    The same words as `text.lower().translate(punctuation to spaces).split()`, found for all
    answers at once in their UTF-8 bytes (white space and punctuation other than the apostrophe
    separate words). Each distinct word is hashed once: words of up to 15 bytes are told apart
    exactly by their bytes and length packed into integers, longer ones are hashed one by one.
    """
    encoded = [text.lower().encode() for text in texts]
    data = b" " + b" ".join(encoded) + b" " * 9  # spaces around, and room to read 8 bytes
    ends = np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)) + 1)
    in_word = np.frombuffer(data.translate(_IN_WORD), dtype=bool)
    if not data.isascii():
        in_word = in_word.copy()
        _mark_wide_separators(np.frombuffer(data, dtype=np.uint8), in_word)
    change = np.flatnonzero(in_word[1:] != in_word[:-1]) + 1
    begin, lengths = change[0::2], change[1::2] - change[0::2]
    starts = np.concatenate([[0], np.searchsorted(begin, ends)]).astype(np.int64)
    # The 8 bytes from each offset, as a little-endian integer (a view: offsets one byte apart).
    window = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
    size = np.minimum(lengths, 255).astype(np.uint64) << np.uint64(56)
    codes, keys = pd.factorize((window[begin] & _LOW_BYTES[np.minimum(lengths, 7)]) | size)
    # A key is a word's first 7 bytes and its length: the word itself if that is 7 or less.
    crc = [
        zlib.crc32(int(key).to_bytes(8, "little")[: key >> 56]) if key >> 56 < 8 else 0
        for key in keys.tolist()
    ]
    middle = np.flatnonzero((lengths >= 8) & (lengths < 16))  # the rest: up to 8 more bytes
    if len(middle):
        rest = pd.factorize(window[begin[middle] + 7] & _LOW_BYTES[lengths[middle] - 7])[0]
        refined = pd.factorize(codes[middle] * (int(rest.max()) + 1) + rest)[0]
        codes[middle] = refined + len(crc)
        example = np.zeros(int(refined.max()) + 1, dtype=np.int64)
        example[refined] = middle  # any of a word's occurrences will do
        crc += _crc32(data, begin[example], lengths[example])
    long = np.flatnonzero(lengths >= 16)
    codes[long] = np.arange(len(crc), len(crc) + len(long))
    crc += _crc32(data, begin[long], lengths[long])
    return np.array(crc, dtype=np.uint64)[codes], starts


def _crc32(data: bytes, begin: np.ndarray, lengths: np.ndarray) -> list[int]:
    """crc32 of data[begin:begin + length], for each."""
    spans = zip(begin.tolist(), (begin + lengths).tolist(), strict=True)
    return [zlib.crc32(data[s:e]) for s, e in spans]


def _mark_wide_separators(data: np.ndarray, in_word: np.ndarray) -> None:
    """Clear `in_word` at the bytes of separators outside ASCII (curly quotes, dashes, spaces)."""
    lead = np.flatnonzero((data >= 0xC2) & (data <= 0xE3))  # where their 2- and 3-byte codes start
    b0 = data[lead].astype(np.int64)
    b1 = data[lead + 1].astype(np.int64) & 0x3F
    b2 = data[np.minimum(lead + 2, len(data) - 1)].astype(np.int64) & 0x3F
    two = b0 < 0xE0
    code = np.where(two, ((b0 & 0x1F) << 6) | b1, ((b0 & 0x0F) << 12) | (b1 << 6) | b2)
    place = np.minimum(np.searchsorted(_WIDE_SEPARATORS, code), len(_WIDE_SEPARATORS) - 1)
    hit = _WIDE_SEPARATORS[place] == code
    at = lead[hit]
    in_word[at] = False
    in_word[at + 1] = False
    in_word[at[~two[hit]] + 2] = False


def _candidate_pairs(
    shingles: np.ndarray, bounds: np.ndarray, similarity: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of answers that share one of their rarest sampled shingles and whose sizes allow
    the similarity (Jaccard >= s needs the smaller set at least s times the larger): the pairs
    worth comparing in full, as arrays a < b, sorted."""
    n = len(bounds) - 1
    none = np.zeros(0, dtype=np.int64)
    sampled = np.flatnonzero(shingles % SAMPLE == 0)
    if not len(sampled):
        return none, none
    owners = np.searchsorted(bounds, sampled, side="right") - 1
    codes, values = pd.factorize(shingles[sampled])
    by_hash = np.empty(len(values), dtype=np.int64)
    by_hash[np.argsort(values)] = np.arange(len(values))
    codes = by_hash[codes]  # numbered in the hashes' order
    # Each answer's sampled shingles, once each (an answer repeating a shingle counts it once),
    # by answer and then shingle.
    kept = distinct(owners * len(values) + codes)
    all_owners, all_codes = kept // len(values), kept % len(values)
    frequency = np.bincount(all_codes, minlength=len(values))[all_codes]
    shared = frequency >= 2
    owners, codes, frequency = all_owners[shared], all_codes[shared], frequency[shared]
    # Per answer, rarest shingles first (then by hash: codes are in the hashes' order).
    order = np.argsort(owners * (int(frequency.max(initial=0)) + 1) + frequency, kind="stable")
    owners, codes = owners[order], codes[order]
    rank = np.arange(len(owners)) - np.searchsorted(owners, owners, side="left")
    anchor = rank < ANCHORS
    a, b = _pairs_in_buckets(owners[anchor], codes[anchor])
    if not len(a):
        return none, none
    sizes = np.diff(bounds)
    small, large = np.minimum(sizes[a], sizes[b]), np.maximum(sizes[a], sizes[b])
    fits = (a != b) & (small >= similarity * large)
    a, b = np.minimum(a[fits], b[fits]), np.maximum(a[fits], b[fits])
    unique = distinct(a * n + b)
    a, b = unique // n, unique % n
    # Estimate each pair's similarity on the sampled shingles (a sparse row product), and
    # keep those that could reach it, with a wide margin: the sample is a quarter.
    indptr = np.searchsorted(all_owners, np.arange(n + 1))
    ones = np.ones(len(all_codes), dtype=np.int8)
    matrix = sparse.csr_matrix((ones, all_codes, indptr), shape=(n, len(values)))
    estimate = _row_jaccard(matrix, a, b)
    keep = estimate >= similarity - 0.4
    return a[keep], b[keep]


def _pairs_in_buckets(owners: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of owners sharing a key: every pair in a small bucket; in a large one (a popular
    letter) each member against the bucket's first few, which is enough to join them all."""
    order = np.argsort(keys, kind="stable")
    owners, keys = owners[order], keys[order]
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    sizes = np.diff(np.concatenate([starts, [len(keys)]]))
    group = np.repeat(np.arange(len(starts)), sizes)
    position = np.arange(len(keys)) - starts[group]
    size = sizes[group]
    partners = np.where((size <= 60) | (position < 5), size - position - 1, 0)
    first = np.repeat(np.arange(len(keys)), partners)
    offset = np.arange(len(first)) - np.repeat(np.cumsum(partners) - partners, partners)
    return owners[first], owners[first + 1 + offset]


def _jaccard(shingles: np.ndarray, bounds: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The Jaccard similarity of each pair's full shingle sets (0 for two empty sets)."""
    if not len(a):
        return np.zeros(0)
    answers = distinct(np.concatenate([a, b]))  # only the answers in a pair
    sizes = np.diff(bounds)[answers]
    row_starts = np.cumsum(sizes) - sizes
    taken = np.repeat(bounds[answers] - row_starts, sizes) + np.arange(int(sizes.sum()))
    codes = pd.factorize(shingles[taken])[0]
    rows = np.repeat(np.arange(len(answers)), sizes)
    ones = np.ones(len(codes), dtype=np.int8)
    matrix = sparse.csr_matrix((ones, (rows, codes)), shape=(len(answers), int(codes.max()) + 1))
    matrix.data[:] = 1  # an answer repeating a shingle counts it once
    return _row_jaccard(matrix, np.searchsorted(answers, a), np.searchsorted(answers, b))


def _row_jaccard(matrix: sparse.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The Jaccard similarity of rows a and b of a 0/1 matrix, for each pair (0 if both empty)."""
    shared = np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()
    per_row = np.diff(matrix.indptr)
    union = per_row[a] + per_row[b] - shared
    return np.divide(shared, union, out=np.zeros(len(a)), where=union > 0)
