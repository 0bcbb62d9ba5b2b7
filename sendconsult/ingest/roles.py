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

# Header words that say who is responding. Strong ones decide alone (with a small vocabulary of
# answers); weak ones ("type", "sector") need values that name kinds of respondent, or no
# stronger candidate.
GROUP_HEADER = re.compile(
    r"in what capacity|capacity|responding as|are you responding|on behalf of|who are you|"
    r"respondent type|type of respondent|best describes you|describes you|are you a\b|i am a\b|"
    r"your role|which group|respondent group|stakeholder|user type|type of (org|organi[sz]ation|"
    r"user|body|business)|organi[sz]ation type|(org|user|respondent|stakeholder) (type|category)",
    re.IGNORECASE,
)
GROUP_HEADER_WEAK = re.compile(r"\b(type|sector|role|category|capacity|group)\b", re.IGNORECASE)
CONSENT_HEADER = re.compile(r"publish|publication|published", re.IGNORECASE)
CONSENT_VALUE = re.compile(r"publish|anonym|withinfo|with name|\bpublic\b", re.IGNORECASE)
METADATA_HEADER = re.compile(
    r"^(timestamp|start(ed)?( on| date| time)?|end( date| time)?|completion time|completed( on)?|"
    r"submitted( on)?|date|time|"
    r"collector id|custom data.*|status|progress|duration.*|finished|recorded ?date|"
    r"location.*|distribution ?channel|user ?language|recipient.*|external ?(data )?reference|"
    r"analyst.*|last modified.*|response type)$",
    re.IGNORECASE,
)
# Headers that name a personal detail: a person, a contact, an organisation, a register number.
# Matched on the header with "_" read as a space and any "(optional)"-style note removed.
PERSONAL_HEADER = re.compile(
    r"^((your|full|first|last|given|family|middle|sur|fore|christian|user|contact|respondent'?s?|"
    r"person'?s?) ?names?|names?|surnames?|forenames?|initials|title)$|"
    r"\b(your|full|first|last|given|family|contact|respondent'?s?) name\b|"
    r"^name of (the )?(respondent|person|individual|contact|organi[sz]ation|group|school|company|"
    r"business|body|charity)|\bname of (your|the) (organi[sz]ation|group|school|company|"
    r"business|charity)\b|"
    r"^(your |respondent'?s? )?(organi[sz]ation|organi[sz]ation name|company|company name|"
    r"business name|employer|school name|charity name|org name)$|"
    r"\byour (organi[sz]ation|company|employer|business)( name)?\??$|"
    r"\be-?mail\b|\b(tele)?phone\b|\bmobile( number)?$|^tel\b|"
    r"\b(postal |home |street |e-?mail )?address\b|\bpost ?code\b|\bzip( code)?$|\bstreet\b|"
    r"\bdate of birth\b|^dob$|\bbirth ?date\b|\bcontact details\b|"
    r"\btr ?number\b|\btransparency register\b|\bregist(er|ration)( number| no| id)\b|"
    r"\bmembership (number|no|id)\b|\b(charity|company) (number|registration)\b|"
    r"\bcompanies house\b|\bnational insurance\b|\bni number\b|\bnhs number\b|\buprn\b|"
    r"\bip( address)?$|^ip\b|\buser ?name\b|\blogin\b|\blatitude\b|\blongitude\b",
    re.IGNORECASE,
)
# A personal header that is really a question about groups or consent, not a detail.
NOT_PERSONAL_HEADER = re.compile(
    r"\b(type|size|sector|category|capacity|on behalf|kind|publish|publication|agree|would you|"
    r"do you|are you|how|why|what do|please (tell|explain|give)|comments?|views?)\b",
    re.IGNORECASE,
)
_NOTE = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*")
# Kinds of value that name someone: a column of them is personal only when its values vary, as
# respondents' names do; group answers such as "Parish or town council" repeat.
NAME_KINDS = ("people's names", "organisations' names")
PHONE_LIKE = re.compile(r"^(\+\d|\(?0)[\d\s()\-]{8,16}$")  # UK: 0... or +44...
POSTCODE_LIKE = re.compile(r"^(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[A-Z]{2}$", re.IGNORECASE)
# Words organisations' names end with: a column of such values names respondents' employers.
ORGANISATION_WORD = re.compile(
    r"\b(ltd|limited|plc|llp|inc|gmbh|sa|ag|bv|cic|trust|council|association|foundation|society|"
    r"federation|union|network|centre|center|institute|group|partnership|alliance|charity|"
    r"academy|school|college|university|nhs|services|forum|coalition|ngo|chamber|board|"
    r"committee|club|company|consortium|agency)\b\.?$",
    re.IGNORECASE,
)
GROUP_VALUE_WORDS = re.compile(
    r"parent|carer|professional|young person|organisation|organization|resident|school|"
    r"teacher|practitioner|member of the public|councillor|charity|other|citizen|company|"
    r"business|association|authority|union|academic|ngo|individual|public",
    re.IGNORECASE,
)


