"""Deciding what each column holds, from its values as much as its header.

A header can say anything ("Q3", "Your views"), so roles come from value statistics: free text
is long and varied; closed questions have few distinct short answers; a response ID is unique
and short; a respondent-group question is a small vocabulary, often multi-select; metadata looks
like dates, e-mails or tool bookkeeping. Header words only break ties.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from dataclasses import dataclass
from itertools import compress, filterfalse

import numpy as np

from sendconsult.survey import Role

DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?.*)?$")
EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
IP_LIKE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
# What str.split() splits words at: which ASCII codes, and the codes above ASCII (U+0085 to
# U+3000; the tests check there are no others).
_ASCII_SPACE = np.array([chr(code).isspace() for code in range(128)], dtype=bool)
_WIDE_SPACES = np.array([c for c in range(128, 0x3001) if chr(c).isspace()], dtype=np.uint32)

GROUP_HEADER = re.compile(
    r"in what capacity|capacity are you|responding as|are you responding|who are you|"
    r"respondent type|type of respondent|best describes you|describes you|are you a\b|i am a\b|"
    r"your role|which group|respondent group|stakeholder",
    re.IGNORECASE,
)
CONSENT_HEADER = re.compile(r"publish|publication|published", re.IGNORECASE)
CONSENT_VALUE = re.compile(r"publish|anonym", re.IGNORECASE)
METADATA_HEADER = re.compile(
    r"^(timestamp|start(ed)?( on| date| time)?|end( date| time)?|completion time|completed( on)?|"
    r"submitted( on)?|date|time|e-?mail( address)?|name|first name|last name|surname|ip address|"
    r"collector id|custom data.*|status|progress|duration.*|finished|recorded ?date|"
    r"location.*|distribution ?channel|user ?language|recipient.*|external ?(data )?reference|"
    r"analyst.*|last modified.*|postcode|post code|phone|telephone|address|response type)$",
    re.IGNORECASE,
)
# Personal details asked as questions: never analysed as free text.
PERSONAL_HEADER = re.compile(
    r"\b(your|full) name\b|\bname of (your )?(organi[sz]ation|group|school)\b|"
    r"^(organi[sz]ation|school|company) name\b|\be-?mail address\b|\bpostcode\b|"
    r"\b(tele)?phone number\b|\bcontact details\b",
    re.IGNORECASE,
)
GROUP_VALUE_WORDS = re.compile(
    r"parent|carer|professional|young person|organisation|organization|resident|school|"
    r"teacher|practitioner|member of the public|councillor|charity|other",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ColumnStats:
    """What a column's non-empty values look like."""

    fill_rate: float
    distinct: int
    distinct_ratio: float
    mean_words: float
    max_words: int
    date_share: float
    email_share: float
    multi_share: float  # share of values containing the multi-select separator


SHARE_SAMPLE = 5_000


