"""Redacting personal data from quotes before they go into a report.

Replaced by a tag: e-mail addresses [EMAIL], phone numbers [PHONE], postcodes [POSTCODE], NHS
numbers [NHS_NUMBER] (checked with their modulus-11 check digit, or named as NHS numbers), web
addresses and social-media profiles [URL] ("https://...", "www...", "facebook.com/jake.smith",
"instagram.com/..."), social-media handles [HANDLE] ("@SENDmumLeics"), street addresses
[ADDRESS] ("14 Narborough Road", "Flat 2, 7 Oak Close"), dates [DATE] (every full date such as
"12/03/2012" or "3rd March 2015", which in an answer is most often a child's date of birth, and
any date or year after "born", "DOB" or "date of birth"), the names of schools and settings
[SCHOOL] ("Oakfield School" -> "[SCHOOL] School", "Beaumont Leys Academy" -> "[SCHOOL]
Academy"; not "the school", "a special school" or "Secondary School", nor a setting named only
by the council's area such as "Leicester College") and personal names [NAME]. Redaction only
changes what is shown: classification always reads the original text.

Names are found three ways, all offline:

- patterns for how respondents mention people: "my son Jack", "our daughter, Amira,", "called
  Oliwia", "named Siôn", "Mrs Patel", "Dr. Okafor" (any capitalised word, or a word of a script
  without capitals such as Arabic or Chinese, after such a cue; a listed given name in lower
  case too: "my grandson tyler", "he is called jake");
- a list of given names shipped as data (data/first_names.txt: a few thousand names common in
  the UK's communities), so "Harvey is 22 now" or "Kacper's school" are caught without a cue.
  Names that are also everyday words, months or places (data/name_words.txt: Will, May, Grace,
  Rose, Jordan...) count only after a cue or before a surname ("Grace Okafor"), so "May I say",
  "Will the council" and "Rose Hill" stay; a listed name followed by a place word ("Victoria
  Park", "Mary Street") or after "St", "King" or "Queen" is a place, not a person;
- a spaCy NER pipeline's PERSON entities, when the officer names one with --model.

Charities, services and organisations whose names look like a person, a school or a handle
(data/not_personal.txt: Winston's Wish, Mencap, Scope, Contact, IPSEA, SENDIASS...) are never
redacted as one.

Phone numbers are found by `phonenumbers`, the Python port of Google's libphonenumber, which
knows every UK number's lengths and how people write them (07700 900127, +44 (0)116 496 0732,
0044 7700 900127, (0116) 4960732 ext 12); a number counts only when written with its leading 0
or its +44/0044 country code, so "Year 6 in 2019" or a ten-digit reference is not a phone.

Libraries considered: presidio-analyzer finds names only through a NER model (en_core_web_lg by
default) that must be downloaded, which an offline council laptop cannot do, and its other
recognisers add dependencies for what a few patterns do here; scrubadub finds names through
TextBlob corpora or spaCy models, both downloads, and has had no release since 2023; commonregex
(addresses, dates) is US-shaped and unmaintained since 2014. Patterns, a names list and an
optional installed NER pipeline keep redaction offline, fast (about a tenth of a millisecond per
answer) and explainable to an officer. tests/test_pii_planted.py measures recall and precision
on a planted set of answers (tests/fixtures/pii/planted.yaml).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import NamedTuple

import phonenumbers
import spacy
from phonenumbers import Leniency
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.strings import get_string_id

from sendconsult.nlp.pipeline import _lookup_table, pipeline_id

# A word: letters (any script, with combining accents), inner apostrophes and hyphens.
_LETTER = r"[^\W\d_]"
_WORD_CHARS = r"[\w\u0300-\u036f]"
WORD = re.compile(rf"{_LETTER}{_WORD_CHARS}*(?:['’\-]{_LETTER}{_WORD_CHARS}*)*")

RELATIONS = (
    "son|daughter|child|boy|girl|grandson|granddaughter|grandchild|brother|sister|nephew|niece|"
    "stepson|stepdaughter|twin|kid|children|husband|wife|partner|mum|mom|mother|dad|father|"
    "carer|friend|cousin|aunt|auntie|uncle|nan|nana|nanny|grandma|grandmother|grandad|granddad|"
    "grandpa|grandfather|baby|toddler|teenager|boyfriend|girlfriend|worker|caseworker|keyworker|"
    "teacher|senco|paediatrician|therapist|nurse|consultant|coordinator|co-ordinator|officer|"
    "advisor|adviser|assistant|headteacher"
)
# "my son", "our eldest daughter", "my 12 year old son": up to three lower-case words between.
CUE_RELATION = re.compile(
    r"\b(?i:my|our|his|her|their|your|the)\s+(?:[a-z0-9][\w'-]*\s+){0,3}?"
    rf"(?i:{RELATIONS})s?,?\s+(?=\S)"
)
CUE_CALLED = re.compile(r"\b(?i:called|named|nicknamed|name is|name's|names are|known as)\s+(?=\S)")
CUE_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame)\.?\s+(?=\S)")
# One search for any of the three, where only whether there is one matters.
ANY_CUE = re.compile("|".join(f"(?:{c.pattern})" for c in (CUE_RELATION, CUE_CALLED, CUE_TITLE)))

# The look-behind makes a match start only where a word starts: without it a long word with no
# "@" is scanned again from every one of its characters (quadratic time).
EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_URL_END = r"[^\s<>\"')\]]"
URL = re.compile(rf"\b(?:https?://|www\.){_URL_END}+", re.IGNORECASE)
# An address written without "https://" or "www." is found from the end of its host name
# (".com"), then read back to the host's start: scanning from every word would be slow.
HOST_END = re.compile(r"\.(?:com|org|net|info|me|io|blog|uk|be|am)\b", re.IGNORECASE)
URL_PATH = re.compile(rf"/{_URL_END}*")
# Social-media sites: a bare "facebook.com/jake.smith" is a person's profile; a bare
# "mencap.org.uk" (no page) is an organisation and stays.
SOCIAL_HOSTS = frozenset({
    "facebook.com", "fb.com", "fb.me", "instagram.com", "instagr.am", "twitter.com", "x.com",
    "tiktok.com", "youtube.com", "youtu.be", "linkedin.com", "snapchat.com", "threads.net",
    "reddit.com", "pinterest.com", "pinterest.co.uk", "wa.me", "t.me", "gofundme.com",
    "justgiving.com",
})  # fmt: skip
HANDLE = re.compile(r"(?<![\w@.+'/-])@(?=\w*[^\W\d_])\w{2,30}(?:\.\w+)*(?![\w@])")
# A postcode's two halves, with any spaces between ("LE1  6ZZ") or none; "Y6 2nd" (an
# ordinal in lower case) is a year group, not a postcode, but "NG7 2RD" is one.
POSTCODE = re.compile(
    r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)[ \t\u00a0]{0,4}\d[A-Z]{2}\b(?<!(?-i:1st|2nd|3rd|[04-9]th))",
    re.IGNORECASE,
)
NHS = re.compile(r"(?<![\d+])\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")
DIGIT = re.compile(r"\d")
# Where a phone number may be: from a trunk 0 or a "+" (+44, 0044), at most 26 characters of
# digits and separators. Only these short stretches go to libphonenumber, which would be slow
# on a long run of digits.
PHONE_CANDIDATE = re.compile(r"[+(0][\d \t().-]{8,24}\d")
PHONE_START = re.compile(r"\(?(?:0|\+)")
# How many words before "School" can name it: "Sir Jonathan North Community College".
MAX_SETTING_NAME_WORDS = 6
POSSIBLE = Leniency.POSSIBLE

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
# A full date: 12/03/2012, 12.03.12, 2012-03-12; 3rd March 2015, 3 Mar, 2015, March 3rd 2015
# (found from the year, then the day and month are looked for just before it).
# Numeric dates are found by their shape (which starts with a digit, so the search is quick),
# then checked: a day, a month and a year, and no more digits around them.
DATE_SHAPE = re.compile(r"\d{1,4}([/.-])\d{1,2}\1\d{2,4}")
NUMERIC_DATE = re.compile(
    r"(?:[12]\d|3[01]|0?[1-9])([/.-])(?:1[0-2]|0?[1-9])\1(?:(?:19|20)\d\d|\d\d)"
    rf"|{_YEAR}-(?:1[0-2]|0[1-9])-(?:[12]\d|3[01]|0[1-9])"
)
YEAR = re.compile(_YEAR)  # not part of a longer number: checked where it is used
DAY_MONTH_BEFORE = re.compile(
    rf"(?<![\w])(?i:{_DAY}(?:\s+of)?\s+{_MONTH},?\s+|{_MONTH}\s+{_DAY},?\s+)$"
)
# After "born", "DOB" or "date of birth" even part of a date is one: "born on 3rd March",
# "born in March 2015", "born in 2012", "DOB: 12.3".
BIRTH_DATE = re.compile(
    r"\b(?i:born|d\.?o\.?b\.?|date\s+of\s+birth|birth\s?date|birthday(?:\s+is)?)"
    r"(?:\s+(?i:[a-z]+ly|early|late|premature))?[:\s]+(?i:on\s+|in\s+|is\s+)?(?i:the\s+)?"
    rf"(?P<date>(?i:{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?|{_MONTH}(?:\s+{_DAY})?"
    rf"(?:,?\s+{_YEAR})?|{_YEAR}|\d{{1,2}}[/.]\d{{1,2}}(?:[/.]\d{{2,4}})?))\b"
)
BIRTH_CUES = ("born", "dob", "d.o.b", "birth")

# A street address: a house number and a street ("14 Narborough Road", "Flat 2, 7 Oak Close").
STREET_TYPES = (
    "road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|way|crescent|cres|court|ct|place|"
    "gardens|grove|terrace|walk|mews|rise|view|hill|row|square|sq|parade|boulevard|gate|green|"
    "park|fields|meadows|walk|wharf|yard|circle|croft|dale|end"
)
_CAPITALISED = r"(?:St\.?\s+)?[A-Z\u00c0-\u00de][\w'’-]*"
ADDRESS = re.compile(
    rf"\d{{1,4}}[A-Za-z]?,?\s+(?:{_CAPITALISED}\s+){{1,3}}(?i:{STREET_TYPES})\b\.?"
)
FLAT_BEFORE = re.compile(r"\b(?i:flat|apartment|apt|unit)\s+\d{1,4}[A-Za-z]?,?\s+$")

# A named school or other setting: capitalised words before one of these ("Oakfield School").
SETTING_WORDS = {
    "school", "academy", "college", "nursery", "pre-school", "preschool", "playgroup",
    "kindergarten", "primary", "infants", "juniors", "montessori",
}  # fmt: skip
# A kind of setting's word ("School", "pre-school"); written to start with a set of letters
# and without IGNORECASE, which the regex engine scans for quickly. The words around it are
# checked on tokens.
SETTING_WORD = re.compile(
    r"[SsAaCcNnPpKkMmIiJj](?:chool|cademy|ollege|ursery|rimary|nfants|uniors|laygroup|"
    r"indergarten|ontessori|CHOOL|CADEMY|OLLEGE|URSERY|RIMARY|NFANTS|UNIORS|LAYGROUP|"
    r"INDERGARTEN|ONTESSORI)\b"
)
# How far before "School" its name is looked for: MAX_SETTING_NAME_WORDS long words.
SETTING_NAME_CHARS = 100
SETTING_STEMS = (
    "school", "academy", "college", "nursery", "primary", "infants", "juniors", "playgroup",
    "kindergarten", "montessori",
)  # fmt: skip
# Capitalised words that describe a setting without naming it: "Special School", "Our Nursery".
GENERIC_SETTING_WORDS = {
    "a", "an", "the", "my", "our", "his", "her", "their", "your", "this", "that", "these",
    "those", "local", "special", "specialist", "mainstream", "secondary", "primary", "infant",
    "infants", "junior", "juniors", "high", "middle", "upper", "lower", "main", "big", "grammar",
    "independent", "private", "state", "faith", "catholic", "church", "free", "residential",
    "boarding", "community", "day", "sixth", "form", "further", "higher", "sen", "send", "asd",
    "sld", "mld", "pmld", "semh", "ehcp", "autism", "autistic", "new", "current", "previous",
    "old", "next", "other", "alternative", "nursery", "pre", "pre-school", "every", "each",
    "any", "all", "some", "most", "many", "no", "good", "outstanding", "excellent", "great",
    "bad", "nearby", "non-maintained", "maintained", "village", "city", "county", "council",
    "leicester", "leicestershire", "rutland", "forest", "sunday", "summer", "home", "hospital",
    "virtual", "studio", "open", "academy", "school", "college", "schools", "colleges", "public",
    "national", "early", "years", "year", "reception", "ofsted", "dfe", "uk", "england",
    "british", "english", "mixed", "girls", "boys", "girls'", "boys'", "trust", "multi",
    "tier", "first", "second", "education", "fe", "pru", "ap", "resourced",
    "provision", "unit", "base", "after", "before", "holiday", "breakfast",
}  # fmt: skip

NOT_NAMES = {
    "is", "has", "was", "and", "who", "with", "at", "in", "the", "a", "an", "he", "she", "they",
    "it", "but", "so", "because", "when", "who's", "school", "college", "year", "reception",
    "nursery", "had", "needs", "attends", "goes", "started", "camhs", "ehcp", "sendiass",
    "autism", "autistic", "adhd", "asd", "send", "sen", "ehc", "down", "mainstream", "special",
    "english", "polish", "urdu", "punjabi", "gujarati", "bengali", "somali", "arabic", "asian",
    "black", "white", "british", "muslim", "hindu", "sikh", "christian", "jewish", "god", "allah",
    "jesus", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "july", "september", "october", "november", "december",
    "leicester", "leicestershire", "council", "nhs", "ofsted", "social", "local", "short",
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame",
}  # fmt: skip
# A listed name followed by one of these is a place or an organisation: "Victoria Park".
PLACE_WORDS = {
    "road", "rd", "street", "lane", "avenue", "ave", "close", "drive", "way", "crescent", "court",
    "place", "square", "gardens", "grove", "park", "hill", "hills", "field", "fields", "green",
    "common", "wood", "woods", "vale", "valley", "lodge", "hall", "house", "centre", "center",
    "academy", "school", "schools", "college", "university", "primary", "infants", "infant",
    "junior", "juniors", "nursery", "hospital", "hospice", "surgery", "practice", "clinic",
    "ward", "unit", "trust", "foundation", "church", "chapel", "cathedral", "mosque", "temple",
    "gurdwara", "mandir", "synagogue", "library", "station", "bridge", "estate", "village",
    "town", "city", "county", "council", "manor", "castle", "abbey", "farm", "mill", "meadow",
    "meadows", "mead", "leys", "cross", "gate", "rise", "view", "terrace", "row", "walk",
    "parade", "mews", "heights", "point", "quay", "zoo", "building", "buildings", "group",
    "partnership", "club", "team", "service", "services", "project", "charity", "fund", "ltd",
    "limited", "plc", "society", "association", "federation", "institute", "hub", "forum",
    "syndrome", "disease", "day", "week", "term", "half-term", "bank",
}  # fmt: skip
NOT_PERSON_BEFORE = {"st", "st.", "saint", "king", "queen", "prince", "princess", "lady", "lord"}
# Ambiguous names that start sentences as verbs or modals: "Will Leicester listen?"
VERB_NAMES = {"Will", "May", "Mark", "Hope", "Grant", "Chase", "Rob", "Sue", "Drew", "Bill"}
MONTH_NAMES = {"Jan", "April", "May", "June", "Summer", "Autumn"}
TIME_WORDS = {
    "in", "by", "since", "until", "till", "from", "last", "next", "this", "of", "during",
    "before", "after", "early", "late", "mid", "end", "every", "each", "through", "over",
    "around", "between", "to", "on", "that",
}  # fmt: skip
# Acronyms common in SEND that are also listed names when written in capitals.
ACRONYMS = {"ELSA", "LEA", "TED", "SAM", "ADA", "ISA", "EVE", "AVA", "ANA", "TIA", "AMI", "MIA"}
SENTENCE_END = ".!?:;\n\r"
# Kinds of span whose words are redacted wherever else the answer repeats them.
REPEATED_KINDS = frozenset({"NAME", "SCHOOL"})
# Kinds of span that a charity's or a service's name can look like.
ORGANISATION_LOOKALIKES = frozenset({"NAME", "SCHOOL", "HANDLE"})
KINDS = frozenset({
    "EMAIL", "URL", "HANDLE", "POSTCODE", "NHS_NUMBER", "PHONE", "ADDRESS", "DATE", "SCHOOL", "NAME"
})  # fmt: skip
OPENERS = "\"'“‘([{-–—•*·"


@dataclass(frozen=True)
class Redaction:
    """One span of personal data in a text, and what kind it is."""

    start: int
    end: int
    kind: str

    @property
    def tag(self) -> str:
        return f"[{self.kind}]"


class _Token(NamedTuple):
    start: int
    end: int
    text: str


class Redactor:
    """Finds and replaces personal data in free text."""

    kinds = KINDS  # the kinds of span it makes

    def __init__(self, nlp: Language | None = None) -> None:
        self._ner = nlp if nlp is not None and nlp.has_pipe("ner") else None
        self._names, self._name_words = name_lists()
        self._not_personal, self._not_personal_words = not_personal_pattern()
        self._found: dict[str, list[Redaction]] = {}
        self._remembered: Callable[[str], list[Redaction] | None] | None = None

    @property
    def pipeline(self) -> str:
        """The NER pipeline names are also found with, or "patterns"."""
        return "patterns" if self._ner is None else pipeline_id(self._ner)

    @property
    def fingerprint(self) -> str:
        """Changes whenever what this redactor finds could: see caches/redactions.py."""
        return _rules_fingerprint(self.pipeline)

    def find(self, text: str) -> list[Redaction]:
        """Non-overlapping spans to redact, in order (remembered: a report quotes one answer on
        several sheets, and a re-run the same answers; see `remember`)."""
        known = self._found.get(text)
        if known is None:
            spans = self._remembered(text) if self._remembered else None
            if spans is None:
                known = self._find(text)
            else:
                known = [Redaction(start, end, kind) for start, end, kind in spans]
            self._found[text] = known
        return list(known)

    def prepare(self, texts: Iterable[str]) -> None:
        """Find the spans of texts to be redacted later, so the work can be done early."""
        for text in texts:
            self.find(text)

    def remember(self, lookup: Callable[[str], list[tuple[int, int, str]] | None]) -> None:
        """Where to look first for a text's spans, as (start, end, kind) (found in an earlier
        run and checked; None: unknown)."""
        self._remembered = lookup

    def found(self) -> dict[str, list[Redaction]]:
        """The spans of every text this redactor has looked at, by text."""
        return dict(self._found)

    def _find(self, text: str) -> list[Redaction]:
        found: list[Redaction] = []
        lower = text.lower()
        if "@" in text:
            found += [Redaction(m.start(), m.end(), "EMAIL") for m in EMAIL.finditer(text)]
            found += [
                Redaction(*_trimmed(text, m), "HANDLE")
                for m in HANDLE.finditer(text)
                if self._personal_handle(m.group()[1:])
            ]
        found += [Redaction(*_trimmed(text, m), "URL") for m in URL.finditer(text)]
        if "." in text:
            found += _bare_web_addresses(text)
        if DIGIT.search(text):  # postcodes, numbers, addresses and full dates hold a digit
            found += self._numbers_in(text)
        if any(cue in lower for cue in BIRTH_CUES):
            found += [Redaction(*m.span("date"), "DATE") for m in BIRTH_DATE.finditer(text)]
        if any(stem in lower for stem in SETTING_STEMS):
            found += _settings_in(text)
        if self._may_hold_a_name(text):
            found += self._names_in(text, _tokens(text))
        if self._ner is not None:
            for ent in self._ner(text).ents:
                if ent.label_ == "PERSON":
                    found.append(Redaction(ent.start_char, ent.end_char, "NAME"))
        return _non_overlapping(self._without_organisations(text, _repeated(text, found)))

    def _numbers_in(self, text: str) -> list[Redaction]:
        found = [Redaction(m.start(), m.end(), "POSTCODE") for m in POSTCODE.finditer(text)]
        for m in NHS.finditer(text):
            context = text[max(0, m.start() - 25) : m.start()].lower()
            if _nhs_valid(m.group()) or "nhs" in context:
                found.append(Redaction(m.start(), m.end(), "NHS_NUMBER"))
        for m in DATE_SHAPE.finditer(text):
            start, end = m.span()
            if (
                NUMERIC_DATE.fullmatch(m.group())
                and (start == 0 or text[start - 1] not in "0123456789/.-")
                and not re.match(r"[/.-]?\d", text[end : end + 2])
            ):
                found.append(Redaction(start, end, "DATE"))
        for m in YEAR.finditer(text):
            if _within_number(text, m.start(), m.end()):
                continue
            day_month = DAY_MONTH_BEFORE.search(text, max(0, m.start() - 30), m.start())
            if day_month:
                found.append(Redaction(day_month.start(), m.end(), "DATE"))
        for m in ADDRESS.finditer(text):
            if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_.,/-"):
                continue  # part of a longer number or word: "section 3.14 Oak Road"
            if any(w.lower() in STOP_WORDS for w in m.group().split()[1:-1]):
                continue  # "52 WEEKS FOR A PLACE": a street's name has no "for" or "a"
            flat = FLAT_BEFORE.search(text, max(0, m.start() - 20), m.start())
            found.append(
                Redaction(flat.start() if flat else m.start(), _trimmed(text, m)[1], "ADDRESS")
            )
        found += _phones_in(text)
        return found

    def _personal_handle(self, handle: str) -> bool:
        """Whether an @-handle may name a person: "@SENDmumLeics", "@jake_smith", "@Priya";
        not a word written as one, "@council read this", "@SEN team"."""
        lower = handle.lower()
        if lower in NOT_NAMES or lower in STOP_WORDS:
            return False
        return handle.title() in self._names or not _is_english_word(handle)

    def _without_organisations(self, text: str, found: list[Redaction]) -> list[Redaction]:
        """Drop names, settings and handles that are part of a charity's or a service's name
        (data/not_personal.txt): "Winston's Wish", "a charity called Mencap"."""
        if not any(span.kind in ORGANISATION_LOOKALIKES for span in found):
            return found
        allowed: set[tuple[int, int]] = set()
        for span in found:  # only around the spans: the list is long, most answers longer
            words = WORD.findall(text, span.start, span.end)
            if span.kind in ORGANISATION_LOOKALIKES and any(
                _core(w).lower() in self._not_personal_words for w in words
            ):
                around = (max(0, span.start - 40), span.end + 40)
                allowed.update(m.span() for m in self._not_personal.finditer(text, *around))
        if not allowed:
            return found
        return [
            span
            for span in found
            if span.kind not in ORGANISATION_LOOKALIKES
            or not any(start < span.end and span.start < end for start, end in allowed)
        ]

    def redact(self, text: str) -> str:
        return self.redact_with_offsets(text)[0]

    def redact_with_offsets(self, text: str) -> tuple[str, Callable[[int], int]]:
        """The redacted text and a map from offsets in the original to offsets in it.

        An offset inside a redacted span maps to the start of its tag, so highlighting the
        matched words of a quote stays aligned after redaction.
        """
        spans = self.find(text)
        if not spans:
            return text, lambda offset: offset
        pieces: list[str] = []
        cursor = 0
        for span in spans:
            pieces.append(text[cursor : span.start])
            pieces.append(span.tag)
            cursor = span.end
        pieces.append(text[cursor:])

        def offset_map(offset: int) -> int:
            shift = 0
            for span in spans:
                if offset < span.start:
                    break
                if offset < span.end:
                    return span.start + shift
                shift += len(span.tag) - (span.end - span.start)
            return offset + shift

        return "".join(pieces), offset_map

    # Names -------------------------------------------------------------------------------

    def _names_in(self, text: str, tokens: list[_Token]) -> list[Redaction]:
        """Name spans from cue patterns and from the names list."""
        if not tokens:
            return []
        starts = [t.start for t in tokens]
        found: list[Redaction] = []
        cued: set[int] = set()
        for pattern, strict in ((CUE_RELATION, False), (CUE_CALLED, True), (CUE_TITLE, False)):
            for m in pattern.finditer(text):
                i = bisect.bisect_left(starts, m.end())
                if i >= len(tokens) or tokens[i].start != m.end():
                    continue
                first = tokens[i]
                if not self._cued_name(first.text, strict=strict):
                    continue
                last = self._chain(text, tokens, i, allow_and=pattern is CUE_RELATION)
                if _place_follows(text, tokens, last):
                    continue  # "called Rowley Fields", "Sir Jonathan North College"
                end = _core_end(tokens[last])
                found.append(Redaction(first.start, end, "NAME"))
                cued.update(range(i, last + 1))
        i = 0
        while i < len(tokens):
            if i in cued or not tokens[i].text[0].isupper():  # most words: no name here
                i += 1
                continue
            last = self._listed_name(text, tokens, i)
            if last is None:
                i += 1
                continue
            found.append(Redaction(tokens[i].start, _core_end(tokens[last]), "NAME"))
            i = last + 1
        return found

    def _may_hold_a_name(self, text: str) -> bool:
        """A quick test that most answers fail: a name cue, a word of a caseless script, or a
        capitalised word whose first part is a listed name. Only then are words located."""
        if ANY_CUE.search(text):
            return True
        names = self._names
        for word in WORD.findall(text):
            first = word[0]
            if not first.isupper():
                continue
            core = _core(word)
            for key in (_first_part(core), _first_part(core.title())):
                if key in names or unicodedata.normalize("NFC", key) in names:
                    return True
        return False

    def _cued_name(self, word: str, *, strict: bool) -> bool:
        """Whether a word right after a cue is a name: capitalised, of a caseless script, or a
        listed given name in lower case ("my grandson tyler", "called jake")."""
        core = _core(word)
        if not core:
            return False
        if core.islower():
            lower = core.lower()
            key = _first_part(core.title())
            if key not in self._names or lower in STOP_WORDS or lower in NOT_NAMES:
                return False
            # An everyday word ("my son will", "our daughter may") only after "called".
            return strict or key not in self._name_words
        if core.isupper() and len(core) > 1:  # "MY SON CALLUM"; not "our children SEND",
            key = _first_part(core.title())  # nor "OUR SON WILL NEVER GET A PLACE"
            return key in self._names and key not in self._name_words
        first = core[0]
        caseless = first.isalpha() and first.lower() == first.upper()
        if not (caseless or _title_case(core)):
            return False
        if _first_part(core) in self._names:
            return True  # even a listed word: "my son Will", "Mrs May"
        lower = core.lower()
        if lower in NOT_NAMES or lower in STOP_WORDS or lower in PLACE_WORDS:
            return False
        # After "called", an everyday word is not a name: "a group called Short Breaks Together".
        return not (strict and not caseless and _is_english_word(core))

    def _listed_name(self, text: str, tokens: list[_Token], i: int) -> int | None:
        """The last token of a person's name starting at token i, from the names list."""
        word = tokens[i].text
        core = _core(word)
        shouting = core.isupper() and len(core) >= 3
        key = unicodedata.normalize("NFC", _first_part(core.title() if shouting else core))
        if key not in self._names or not (shouting or _title_case(core)):
            return None
        if shouting:
            if key in self._name_words or core in ACRONYMS or not _shouting_around(tokens, i):
                return None
            return i
        previous = tokens[i - 1] if i > 0 and _adjacent(text, tokens[i - 1], tokens[i]) else None
        if previous is not None and previous.text.lower() in NOT_PERSON_BEFORE:
            return None
        last = self._chain(text, tokens, i, allow_and=False)
        if _place_follows(text, tokens, last):
            return None  # "Victoria Park", "Jonathan North College", "St Mary's Hospital"
        if key in self._name_words:
            if last == i:
                return None  # "May I say", "Will the council", "Rose Hill" (a place word)
            if key in VERB_NAMES and _sentence_initial(text, tokens[i].start):
                return None  # "Will Leicester listen?"
            if key in MONTH_NAMES and previous is not None and previous.text.lower() in TIME_WORDS:
                return None  # "in May Ofsted visited"
        return last

    def _chain(self, text: str, tokens: list[_Token], i: int, *, allow_and: bool) -> int:
        """Index of the last token of a name starting at i: surnames, "Jack and Harry"."""
        last = i
        extra = 0
        while last + 1 < len(tokens) and extra < 3 and not _possessive(tokens[last].text):
            following = tokens[last + 1]
            if not _adjacent(text, tokens[last], following):
                break
            if (
                allow_and
                and following.text in ("and",)
                and last + 2 < len(tokens)
                and _adjacent(text, following, tokens[last + 2])
                and self._cued_name(tokens[last + 2].text, strict=False)
            ):
                last += 2
                extra += 1
                continue
            if not _surname_like(following.text):
                break
            last += 1
            extra += 1
        return last


