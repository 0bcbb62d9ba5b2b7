"""Finding campaign responses: the same (or nearly the same) letter sent by many respondents.

Consultation practice is to count a form-letter campaign once as well as by its signatories,
and to report both. Two answers belong to one campaign when their word 5-gram shingles have a
Jaccard similarity of at least 0.8; only longer answers (a letter, not "more respite please")
are candidates. To stay fast at 100,000 responses, every shingle's hash is computed at once
with numpy, each answer is bucketed by a few of its rarest shared shingles among a sample
(those whose hash is divisible by SAMPLE), and only answers sharing a bucket are compared on
their full shingle sets. Hashes come from crc32 of the words, so results never vary between
runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import string
import zlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from sendconsult.survey import RESPONSE_ID, Survey

MIN_WORDS = 30
CACHE_VERSION = 2  # bump when detection changes, so cached results are not reused
KEEP_CACHED = 8
SHINGLE = 5
SAMPLE = 4  # keep shingles whose hash is divisible by this: a quarter, enough to bucket
ANCHORS = 3  # buckets per answer: its rarest sampled shingles that another answer shares
_PUNCTUATION = str.maketrans({c: " " for c in string.punctuation.replace("'", "") + "’‘“”–—…"})
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
    (keyed by a hash of the answers and the settings) and a re-run reads it back.
    """
    keys: list[tuple[str, str]] = []  # (response_id, question) of every long answer
    texts: list[str] = []
    frame = survey.responses
    for question in survey.text_questions:
        for rid, value in zip(frame[RESPONSE_ID], frame[question], strict=True):
            if isinstance(value, str) and value.count(" ") + 1 >= MIN_WORDS:
                keys.append((rid, question))
                texts.append(value)
    cached: Path | None = None
    if cache_dir is not None:
        digest = hashlib.blake2b(digest_size=16)
        digest.update(f"{CACHE_VERSION}/{min_size}/{similarity}".encode())
        for (rid, question), text in zip(keys, texts, strict=True):
            digest.update(f"\x00{rid}\x00{question}\x00{text}".encode("utf-8", "surrogatepass"))
        cached = cache_dir / f"campaigns-{digest.hexdigest()}.json"
        result = _read(cached)
        if result is not None:
            return result
    result = _detect(survey, keys, texts, min_size, similarity)
    if cached is not None:
        _write(cached, result)
    return result


def _read(path: Path) -> CampaignResult | None:
    """A cached result, or None if there is none or it cannot be read (it is then redone)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        campaigns = [
            Campaign(c["id"], int(c["size"]), tuple(c["response_ids"]), c["text"])
            for c in data["campaigns"]
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    result = CampaignResult(campaigns=campaigns)
    for campaign in campaigns:
        for rid in campaign.response_ids:
            result.by_response.setdefault(rid, campaign.id)
    return result


def _write(path: Path, result: CampaignResult) -> None:
    """Keep a result for re-runs: written whole and renamed; a failure only costs time."""
    data = {"campaigns": [asdict(c) for c in result.campaigns]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, path)
        older = sorted(path.parent.glob("campaigns-*.json"), key=lambda p: p.stat().st_mtime)
        for stale in older[:-KEEP_CACHED]:  # results of exports analysed long ago
            stale.unlink(missing_ok=True)
    except OSError:
        return


def _detect(
    survey: Survey,
    keys: list[tuple[str, str]],
    texts: list[str],
    min_size: int,
    similarity: float,
) -> CampaignResult:
    frame = survey.responses
    shingles, bounds = _shingle_hashes(texts)
    pairs = _candidate_pairs(shingles, bounds, similarity)
    full: dict[int, set[int]] = {}

    def shingle_set(i: int) -> set[int]:
        if i not in full:
            full[i] = set(shingles[bounds[i] : bounds[i + 1]].tolist())
        return full[i]

    parent = list(range(len(texts)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        if find(a) != find(b) and _jaccard(shingle_set(a), shingle_set(b)) >= similarity:
            parent[find(b)] = find(a)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in full:
        groups[find(i)].append(i)
    order = {rid: i for i, rid in enumerate(frame[RESPONSE_ID])}
    found: list[tuple[list[str], str]] = []
    for members in groups.values():
        ids = sorted({keys[i][0] for i in members}, key=order.__getitem__)
        if len(ids) >= min_size:
            first = min(members, key=lambda i: (order[keys[i][0]], i))
            found.append((ids, texts[first]))
    found.sort(key=lambda item: (-len(item[0]), order[item[0][0]]))
    result = CampaignResult()
    for number, (ids, text) in enumerate(found, start=1):
        campaign = Campaign(f"C{number}", len(ids), tuple(ids), text)
        result.campaigns.append(campaign)
        for rid in ids:
            result.by_response.setdefault(rid, campaign.id)
    return result


def _shingle_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every answer's shingle hashes, concatenated; answer i's are hashes[bounds[i]:bounds[i+1]].

    Words are lower-cased with punctuation removed; a shingle is SHINGLE words in a row.
    """
    words: list[str] = []
    starts = [0]
    for text in texts:
        words.extend(text.lower().translate(_PUNCTUATION).split())
        starts.append(len(words))
    ids, vocabulary = pd.factorize(np.array(words, dtype=object))
    word_hash = np.array([zlib.crc32(w.encode()) for w in vocabulary], dtype=np.uint64)
    hashes = word_hash[ids] if len(ids) else np.zeros(0, dtype=np.uint64)
    starts_arr = np.array(starts, dtype=np.int64)
    n_grams = max(0, len(hashes) - SHINGLE + 1)
    rolling = np.zeros(n_grams, dtype=np.uint64)
    for k in range(SHINGLE):  # uint64 arithmetic wraps: a polynomial hash modulo 2**64
        rolling += hashes[k : k + n_grams] * _MULTIPLIERS[k]
    # A shingle belongs to an answer if it starts in it and ends in it too.
    words_in = np.diff(starts_arr)
    lengths = np.maximum(words_in - SHINGLE + 1, 0)
    answer = np.repeat(np.arange(len(texts)), words_in)[:n_grams]
    position = np.arange(n_grams) - starts_arr[:-1][answer]
    keep = position < lengths[answer]
    bounds = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return rolling[keep], bounds


