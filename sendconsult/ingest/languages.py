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

import io
import lzma
import re
import threading
from concurrent.futures import Future
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
_ENGLISH_WORDS = frozenset({
    "the", "and", "of", "to", "is", "are", "was", "were", "for", "that", "this", "with", "we",
    "our", "they", "their", "would", "should", "could", "have", "has", "been", "not", "be", "it",
    "you", "your", "my", "there", "which", "what", "about", "more", "from", "will", "can", "so",
    "his", "her", "him", "them", "he", "she", "if", "but", "any", "very", "because", "just",
})  # fmt: skip
_ENGLISH_MARKERS = frozenset({"the", "and", "of", "that", "this", "would", "should", "with"})
# Function words of the other Latin-script languages that English does not use as words: an
# answer that fails the English test is given to the model only when it holds one of them.
_FOREIGN_WORDS = frozenset(
    word
    for line in (
        "le la les des est et pour dans une que pas nous vous sont avec sur du au aux cette qui "
        "il elle ils mais ou très",  # French
        "der das und ist nicht mit für wir eine ein auf den dem sich zu von bei sind werden "
        "wird auch noch",  # German
        "el los las del por para con es y muy pero como más está gli della delle per che non "
        "sono è anche molto os não uma com muito mais são é",  # Spanish, Italian, Portuguese
        "het een en van niet zijn voor ook wij maar och att det som inte är för med og er ikke "
        "af til jeg vi",  # Dutch, Scandinavian
        "nie się jest że na w z oraz dla bardzo jak są przez za je se že și în este pentru "
        "care nu cu să",  # Polish, Czech, Romanian
        "y yn mae ac ar ein eich gyda nid bod ddim ond hefyd fel gan ydy oes rhaid angen yr ei "
        "wedi i'r o'r agus tá",  # Welsh, Irish
    )
    for word in line.split()
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_LATIN = re.compile(r"[\u0000-\u024f]+")
PREFIX = 400
NEEDS_MODEL = "?"  # language_without_model's answer when only the model can tell
_NO_PUNCTUATION = str.maketrans(dict.fromkeys(".,;:!?()[]\"-/", " "))


def language_name(code: str) -> str:
    """The English name of a language code ("cy" -> "Welsh")."""
    return LANGUAGE_NAMES.get(code, code)


def answer_language(text: str, expected: str = "en") -> str | None:
    """The language an answer is written in, or None when it is too short or unclear to tell
    (the caller then takes it to be in `expected`, the dictionary's language).

    Only the first PREFIX characters are read: a few sentences tell the language, and long
    answers would otherwise cost time in proportion to their length.
    """
    found = language_without_model(text, expected)
    return model_language(text) if found == NEEDS_MODEL else found


def language_without_model(text: str, expected: str = "en") -> str | None:
    """answer_language as far as it goes without the model: the language, None, or NEEDS_MODEL
    when only the model can tell (a few answers in a thousand). Many answers can be judged
    this far in another process, and only those few given to the model here."""
    head = text[:PREFIX]
    if expected == "en" and _looks_english(head):
        return "en"  # the cheap test first: most answers are plain English
    words = _WORD.findall(head.lower())
    letters = sum(map(len, words))
    if letters >= 3 and not head.isascii() and _mostly_non_latin(words):
        pass  # a script other than Latin tells even a short answer ("بہت شکریہ")
    elif len(words) < MIN_WORDS or letters < MIN_LETTERS:
        return None
    elif expected == "en" and _FOREIGN_WORDS.isdisjoint(words) and "".join(words).isascii():
        return None  # no accent, no function word of another language: nothing says it isn't
    return NEEDS_MODEL


def model_language(text: str) -> str | None:
    """The model's language for an answer, or None when it is not sure enough."""
    code, confidence = _identifier().classify(text[:PREFIX])
    return code if confidence >= MIN_CONFIDENCE else None


def _mostly_non_latin(words: list[str]) -> bool:
    letters = "".join(words)
    return len(_LATIN.sub("", letters)) > 0.8 * len(letters)


def _looks_english(text: str) -> bool:
    """Three different English function words, or two with a strong marker ("the", "and").

    Words are first split at spaces only, which is enough for most answers; punctuation is
    taken off only when that is not. Taking it off can only find more words, so the answer is
    the same, and an export's answers are judged in two thirds of the time.
    """
    head = text[:160].lower()
    return _english_enough(head.split()) or _english_enough(head.translate(_NO_PUNCTUATION).split())


def _english_enough(words: list[str]) -> bool:
    hits = _ENGLISH_WORDS.intersection(words)
    return len(hits) >= 3 or (len(hits) == 2 and not hits.isdisjoint(_ENGLISH_MARKERS))


_model: Future[LanguageIdentifier] | None = None
_model_lock = threading.Lock()


def load_model_in_background() -> Future[LanguageIdentifier]:
    """Start loading the language model in a thread, if no one has yet; wait on the result.

    Loading takes about 0.4 s, most of it decompressing, which frees the interpreter: a caller
    with many answers to judge starts it first and judges them meanwhile. The result must be
    waited on before the process forks (no thread may run then).
    """
    global _model
    with _model_lock:
        if _model is None:
            _model = Future()
            threading.Thread(target=_load_into, args=(_model,), name="language-model").start()
        return _model


def _load_into(future: Future[LanguageIdentifier]) -> None:
    try:
        future.set_result(_load_identifier())
    except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the model
        future.set_exception(exc)


def _identifier() -> LanguageIdentifier:
    """The shipped py3langid model, restricted to LANGUAGE_NAMES, loaded once."""
    return load_model_in_background().result()


def _load_identifier() -> LanguageIdentifier:
    """py3langid's own model, restricted to LANGUAGE_NAMES."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    try:
        identifier = _read_in_one_call()
    except (AttributeError, KeyError, OSError, TypeError, ValueError, lzma.LZMAError):
        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([c for c in LANGUAGE_NAMES if c in set(identifier.labels)])
    return identifier


def _read_in_one_call() -> LanguageIdentifier:
    """py3langid's model file read as its own loader reads it, but decompressed in one call.

    py3langid streams the decompression, which needs the interpreter back for each of hundreds
    of chunks and so cannot run beside other work; one call frees it throughout. Should a later
    py3langid store its model differently, this raises and its own loader is used.
    """
    import numpy as np
    from py3langid import modelio
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    data = lzma.decompress((MODEL_DIR / MODEL_FILE).read_bytes())
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        return LanguageIdentifier(
            np.asarray(arrays["ptc"]),
            np.asarray(arrays["pc"]),
            arrays["classes"].tolist(),
            modelio._to_array(arrays["nextmove"]),
            arrays["out_feat"].tolist(),
            norm_probs=True,
            tk_row=modelio._to_array(arrays["nextmove_row"]),
        )