@functools.cache
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """The shipped given names, and those of them that are also everyday words."""
    data = resources.files("sendconsult") / "data"

    def read(name: str) -> frozenset[str]:
        lines = (data / name).read_text(encoding="utf-8").splitlines()
        return frozenset(s for line in lines if (s := line.strip()) and not s.startswith("#"))

    words = read("name_words.txt")
    return read("first_names.txt") | words, words


@functools.cache
def not_personal_pattern() -> tuple[re.Pattern[str], frozenset[str]]:
    """Names of charities, services and organisations that are not personal data, as one
    pattern (any case, any apostrophe, any spacing), and the words in them, lower case: only
    a span holding one of those words can be part of one."""
    lines = (resources.files("sendconsult") / "data" / "not_personal.txt").read_text("utf-8")
    phrases = {s for line in lines.splitlines() if (s := line.strip()) and not s.startswith("#")}
    alternatives = [
        r"\s+".join(re.escape(part).replace("'", "['’]") for part in phrase.split())
        for phrase in sorted(phrases, key=len, reverse=True)
    ]
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)
    words = frozenset(_core(w).lower() for phrase in phrases for w in WORD.findall(phrase))
    return pattern, words


def _tokens(text: str, start: int = 0, end: int | None = None) -> list[_Token]:
    end = len(text) if end is None else end
    return [_Token(*m.span(), m.group()) for m in WORD.finditer(text, start, end)]


