"""Suggesting dictionary terms from the responses themselves.

Two lists help an officer improve a dictionary:

- phrases that are common in responses no theme caught, and more common there than in the rest
  (the concerns the dictionary misses);
- per theme, phrases that are much more common in the responses coded to the theme than in all
  responses (lift), with enough support, counted only where they occur outside the words the
  theme's terms already matched: candidate terms for the ways people say the theme in other
  words, not pieces of the terms it has.

Phrases are 1 to 3 words in a row within a sentence, as lemmas (so they can go straight into
the dictionary), not starting or ending with a stop word or a number. A phrase the dictionary
would already match (for that theme, or at all for uncoded responses) is left out. Each
suggestion says how many responses contain it and quotes an example sentence. Very large
exports are read on an even sample of MAX_RESPONSES responses.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from sendconsult.coding import Coding
from sendconsult.nlp.engine import ThemeClassifier
from sendconsult.survey import RESPONSE_ID, Survey

MAX_RESPONSES = 20_000
MAX_WORDS = 3
MIN_SUPPORT = 3
MIN_LIFT = 2.0


@dataclass(frozen=True)
class Suggestion:
    """A phrase worth considering as a term, with its evidence."""

    phrase: str
    responses: int  # responses (in the group considered) that contain it
    lift: float  # how much more common it is in the group than in all responses
    example: str


@dataclass
class Suggestions:
    """Phrases from uncoded responses, and per theme id phrases that go with the theme."""

    uncoded: list[Suggestion] = field(default_factory=list)
    by_theme: dict[str, list[Suggestion]] = field(default_factory=dict)
    responses_read: int = 0


def suggest_terms(
    survey: Survey, coding: Coding, classifier: ThemeClassifier, *, top: int = 15
) -> Suggestions:
    """Suggestions for the classifier's dictionary, from the survey as coded."""
    nlp = classifier.nlp
    texts = survey.responses[RESPONSE_ID].tolist()
    with_text = [rid for rid in texts if survey.texts(rid)]
    step = max(1, math.ceil(len(with_text) / MAX_RESPONSES))
    sample = with_text[::step]
    phrases: dict[str, set[str]] = {}  # response -> its phrases
    outside: dict[str, dict[str, set[str]]] = {}  # response -> theme -> phrases not in its matches
    examples: dict[str, str] = {}
    for rid, doc in zip(
        sample,
        nlp.pipe("\n".join(survey.texts(rid).values()) for rid in sample),
        strict=True,
    ):
        found = _phrases(doc, nlp, examples)
        phrases[rid] = {phrase for phrase, _, _ in found}
        matched = _matched_tokens(doc, classifier)
        outside[rid] = {
            theme: {p for p, start, end in found if not tokens & set(range(start, end))}
            for theme, tokens in matched.items()
        }
    everywhere = Counter(p for found in phrases.values() for p in found)
    total = len(phrases)
    codes = coding.codes
    result = Suggestions(responses_read=total)
    covered = _Coverage(classifier)
    uncoded = [rid for rid in phrases if int(codes.loc[rid].sum()) == 0]
    result.uncoded = _ranked(
        [phrases[rid] for rid in uncoded], everywhere, total, examples, top,
        keep=lambda p: not covered.themes(p),
    )  # fmt: skip
    for theme in coding.theme_ids:
        members = [rid for rid in phrases if int(codes.at[rid, theme]) == 1]
        result.by_theme[theme] = _ranked(
            [outside[rid].get(theme, phrases[rid]) for rid in members],
            everywhere, total, examples, top,
            keep=lambda p, t=theme: t not in covered.themes(p),
        )  # fmt: skip
    return result


def _matched_tokens(doc: Doc, classifier: ThemeClassifier) -> dict[str, set[int]]:
    """Per theme, the tokens of the doc that its terms matched (matches that count)."""
    matched: dict[str, set[int]] = {}
    for m in classifier.match_doc(doc, ""):
        if m.counts:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None:
                matched.setdefault(m.theme_id, set()).update(range(span.start, span.end))
    return matched


def _phrases(doc: Doc, nlp: Language, examples: dict[str, str]) -> list[tuple[str, int, int]]:
    """The 1-3 word lemma phrases of a doc (see module docstring) with their token spans,
    noting a first example sentence of each."""
    stop = nlp.Defaults.stop_words
    found: list[tuple[str, int, int]] = []
    for sentence in doc.sents:
        runs: list[list] = [[]]
        for token in sentence:  # punctuation breaks a phrase
            if token.is_punct or token.is_space:
                runs.append([])
            else:
                runs[-1].append(token)
        for run in runs:
            for size in range(1, MAX_WORDS + 1):
                for i in range(len(run) - size + 1):
                    first, last = run[i], run[i + size - 1]
                    if not (_content(first, stop) and _content(last, stop)):
                        continue
                    phrase = " ".join(t.lemma_ for t in run[i : i + size])
                    found.append((phrase, first.i, last.i + 1))
                    examples.setdefault(phrase, sentence.text.strip())
    return found


def _content(token, stop: set[str]) -> bool:  # noqa: ANN001 - a spaCy Token
    lemma = token.lemma_
    return len(lemma) > 2 and token.is_alpha and token.lower_ not in stop and lemma not in stop


def _ranked(
    groups: list[set[str]],
    everywhere: Counter[str],
    total: int,
    examples: dict[str, str],
    top: int,
    *,
    keep,  # noqa: ANN001 - phrase -> bool
) -> list[Suggestion]:
    """Phrases of a group of responses by support, that are markedly more common there."""
    if not groups or not total:
        return []
    counts = Counter(p for found in groups for p in found)
    size = len(groups)
    minimum = max(MIN_SUPPORT, math.ceil(0.02 * size))
    chosen: list[Suggestion] = []
    for phrase, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if count < minimum:
            break
        lift = (count / size) / (everywhere[phrase] / total)
        if lift < MIN_LIFT or not keep(phrase):
            continue
        chosen.append(Suggestion(phrase, count, round(lift, 2), examples.get(phrase, "")))
    chosen.sort(key=lambda s: (-s.responses * min(s.lift, 4.0), s.phrase))
    return _without_parts(chosen)[:top]


def _without_parts(suggestions: list[Suggestion]) -> list[Suggestion]:
    """Drop a phrase inside a longer suggested phrase found in as many responses."""
    kept: list[Suggestion] = []
    for s in suggestions:
        if any(
            f" {s.phrase} " in f" {other.phrase} " and other.responses >= s.responses
            for other in suggestions
            if other is not s and len(other.phrase) > len(s.phrase)
        ):
            continue
        kept.append(s)
    return kept


class _Coverage:
    """Which themes the dictionary would already code a phrase to (matching the phrase itself)."""

    def __init__(self, classifier: ThemeClassifier) -> None:
        self._classifier = classifier
        self._seen: dict[str, set[str]] = {}

    def themes(self, phrase: str) -> set[str]:
        if phrase not in self._seen:
            matches = self._classifier.match_doc(self._classifier.nlp(phrase), "")
            self._seen[phrase] = {m.theme_id for m in matches if m.counts}
        return self._seen[phrase]
