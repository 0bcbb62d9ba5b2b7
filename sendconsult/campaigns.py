"""Finding campaign responses: the same (or nearly the same) letter sent by many respondents.

Consultation practice is to count a form-letter campaign once as well as by its signatories,
and to report both. Texts are compared on word 5-gram shingles; only longer texts (a letter,
not "more respite please") are candidates, and candidates are bucketed by their rarest
shingles so the comparison stays near-linear at 100,000 responses.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

from sendconsult.survey import RESPONSE_ID, Survey

MIN_WORDS = 30
SHINGLE = 5
_WORD = re.compile(r"[a-z0-9']+")


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
    survey: Survey, *, min_size: int = 5, similarity: float = 0.8
) -> CampaignResult:
    """Group responses whose longest answer is the same letter (Jaccard >= similarity)."""
    texts: dict[tuple[str, str], str] = {}  # every long answer is a candidate letter
    frame = survey.responses
    for question in survey.text_questions:
        for rid, value in zip(frame[RESPONSE_ID], frame[question], strict=True):
            if isinstance(value, str) and len(value.split()) >= MIN_WORDS:
                texts[(rid, question)] = value
    shingles = {rid: _shingles(text) for rid, text in texts.items()}
    shingles = {rid: s for rid, s in shingles.items() if s}
    frequency: dict[int, int] = defaultdict(int)
    for s in shingles.values():
        for h in s:
            frequency[h] += 1
    buckets: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for rid, s in shingles.items():
        # Bucket by a few of the rarest shingles that are still shared by someone.
        shared = sorted((h for h in s if frequency[h] >= 2), key=lambda h: (frequency[h], h))[:3]
        for h in shared:
            buckets[h].append(rid)
    parent = {rid: rid for rid in shingles}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for members in buckets.values():
        if len(members) < 2:
            continue
        # Small buckets: every pair. Large ones (a popular letter): each against a few anchors.
        anchors = members if len(members) <= 60 else members[:5]
        for i, anchor in enumerate(anchors):
            for other in members[i + 1 :]:
                if (
                    find(anchor) != find(other)
                    and _jaccard(shingles[anchor], shingles[other]) >= similarity
                ):
                    parent[find(other)] = find(anchor)
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for key in shingles:
        groups[find(key)].append(key)
    order = {rid: i for i, rid in enumerate(frame[RESPONSE_ID])}
    found: list[tuple[list[str], str]] = []
    for members in groups.values():
        ids = sorted({rid for rid, _ in members}, key=order.__getitem__)
        if len(ids) >= min_size:
            first = min(members, key=lambda k: order[k[0]])
            found.append((ids, texts[first]))
    found.sort(key=lambda item: (-len(item[0]), order[item[0][0]]))
    result = CampaignResult()
    for number, (ids, text) in enumerate(found, start=1):
        campaign = Campaign(f"C{number}", len(ids), tuple(ids), text)
        result.campaigns.append(campaign)
        for rid in ids:
            result.by_response.setdefault(rid, campaign.id)
    return result


def _shingles(text: str) -> set[int]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE:
        return set()
    # crc32, not hash(): results must not change between runs (Python salts str hashes).
    return {
        zlib.crc32(" ".join(words[i : i + SHINGLE]).encode())
        for i in range(len(words) - SHINGLE + 1)
    }


def _jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0
