"""Coding answers: from text to the themes each answer mentions.

pipeline (the spaCy pipeline that parses answers and terms alike), matching (terms, wildcards
and NEAR as candidate spans), negation (the negation rule and its words), weak_evidence
(weak terms that count only beside a strong one), engine (the rules that turn candidates into
a Coding: excludes, negation, de-duplication), workers (parsing in parallel processes),
arrays (numpy helpers the rules share), term_stats (which terms matched, for warnings).

Compatibility re-export: `from sendconsult.nlp import build_pipeline` (and the pipeline's
other public names) keeps working from when the pipeline was the module sendconsult/nlp.py.
The names load lazily, so importing a light module of this package (arrays, negation) does
not load spaCy through this file. New code imports from sendconsult.nlp.pipeline.
"""

from __future__ import annotations

import importlib
from typing import Any

_PIPELINE_NAMES = frozenset({
    "DEFAULT_PIPELINE", "LEMMA_COMPONENT", "FAST_COMPONENT", "SENTENCE_ENDS", "MAX_TEXT_CHARS",
    "PUNCTUATION_RUN_KEPT", "SOURCE_KEY", "lookup_lemma", "lower_lemmas", "make_fast_component",
    "FastSentencesAndLemmas", "sentence_starts", "lemmas_are_norms", "tokenizable",
    "TamingTokenizer", "build_pipeline", "pipeline_source", "pipeline_id", "has_ner", "lemmatize",
    "tokens",
})


def __getattr__(name: str) -> Any:  # noqa: ANN401 - whatever the pipeline module defines
    if name in _PIPELINE_NAMES:
        return getattr(importlib.import_module("sendconsult.nlp.pipeline"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
