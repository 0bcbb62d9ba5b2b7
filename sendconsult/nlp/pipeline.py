"""Building the spaCy pipeline that parses responses (and dictionary terms, the same way).

The default pipeline needs nothing but package dependencies, so it works offline on any laptop:
spaCy's English tokenizer, a rule-based sentencizer, and lemmas from spacy-lookups-data's
English lookup table. Lemmas are always lower-cased so matching is case-insensitive ("Personal
Budgets" and "personal budget" share lemmas). A named installed pipeline (`--model
en_core_web_sm` or a folder) can be used instead; its lemmas are lower-cased the same way.

Dictionary terms must be lemmatised by the very pipeline that parses the responses, otherwise
a lemma matcher silently finds nothing: the matcher parses them with it (nlp/matching.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.attrs import LEMMA, NORM, ORTH, SENT_START
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc

from sendconsult.errors import ModelError

DEFAULT_PIPELINE = "sendconsult-en-lookup"
LEMMA_COMPONENT = "sendconsult_lower_lemmas"
FAST_COMPONENT = "sendconsult_sentences_and_lemmas"
SENTENCE_ENDS = (".", "!", "?", "…", "...", "!!", "??", "?!", "!?")
MAX_TEXT_CHARS = 2_000_000
PUNCTUATION_RUN_KEPT = 40  # longer runs ("!!!!…", "-----…") are blanked past this: tokenizable()
SOURCE_KEY = "sendconsult_model"


@functools.cache
def _lookup_table() -> dict[int, str]:
    """spaCy's English lemma lookup table as a plain dict keyed by string hash (loaded once).

    Keys are spaCy string hashes, the same as `Token.lower`, so a lookup costs no hashing.
    """
    from spacy.lookups import load_lookups

    try:
        lookups = load_lookups("en", ["lemma_lookup"])
    except (ValueError, ImportError) as exc:  # pragma: no cover - broken installation
        raise ModelError(
            "The English lemma tables (package spacy-lookups-data) are missing; reinstall "
            "sendconsult with pip so its dependencies are installed."
        ) from exc
    return dict(lookups.get_table("lemma_lookup").items())


def lookup_lemma(lower: str) -> str:
    """The lemma of a lower-cased word: the lookup table's entry, or the word itself."""
    return _lookup_table().get(get_string_id(lower), lower)


@Language.component(LEMMA_COMPONENT)
def lower_lemmas(doc: Doc) -> Doc:
    """Set every token's lemma to a lower-cased lemma.

    Where an earlier component already set lemmas (a trained pipeline), keep its choice but lower
    it; otherwise use the lookup table on the lower-cased word (the table is case-sensitive, so
    "Budgets" would otherwise stay "Budgets").
    """
    table = _lookup_table()
    for token in doc:
        existing = token.lemma_
        if existing and existing != token.text:
            token.lemma_ = existing.lower()
        else:
            token.lemma_ = table.get(token.lower, token.lower_)
    return doc


@Language.factory(FAST_COMPONENT)
def make_fast_component(nlp: Language, name: str) -> FastSentencesAndLemmas:
    return FastSentencesAndLemmas(nlp)


def _lemma_of_word(word: str) -> str:
    """The lookup lemma of a word, lower-cased: the table's entry, or the lower-cased word."""
    lower = word.lower()
    return _lookup_table().get(get_string_id(lower), lower)


def _is_boundary(word: str) -> bool:
    """Whether a token ends a sentence: . ! ? and the like, or a line break (bullet lists)."""
    return word in SENTENCE_ENDS or word.isspace()


class FastSentencesAndLemmas:
    """Sentence starts and lower-cased lookup lemmas, at almost no cost per token.

    A lookup lemma depends only on the word, so it is computed once per distinct word, when spaCy
    first adds the word to the vocabulary (as the word's NORM), not once per token; so is a flag
    saying whether the word ends a sentence. Per doc this component only copies those two
    columns into LEMMA and SENT_START: together about a third of the tokenizer's own time,
    where a token-by-token lemmatizer took several times as long. A sentence starts after
    . ! ? … or a line break.
    """

    def __init__(self, nlp: Language) -> None:
        vocab = nlp.vocab
        vocab.lex_attr_getters[NORM] = _lemma_of_word
        # Special cases ("aren't" -> are + n't) carry their own NORM; drop it so that every
        # token's lemma is the lookup lemma of its word, as in the rest of the text.
        nlp.tokenizer.rules = {
            chunk: [{ORTH: token[ORTH]} for token in tokens]
            for chunk, tokens in nlp.tokenizer.rules.items()
        }
        for lexeme in vocab:  # words the tokenizer's exceptions added before this component
            lexeme.norm_ = _lemma_of_word(lexeme.orth_)
        self.boundary_flag = vocab.add_flag(_is_boundary)

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        columns = doc.to_array([NORM, self.boundary_flag])
        starts = np.where(sentence_starts(columns[:, 1].astype(bool), np.zeros(1, np.int64)), 1, -1)
        values = np.empty((n, 2), dtype=np.uint64)
        values[:, 0] = columns[:, 0]
        values[:, 1] = starts.astype(np.uint64)
        doc.from_array([LEMMA, SENT_START], values)
        return doc