def _candidate_pairs(
    shingles: np.ndarray, bounds: np.ndarray, similarity: float
) -> list[tuple[int, int]]:
    """Pairs of answers that share one of their rarest sampled shingles and whose sizes allow
    the similarity (Jaccard >= s needs the smaller set at least s times the larger): the pairs
    worth comparing in full."""
    owner = np.repeat(np.arange(len(bounds) - 1, dtype=np.int64), np.diff(bounds))
    sampled = shingles % SAMPLE == 0
    values, owners = shingles[sampled], owner[sampled]
    sampled_values, sampled_owners = values, owners
    if not len(values):
        return []
    order = np.lexsort((values, owners))
    owners, values = owners[order], values[order]
    first = np.ones(len(owners), dtype=bool)  # an answer repeating a shingle counts it once
    first[1:] = (owners[1:] != owners[:-1]) | (values[1:] != values[:-1])
    owners, values = owners[first], values[first]
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    frequency = counts[inverse]
    shared = frequency >= 2
    owners, values, frequency = owners[shared], values[shared], frequency[shared]
    order = np.lexsort((values, frequency, owners))  # per answer, rarest shingles first
    owners, values = owners[order], values[order]
    rank = np.arange(len(owners)) - np.searchsorted(owners, owners, side="left")
    anchor = rank < ANCHORS
    a, b = _pairs_in_buckets(owners[anchor], values[anchor])
    if not len(a):
        return []
    sizes = np.diff(bounds)
    small, large = np.minimum(sizes[a], sizes[b]), np.maximum(sizes[a], sizes[b])
    fits = (a != b) & (small >= similarity * large)
    a, b = np.minimum(a[fits], b[fits]), np.maximum(a[fits], b[fits])
    unique = np.unique(a * len(sizes) + b)
    a, b = unique // len(sizes), unique % len(sizes)
    # Estimate each pair's similarity on the sampled shingles (a sparse row product), and
    # keep those that could reach it, with a wide margin: the sample is a quarter.
    codes = np.unique(sampled_values, return_inverse=True)[1]
    matrix = sparse.csr_matrix(
        (np.ones(len(codes), dtype=np.int32), (sampled_owners, codes)),
        shape=(len(sizes), int(codes.max()) + 1),
    )
    matrix.data[:] = 1  # an answer repeating a shingle counts it once
    shared = np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()
    per_answer = np.diff(matrix.indptr)
    union = per_answer[a] + per_answer[b] - shared
    estimate = np.divide(shared, union, out=np.zeros(len(a)), where=union > 0)
    keep = estimate >= similarity - 0.4
    return list(zip(a[keep].tolist(), b[keep].tolist(), strict=True))


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


def _jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0