def _settings_in(text: str) -> list[Redaction]:
    """Named schools and settings: "Oakfield School", "St Mary's Primary", not "the school",
    "a Special School" or "Kacper's school". Only the words just before a kind of setting are
    looked at, not the whole answer."""
    found: list[Redaction] = []
    window_end = 0
    for m in SETTING_WORD.finditer(text):
        if m.end() <= window_end or not _capitalised_word_before(text, m.start()):
            continue  # most mentions: "the school", "a special school", "mainstream school"
        start = text.rfind(" ", 0, max(0, m.start() - SETTING_NAME_CHARS)) + 1
        window_end = min(len(text), m.end() + 40)
        found += _settings_among(text, _tokens(text, start, window_end))
    return found


def _repeated(text: str, found: list[Redaction]) -> list[Redaction]:
    """The spans, and every other place in the answer where a name or a setting found once is
    written again: "our social worker Tiggy left. Tiggy was the only one who listened"."""
    named = {text[s.start : s.end]: s.kind for s in found if s.kind in REPEATED_KINDS}
    extra = [
        Redaction(m.start(), m.end(), kind)
        for words, kind in named.items()
        if len(words) > 2 and text.count(words) > 1
        for m in re.finditer(rf"(?<!\w){re.escape(words)}(?!\w)", text)
    ]
    return found + extra if extra else found