def header_words(header: str) -> str:
    """A header as words: "first_name (optional)" -> "first name"."""
    return " ".join(_NOTE.sub(" ", header.replace("_", " ")).split())


def personal_header(header: str) -> bool:
    """Whether a header names a personal detail (a name, contact, organisation or number);
    each half of a bilingual header ("Enw'r sefydliad / Organisation name") is read alone."""
    parts = header_words(header).split(" / ")  # bilingual: "Enw / Name"
    return any(
        PERSONAL_HEADER.search(part) and not NOT_PERSONAL_HEADER.search(part) for part in parts
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
    # Share of values shaped like a personal detail (e-mail, phone, postcode, IP address, a
    # person's or an organisation's name), and which kind is most common.
    personal_share: float = 0.0
    personal_kind: str = ""


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
    kinds: Counter[str] = Counter()
    for value, times in Counter(sample).items():  # each distinct value judged once
        kind = personal_kind(value) if len(value) <= 80 else ""
        if kind:
            kinds[kind] += times
    kind, hits = kinds.most_common(1)[0] if kinds else ("", 0)
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
        personal_share=sum(kinds.values()) / len(sample),
        personal_kind=kind if hits else "",
    )


def personal_kind(value: str) -> str:
    """What personal detail a short value looks like ("e-mail addresses", "people's names"...),
    or "" when it looks like none."""
    if len(value) > 80:
        return ""
    if EMAIL_LIKE.match(value):
        return "e-mail addresses"
    if IP_LIKE.match(value):
        return "IP addresses"
    if POSTCODE_LIKE.match(value):
        return "postcodes"
    if PHONE_LIKE.match(value) and sum(c.isdigit() for c in value) >= 9:
        return "phone numbers"
    words = value.split()
    if 1 < len(words) <= 6 and ORGANISATION_WORD.search(value) and value[:1].isupper():
        return "organisations' names"
    if 2 <= len(words) <= 4 and all(w[:1].isupper() and w[1:2].islower() for w in words):
        from sendconsult.privacy import name_lists

        names, everyday = name_lists()
        first = words[0].strip(".,")
        if first in names and first not in everyday:
            return "people's names"
    return ""


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


