"""Which language each free-text answer is written in, decided offline.

A theme dictionary matches one language's words, so an answer in another language is coded as
"no theme" and would quietly lower every percentage. Answers found to be in another language
are counted by language and set aside from the denominators (see Survey.set_aside).

py3langid (a maintained fork of langid.py) ships its model inside the package, needs only
numpy, knows Welsh and Irish, and classifies a short answer in well under a millisecond. It is
restricted to the languages a UK or European consultation is likely to receive, which removes
most confusions with languages nobody wrote in. A language is only decided for answers long
enough to tell (MIN_WORDS words, MIN_LETTERS letters) and with a clear winner (MIN_CONFIDENCE):
everything else is taken to be in the dictionary's language, so a short English answer is
never set aside. English answers are recognised first by their function words ("the", "and",
...), which is both faster and safer than the model on plain English.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English", "cy": "Welsh", "ga": "Irish", "gd": "Scottish Gaelic", "fr": "French",
    "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch",
    "pl": "Polish", "ro": "Romanian", "cs": "Czech", "sk": "Slovak", "hu": "Hungarian",
    "sv": "Swedish", "da": "Danish", "no": "Norwegian", "fi": "Finnish", "el": "Greek",
    "bg": "Bulgarian", "hr": "Croatian", "sl": "Slovenian", "lt": "Lithuanian", "lv": "Latvian",
    "et": "Estonian", "mt": "Maltese", "uk": "Ukrainian", "ru": "Russian", "tr": "Turkish",
    "ar": "Arabic", "ur": "Urdu", "pa": "Punjabi", "bn": "Bengali", "gu": "Gujarati",
    "hi": "Hindi", "so": "Somali", "zh": "Chinese", "sq": "Albanian", "lb": "Luxembourgish",
    "ca": "Catalan", "eu": "Basque", "gl": "Galician",
}  # fmt: skip
MIN_WORDS = 4
MIN_LETTERS = 20
MIN_CONFIDENCE = 0.95
# Function words of English that other European languages rarely write as words of their own.
_ENGLISH_WORDS = frozenset(
    ["the", "and", "of", "to", "is", "are", "was", "were", "for", "that", "this", "with", "we", "our", "they", "their", "would", "should", "could", "have", "has", "been", "not", "be", "it", "you", "your", "i", "my", "there", "which", "what", "about", "more", "from", "will", "can"]
)
_ENGLISH_MARKERS = frozenset({"the", "and", "of", "that", "this", "would", "should", "with"})
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def language_name(code: str) -> str:
    """The English name of a language code ("cy" -> "Welsh")."""
    return LANGUAGE_NAMES.get(code, code)


def answer_language(text: str, expected: str = "en") -> str | None:
    """The language an answer is written in, or None when it is too short or unclear to tell
    (the caller then takes it to be in `expected`, the dictionary's language)."""
    words = _WORD.findall(text.lower())
    letters = sum(map(len, words))
    if letters >= 3 and _mostly_non_latin(words):
        pass  # a script other than Latin tells even a short answer ("بہت شکریہ")
    elif len(words) < MIN_WORDS or letters < MIN_LETTERS:
        return None
    if expected == "en" and _looks_english(words):
        return "en"
    code, confidence = _identifier().classify(text)
    if confidence < MIN_CONFIDENCE:
        return None
    return code


def _mostly_non_latin(words: list[str]) -> bool:
    letters = "".join(words)
    return sum(ord(c) > 0x24F for c in letters) > 0.8 * len(letters)


def _looks_english(words: list[str]) -> bool:
    """At least three English function words, one of them a strong marker ("the", "and")."""
    hits = [w for w in words if w in _ENGLISH_WORDS]
    return len(hits) >= 3 and any(w in _ENGLISH_MARKERS for w in hits)


@functools.cache
def _identifier() -> LanguageIdentifier:
    """The shipped py3langid model, restricted to LANGUAGE_NAMES, loaded once (about 0.3 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([c for c in LANGUAGE_NAMES if c in set(identifier.labels)])
    return identifier