def _within_number(text: str, start: int, end: int) -> bool:
    """Whether digits go on before start or after end: "12019" holds no year."""
    return (start > 0 and text[start - 1].isdigit()) or (end < len(text) and text[end].isdigit())


def _capitalised_word_before(text: str, position: int) -> bool:
    """Whether the word just before a position starts with a capital letter."""
    end = position
    while end > 0 and text[end - 1] in " \t\u00a0-":
        end -= 1
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "'’"):
        start -= 1
    return start < end and text[start].isupper()


def _settings_among(text: str, tokens: list[_Token]) -> list[Redaction]:
    """The names of settings among tokens. The kind of setting ("College", "Primary School")
    is left after the tag: it identifies no one, says what the answer is about, and may be a
    theme's matched word, which the report highlights."""
    found: list[Redaction] = []
    j = 0
    while j < len(tokens):
        word = tokens[j].text
        if word.lower() not in SETTING_WORDS or (
            word.lower() in ("primary", "infants", "juniors") and not word[0].isupper()
        ):
            j += 1
            continue
        last = j  # "Primary School", "Nursery School"
        while (
            last + 1 < len(tokens)
            and _adjacent(text, tokens[last], tokens[last + 1])
            and tokens[last + 1].text.lower() in SETTING_WORDS
        ):
            last += 1
        first = _setting_name_start(text, tokens, j)
        if first is not None:  # the name goes; the kind of setting stays: "[SCHOOL] Academy"
            found.append(Redaction(tokens[first].start, tokens[j - 1].end, "SCHOOL"))
        j = last + 1
    return found