def guess_role(
    header: str, stats: ColumnStats, n_rows: int, *, allow_personal: bool = True
) -> tuple[Role, str]:
    """The role a column most likely has, and a short reason an officer can check.

    Personal details come first: a column wrongly taken for personal is only left out, while
    one wrongly taken for free text would put names into a published report.
    """
    if stats.fill_rate == 0:
        return Role.IGNORED, "detected: empty"
    pct = f"{stats.fill_rate:.0%} filled"
    if allow_personal and personal_header(header):
        return Role.PERSONAL, "detected: the header names a personal detail; never analysed or shown"
    names = stats.personal_kind in NAME_KINDS
    if allow_personal and stats.personal_share >= 0.5 and (not names or stats.distinct_ratio >= 0.5):
        return Role.PERSONAL, (
            f"detected: {stats.personal_share:.0%} of values look like {stats.personal_kind}; "
            "never analysed or shown"
        )
    if METADATA_HEADER.match(header_words(header)) or stats.date_share >= 0.8:
        return Role.METADATA, "detected: dates or survey bookkeeping"
    if CONSENT_HEADER.search(header) and stats.distinct <= 6:
        return Role.CONSENT, "detected: publication consent question"
    few = stats.distinct <= max(12, int(0.05 * n_rows))
    if GROUP_HEADER.search(header_words(header)) and stats.mean_words < 20:
        return Role.GROUP, f"detected: respondent-group question, {stats.distinct} distinct answers"
    if stats.distinct == 1 and stats.fill_rate == 1 and n_rows >= 10:
        return Role.METADATA, "detected: the same value on every row"
    if stats.mean_words <= 1.2 and stats.distinct_ratio >= 0.9 and stats.distinct > 12:
        return Role.METADATA, "detected: unique one-word codes, like a reference number"
    if (
        stats.mean_words >= 4
        and (stats.distinct_ratio >= 0.5 or stats.max_words >= 25)
        or (stats.distinct_ratio >= 0.8 and stats.mean_words >= 2.5 and stats.distinct > 12)
    ):
        if allow_personal and stats.personal_share >= 0.2 and stats.mean_words < 8:
            return Role.PERSONAL, (
                f"detected: {stats.personal_share:.0%} of values look like "
                f"{stats.personal_kind}; short and varied, it could be free text, but personal "
                "is the safer reading (name it as not personal if it holds answers)"
            )
        return Role.TEXT, f"detected: free text, {pct}, mean {stats.mean_words:.0f} words"
    if (few or stats.distinct_ratio < 0.5 or stats.mean_words < 2) and (
        stats.distinct <= MAX_CLOSED_ANSWERS or stats.multi_share >= 0.5
    ):
        return Role.CLOSED, f"detected: closed question, {stats.distinct} distinct answers"
    return Role.TEXT, f"detected: free text, {pct}, mean {stats.mean_words:.0f} words"


def group_score(header: str, values: list[str], stats: ColumnStats, n_rows: int) -> int:
    """How strongly a column looks like the respondent-group question (0: not at all).

    Header words (strong: "in what capacity", "user type"; weak: "type", "sector") plus the
    shape of its values: a few distinct answers that repeat, naming kinds of respondent.
    """
    if stats.fill_rate == 0 or stats.mean_words >= 20:
        return 0
    words = header_words(header)
    few = stats.distinct <= max(12, int(0.05 * n_rows)) or stats.distinct_ratio < 0.5
    repeats = stats.distinct < stats.fill_rate * n_rows
    score = 0
    if GROUP_HEADER.search(words):
        score += 4
    elif GROUP_HEADER_WEAK.search(words):
        score += 2
    if score and few and repeats:
        score += 1
    if score and looks_like_groups(values):
        score += 1
    return score if score >= 3 else 0


def looks_like_id(
    values: list[str], *, min_unique: float = 1.0, spaces_allowed: bool = False
) -> bool:
    """Short, no spaces and (nearly) unique: the shape of a response ID.

    Under an ID heading a few repeats are allowed (`min_unique` < 1): duplicates are then
    reported to the officer rather than the column being ignored; and values may have spaces
    (`spaces_allowed`: "NEAS 111 1648 - Q1"), since the header already says what they are.
    """
    filled = [v.strip() for v in values if v.strip()]
    if not filled or len(filled) < 0.9 * len(values):
        return False
    unique_enough = len(set(filled)) >= min_unique * len(filled)
    if spaces_allowed:
        return unique_enough and all(len(v) <= 60 and len(v.split()) <= 8 for v in filled)
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