def column_stats(values: list[str], separator: str) -> ColumnStats:
    """Fill rate, variety and length of a column: the evidence every role is decided on.

    The shares of dates, e-mails and multi-select answers are measured on an even sample of at
    most SHARE_SAMPLE values: they only need to tell "nearly all" from "few". Words are counted
    once per distinct value (`word_counts`), weighted by how often it occurs.
    """
    counts = Counter(values)
    blanks = set(compress(counts, map(str.isspace, counts)))
    if "" in counts:
        blanks.add("")
    for blank in blanks:
        del counts[blank]
    filled = list(filterfalse(blanks.__contains__, values)) if blanks else values
    n = len(filled)
    if n == 0:
        return ColumnStats(0.0, 0, 0.0, 0.0, 0, 0.0, 0.0, 0.0)
    words = word_counts(list(counts))
    distinct = len(counts)
    sep = separator.strip() or separator
    sample = [v.strip() for v in filled[:: max(1, n // SHARE_SAMPLE)]]
    return ColumnStats(
        fill_rate=n / len(values) if values else 0.0,
        distinct=distinct,
        distinct_ratio=distinct / n,
        mean_words=sum(map(operator.mul, words, counts.values())) / n,
        max_words=max(words),
        date_share=sum(bool(DATE_LIKE.match(v)) for v in sample) / len(sample),
        email_share=sum(bool(EMAIL_LIKE.match(v) or IP_LIKE.match(v)) for v in sample)
        / len(sample),
        multi_share=sum(sep in v for v in sample) / len(sample),
    )


def word_counts(values: list[str]) -> list[int]:
    """`len(v.split())` of each value, counted for all values at once with numpy.

    Splitting makes a string of every word, which was most of the time spent reading the long
    answers of a large export. Here the values are joined by " " and a word starts wherever a
    run of whitespace ends; ASCII values are joined apart from the others, so that their text
    takes one byte a character rather than four.
    """
    is_ascii = np.fromiter(map(str.isascii, values), dtype=bool, count=len(values))
    counts = np.zeros(len(values), dtype=np.int64)
    for wanted in (True, False):
        chosen = list(compress(values, is_ascii == wanted))
        if chosen:
            counts[is_ascii == wanted] = _joined_word_counts(chosen, ascii_only=wanted)
    return counts.tolist()


def _joined_word_counts(values: list[str], *, ascii_only: bool) -> np.ndarray:
    """Word counts of the values (all ASCII, or not), joined by " " into one array of codes."""
    text = " ".join(values)
    if ascii_only:
        chars = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    else:
        chars = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    space = chars <= 32  # below "!", only " " and some control characters are whitespace
    low = np.flatnonzero(chars < 32)
    space[low] = _ASCII_SPACE[chars[low]]
    if not ascii_only:
        high = np.flatnonzero(chars >= _WIDE_SPACES[0])
        space[high] = np.isin(chars[high], _WIDE_SPACES)
    starts = np.flatnonzero(space[:-1] > space[1:]) + 1  # where a run of whitespace ends
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    ends = np.cumsum(lengths + 1) - 1  # the " " after each value (one past the last)
    counts = np.diff(np.searchsorted(starts, ends), prepend=0)
    if space.size and not space[0]:
        counts[0] += 1  # the very first word has no whitespace before it
    return counts


# A closed question offers a fixed list of answers (or ticks from one); a column with more
# distinct answers than this is typed text, however short its answers and however many rows
# repeat them: a million one-line comments still hold thousands of different ones.
MAX_CLOSED_ANSWERS = 200


def guess_role(header: str, stats: ColumnStats, n_rows: int) -> tuple[Role, str]:
    """The role a column most likely has, and a short reason an officer can check."""
    if stats.fill_rate == 0:
        return Role.IGNORED, "detected: empty"
    pct = f"{stats.fill_rate:.0%} filled"
    if METADATA_HEADER.match(header.strip()) or stats.date_share >= 0.8 or stats.email_share >= 0.8:
        return Role.METADATA, "detected: dates, e-mails or survey bookkeeping"
    if PERSONAL_HEADER.search(header) and stats.mean_words < 8:
        return Role.METADATA, "detected: personal details (names, contacts), not analysed"
    if CONSENT_HEADER.search(header) and (stats.distinct <= 6 or stats.mean_words < 8):
        return Role.CONSENT, "detected: publication consent question"
    few = stats.distinct <= max(12, int(0.05 * n_rows))
    if GROUP_HEADER.search(header) and stats.mean_words < 20:
        return Role.GROUP, f"detected: respondent-group question, {stats.distinct} distinct answers"
    if (
        stats.mean_words >= 4
        and (stats.distinct_ratio >= 0.5 or stats.max_words >= 25)
        or (stats.distinct_ratio >= 0.8 and stats.mean_words >= 2.5 and stats.distinct > 12)
    ):
        return Role.TEXT, f"detected: free text, {pct}, mean {stats.mean_words:.0f} words"
    if (few or stats.distinct_ratio < 0.5) and (
        stats.distinct <= MAX_CLOSED_ANSWERS or stats.multi_share >= 0.5
    ):
        return Role.CLOSED, f"detected: closed question, {stats.distinct} distinct answers"
    return Role.TEXT, f"detected: free text, {pct}, mean {stats.mean_words:.0f} words"


def looks_like_id(values: list[str], *, min_unique: float = 1.0) -> bool:
    """Short, no spaces and (nearly) unique: the shape of a response ID.

    Under an ID heading a few repeats are allowed (`min_unique` < 1): duplicates are then
    reported to the officer rather than the column being ignored.
    """
    filled = [v.strip() for v in values if v.strip()]
    if not filled or len(filled) < 0.9 * len(values):
        return False
    unique_enough = len(set(filled)) >= min_unique * len(filled)
    return unique_enough and all(len(v) <= 40 and " " not in v for v in filled)


def looks_like_groups(values: list[str]) -> bool:
    """A small vocabulary of answers naming kinds of people or organisations."""
    filled = [v for v in values if v.strip()]
    if not filled:
        return False
    return sum(bool(GROUP_VALUE_WORDS.search(v)) for v in filled) >= 0.7 * len(filled)


def looks_like_consent(values: list[str]) -> bool:
    """Answers that are publication choices ("Publish anonymously"), whatever the heading."""
    filled = [v for v in values if v.strip()]
    return bool(filled) and sum(bool(CONSENT_VALUE.search(v)) for v in filled) >= 0.8 * len(filled)