def _bare_web_addresses(text: str) -> list[Redaction]:
    """Web addresses without "https://" or "www.": a social-media profile
    ("facebook.com/jake.smith"), or any address with a page ("ourstory.co.uk/jake")."""
    found = []
    for m in HOST_END.finditer(text):
        start = m.start()
        while (
            start > 0
            and start > m.start() - 100
            and (text[start - 1].isalnum() or text[start - 1] in "_.-")
        ):
            start -= 1
        if start == m.start() or (start > 0 and text[start - 1] in "@/"):
            continue  # ".com" alone, an e-mail address, or part of an address found already
        path = URL_PATH.match(text, m.end())
        host = text[start : m.end()].lower()
        social = any(host == s or host.endswith("." + s) for s in SOCIAL_HOSTS)
        if path is None and not social:
            continue  # "mencap.org.uk": an organisation's site
        found.append(Redaction(*_trimmed_span(text, start, path.end() if path else m.end()), "URL"))
    return found


def _phones_in(text: str) -> list[Redaction]:
    """Phone numbers written with a leading 0 or a country code (libphonenumber finds them)."""
    found = []
    position = 0
    while candidate := PHONE_CANDIDATE.search(text, position):
        offset = position = candidate.start()
        if offset > 0 and (text[offset - 1].isalnum() or text[offset - 1] in "_+"):
            position += 1  # inside a longer number or word: look again from the next character
            continue
        position = candidate.end()
        for match in phonenumbers.PhoneNumberMatcher(candidate.group(), "GB", leniency=POSSIBLE):
            if not PHONE_START.match(match.raw_string):
                continue  # "1234 5678", "2019-2022": no trunk 0 or country code
            if (
                match.number.country_code == 44
                and not 9 <= len(str(match.number.national_number)) <= 10
            ):
                continue
            found.append(Redaction(offset + match.start, offset + match.end, "PHONE"))
    return found