def sentence_starts(boundary: np.ndarray, doc_starts: np.ndarray) -> np.ndarray:
    """Which tokens start a sentence, given which are boundary words (see _is_boundary), for
    one doc or several end to end (`doc_starts`: where each non-empty doc begins): the first
    token of a doc, and a word after a boundary word that is not one itself."""
    starts = np.zeros(len(boundary), dtype=bool)
    starts[1:] = boundary[:-1] & ~boundary[1:]
    starts[doc_starts] = True
    return starts


def lemmas_are_norms(nlp: Language) -> int | None:
    """For the built-in pipeline, the flag that marks boundary words; else None.

    In the built-in pipeline every token's lemma is its word's NORM and sentences start after
    boundary words, both known from the tokenizer alone: bulk matching reads them straight from
    the tokenized doc and skips the component that copies them (a third of the tokenizer's
    time). Other pipelines set lemmas and sentences in their own components.
    """
    if not nlp.has_pipe(FAST_COMPONENT):
        return None
    return nlp.get_pipe(FAST_COMPONENT).boundary_flag


_PUNCTUATION_RUN = re.compile(rf"(?:[^\w\s]|_){{{PUNCTUATION_RUN_KEPT + 1},}}")
_PUNCTUATION_RUN_NO_UNDERSCORE = re.compile(rf"[^\w\s]{{{PUNCTUATION_RUN_KEPT + 1},}}")


def tokenizable(text: str) -> str:
    """The text as spaCy should tokenize it: the same length, so every character offset still
    points into the original, but a run of punctuation longer than PUNCTUATION_RUN_KEPT is
    blanked after its first PUNCTUATION_RUN_KEPT characters.

    spaCy's tokenizer splits such a run one character at a time, copying the rest each time:
    2,000 "!" took half a second and 40,000 nearly four minutes. No dictionary term is made of
    punctuation, so nothing that could match is lost.
    """
    if len(text) <= PUNCTUATION_RUN_KEPT:
        return text
    if "_" not in text and _PUNCTUATION_RUN_NO_UNDERSCORE.search(text) is None:
        return text  # the usual case, found at twice the speed of the full pattern
    return _PUNCTUATION_RUN.sub(_blank_after_start, text)


def _blank_after_start(match: re.Match[str]) -> str:
    run = match.group()
    return run[:PUNCTUATION_RUN_KEPT] + " " * (len(run) - PUNCTUATION_RUN_KEPT)


class TamingTokenizer:
    """The pipeline's tokenizer, given every text through tokenizable() first: whatever parses
    an answer (nlp(text), nlp.pipe, make_doc) is safe from runs of punctuation."""

    def __init__(self, tokenizer: Callable[[str], Doc]) -> None:
        self.inner = tokenizer

    def __call__(self, text: str) -> Doc:
        return self.inner(tokenizable(text))

    def __getattr__(self, name: str) -> Any:  # rules, vocab, ...: the tokenizer's own
        return getattr(self.inner, name)


def build_pipeline(model: str | None = None) -> Language:
    """The parsing pipeline: built-in English by default, or an installed spaCy pipeline."""
    if model is None:
        nlp = spacy.blank("en")
        nlp.add_pipe(FAST_COMPONENT)
        nlp.meta["name"] = DEFAULT_PIPELINE
    else:
        nlp = _load_named(model)
        if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
            nlp.add_pipe("sentencizer", first=True)
        nlp.add_pipe(LEMMA_COMPONENT, last=True)
    nlp.tokenizer = TamingTokenizer(nlp.tokenizer)
    nlp.max_length = MAX_TEXT_CHARS
    nlp.meta[SOURCE_KEY] = model
    return nlp


def pipeline_source(nlp: Language) -> str | None:
    """What `build_pipeline` was given for this pipeline, so another process can build it again.

    Raises ModelError for a pipeline that `build_pipeline` did not make.
    """
    if SOURCE_KEY not in nlp.meta:
        raise ModelError(
            "This spaCy pipeline was not made by sendconsult; build it with build_pipeline."
        )
    return nlp.meta[SOURCE_KEY]


def _load_named(model: str) -> Language:
    path = Path(model)
    try:
        return spacy.load(model)
    except OSError as exc:
        if path.exists():
            message = (
                f"'{model}' is not a spaCy pipeline folder (it has no config.cfg); give the "
                "folder a pipeline was saved to."
            )
            fix = "model-or-default"
        elif any(sep in model for sep in ("/", "\\")) or model.startswith("."):
            message = f"spaCy pipeline folder '{model}' was not found; check the folder name."
            fix = "model-or-default"
        else:
            message = (
                f"spaCy pipeline '{model}' is not installed; install it (pip install {model})."
            )
            fix = "model-install"
        raise ModelError(message, fix=fix) from exc
    except Exception as exc:  # a half-installed or incompatible pipeline
        raise ModelError(
            f"spaCy pipeline '{model}' is not compatible with spaCy {spacy.__version__} "
            f"({type(exc).__name__}); install a matching version.",
            fix="model-version",
        ) from exc


def pipeline_id(nlp: Language) -> str:
    """A name for the pipeline that changes when its results could: name, version, spaCy."""
    return f"{nlp.meta.get('name', 'pipeline')}-{nlp.meta.get('version', '0')}-spacy{spacy.__version__}"


def tokens(nlp: Language, text: str) -> list[str]:
    """The lower-cased tokens the pipeline's tokenizer makes of a text (checks wildcards)."""
    return [t.lower_ for t in nlp.make_doc(text)]