def _setting_name_start(text: str, tokens: list[_Token], j: int) -> int | None:
    """The first token of the name of a setting whose kind-word ("School") is token j, or None
    when the words before it only describe it ("a Special School", "Kacper's school")."""
    first = j
    while first > 0 and j - first < MAX_SETTING_NAME_WORDS:
        previous, current = tokens[first - 1], tokens[first]
        gap = text[previous.end : current.start]
        if not (_adjacent(text, previous, current) or (gap == ". " and previous.text == "St")):
            break
        word = previous.text
        if word == "of" and first - 2 >= 0 and tokens[first - 2].text[:1].isupper():
            first -= 1  # "Church of England", "Academy of Science"
            continue
        if not word[:1].isupper() or word.lower() in STOP_WORDS or word.lower() in SETTING_WORDS:
            break  # "Oakfield School Highfields Primary" is two names
        first -= 1
    if first == j:
        return None
    kind_word = tokens[j].text
    if (
        first == j - 1
        and kind_word.islower()
        and _sentence_initial(text, tokens[first].start)
        and _is_english_word(tokens[first].text)
    ):
        return None  # "Training school staff...", "Forest school is...": a sentence's start
    before = tokens[j - 1].text
    if (
        _possessive(before)
        and tokens[j].text.islower()
        and not (j >= 2 and tokens[j - 2].text.lower() in NOT_PERSON_BEFORE)
    ):
        return None  # "Kacper's school", "Mum's nursery"; not "St Mary's school"
    naming = [
        t.text
        for t in tokens[first:j]
        if _core(t.text).lower() not in GENERIC_SETTING_WORDS
        and _core(t.text).lower() not in NOT_NAMES
        and t.text.lower() not in SETTING_WORDS
        and t.text != "of"
    ]
    return first if naming else None


def _trimmed(text: str, match: re.Match[str]) -> tuple[int, int]:
    """A match's span without the full stop or comma that ends the sentence around it."""
    return _trimmed_span(text, *match.span())


def _trimmed_span(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in ".,;:!?":
        end -= 1
    return start, end


@functools.cache
def _rules_fingerprint(pipeline: str) -> str:
    """A hash of what redaction depends on: this module's code, the names lists, spaCy's
    English word list (its version) and the NER pipeline."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(Path(__file__).read_bytes())
    data = resources.files("sendconsult") / "data"
    for name in ("first_names.txt", "name_words.txt", "not_personal.txt"):
        digest.update((data / name).read_bytes())
    digest.update(f"{spacy.__version__}/{_lookups_version()}/{pipeline}".encode())
    return digest.hexdigest()


def _lookups_version() -> str:
    try:
        return metadata.version("spacy-lookups-data")
    except metadata.PackageNotFoundError:  # pragma: no cover - checked when tables load
        return "missing"


@functools.cache
def _english_lemmas() -> frozenset[str]:
    return frozenset(_lookup_table().values())


def _is_english_word(word: str) -> bool:
    """Whether spaCy's English lemma table knows the word (as a lemma or an inflected form)."""
    lower = word.lower()
    return lower in _english_lemmas() or get_string_id(lower) in _lookup_table()


def _core(word: str) -> str:
    """The word without a possessive 's: "Kacper's" -> "Kacper"."""
    if len(word) > 2 and word[-2] in "'’" and word[-1] in "sS":
        return word[:-2]
    return word


def _core_end(token: _Token) -> int:
    return token.start + len(_core(token.text))


def _first_part(word: str) -> str:
    """ "Mary-Jane" is a listed name if "Mary" is."""
    return word.split("-", 1)[0] if "-" in word else word


def _title_case(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word)


def _possessive(word: str) -> bool:
    return _core(word) != word


def _surname_like(word: str) -> bool:
    """A capitalised word that can follow a given name as a surname: not a common word."""
    lower = word.lower()
    return (
        _title_case(word)
        and len(word) > 1
        and lower not in STOP_WORDS
        and lower not in NOT_NAMES
        and lower not in PLACE_WORDS
        and _core(word).lower() not in PLACE_WORDS
    )


def _adjacent(text: str, left: _Token, right: _Token) -> bool:
    """Only spaces (no punctuation, no line break) between two tokens."""
    gap = text[left.end : right.start]
    return 0 < len(gap) <= 3 and gap.strip(" \t\u00a0") == ""


def _place_follows(text: str, tokens: list[_Token], i: int) -> bool:
    """A capitalised place word right after token i: "Victoria Park", not "Kacper's school"."""
    if i + 1 >= len(tokens) or not _adjacent(text, tokens[i], tokens[i + 1]):
        return False
    following = tokens[i + 1].text
    return following[:1].isupper() and _core(following).lower() in PLACE_WORDS


def _sentence_initial(text: str, start: int) -> bool:
    """At the start of the text, or after a full stop, colon, line break or bullet."""
    j = start - 1
    while j >= 0 and (text[j].isspace() or text[j] in OPENERS):
        if text[j] in "\n\r":
            return True
        j -= 1
    return j < 0 or text[j] in SENTENCE_END


def _shouting_around(tokens: list[_Token], i: int) -> bool:
    """A word in capitals is a name only in a passage written in capitals ("MY SON CALLUM")."""
    neighbours = [tokens[j].text for j in (i - 1, i + 1) if 0 <= j < len(tokens)]
    return any(len(w) >= 2 and w.isupper() for w in neighbours)


def _nhs_valid(candidate: str) -> bool:
    digits = [int(d) for d in re.sub(r"\D", "", candidate)]
    if len(digits) != 10:
        return False
    total = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == digits[9]


def _non_overlapping(spans: list[Redaction]) -> list[Redaction]:
    """Keep the earliest, then longest, span where spans overlap."""
    result: list[Redaction] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if result and span.start < result[-1].end:
            continue
        result.append(span)
    return result
