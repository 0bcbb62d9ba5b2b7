"""A trained text classifier beside the dictionary: loading it, scoring responses, suggestions.

Dictionaries are precise but miss paraphrases ("we had to send him 60 miles away" is a
placement). A spaCy `textcat_multilabel` pipeline trained on officers' hand-coding
(training.py) gives every response a score per theme. Its codes are never mixed into the
dictionary's: a theme the model scores at or above the threshold, where the dictionary (and any
officer override) did not code it, becomes a *suggestion*, listed apart and counted apart.

A classifier is a normal spaCy pipeline folder (`spacy.load` opens it) with one more file,
`sendconsult_classifier.json`, saying which themes it knows, what it was trained on and how it
scored on its held-out split.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import spacy
from spacy.language import Language

from sendconsult.coding import Coding
from sendconsult.errors import ModelError
from sendconsult.nlp import tokenizable
from sendconsult.survey import Survey

METADATA_FILE = "sendconsult_classifier.json"
METADATA_FORMAT = 1
TEXTCAT_PIPE = "textcat_multilabel"
DEFAULT_THRESHOLD = 0.5
MAX_MODEL_CHARS = 100_000  # a response's text beyond this adds nothing to its theme scores
ANSWER_SEPARATOR = "\n\n"


def model_text(answers: list[str]) -> str:
    """What the classifier reads for one response: its answers, joined, lower-cased.

    Lower-cased because the bag-of-words features are the words as written: "Respite" and
    "respite" should be one feature when a few hundred examples are all there is to learn from.
    """
    return tokenizable(ANSWER_SEPARATOR.join(answers).lower()[:MAX_MODEL_CHARS])


def response_texts(survey: Survey) -> dict[str, str]:
    """Every response with free text, as the classifier reads it, in survey order."""
    texts: dict[str, str] = {}
    for rid in survey.responses["response_id"]:
        answers = list(survey.texts(rid).values())
        if answers:
            texts[rid] = model_text(answers)
    return texts


@dataclass(frozen=True)
class ClassifierInfo:
    """What `sendconsult_classifier.json` records about a trained classifier."""

    themes: list[str]
    threshold: float = DEFAULT_THRESHOLD
    trained_on: str = ""
    export: str = ""
    data_sha256: str = ""
    n_train: int = 0
    n_validation: int = 0
    seed: int = 0
    epochs: int = 0
    best_epoch: int = 0
    created: str = ""
    sendconsult_version: str = ""
    spacy_version: str = ""
    scores: dict[str, dict[str, float | int | None]] = field(default_factory=dict)
    micro: dict[str, float | int | None] = field(default_factory=dict)

    def to_json(self) -> str:
        data = {"format": METADATA_FORMAT, **self.__dict__}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, where: Path) -> ClassifierInfo:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelError(
                f"{where} is damaged (not JSON, line {exc.lineno}); train the classifier again "
                "with sendconsult train."
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
            raise ModelError(
                f"{where} does not list the classifier's themes; train it again with "
                "sendconsult train."
            )
        if data.get("format", METADATA_FORMAT) > METADATA_FORMAT:
            raise ModelError(
                f"{where} was written by a newer sendconsult; upgrade sendconsult to use it."
            )
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class ThemeModel:
    """A loaded classifier: its spaCy pipeline and what it knows."""

    path: Path
    nlp: Language
    info: ClassifierInfo

    @property
    def name(self) -> str:
        return self.path.name

    def threshold_or_own(self, threshold: float | None) -> float:
        """The score from which a theme is suggested: the officer's, else the classifier's."""
        return self.info.threshold if threshold is None else threshold

    def score_texts(
        self, texts: list[str], *, progress: Callable[[int], None] | None = None
    ) -> list[dict[str, float]]:
        """Each text's score per theme, between 0 and 1."""
        results: list[dict[str, float]] = []
        for doc in self.nlp.pipe(texts, batch_size=256):
            results.append({t: float(doc.cats.get(t, 0.0)) for t in self.info.themes})
            if progress is not None:
                progress(1)
        return results

    def score(
        self, survey: Survey, *, progress: Callable[[int], None] | None = None
    ) -> pd.DataFrame:
        """Scores of every response with free text: index response_id, one column per theme."""
        texts = response_texts(survey)
        scored = self.score_texts(list(texts.values()), progress=progress)
        frame = pd.DataFrame(scored, index=pd.Index(list(texts), name="response_id"))
        return frame.reindex(columns=self.info.themes).astype(float)


def load_classifier(path: Path) -> ThemeModel:
    """Open a classifier folder made by `sendconsult train`; a bare name such as
    `send_strategy_textcat` also finds a classifier shipped in sendconsult's models folder."""
    if not path.exists() and len(path.parts) == 1:
        from sendconsult.resources import model_path

        shipped = model_path(path.name)
        if shipped.exists():
            path = shipped
    if not path.exists():
        raise ModelError(
            f"The classifier {path} was not found; give the folder sendconsult train wrote "
            "(--out), e.g. models/send_strategy_textcat."
        )
    if not path.is_dir():
        raise ModelError(
            f"{path} is a file; --classifier takes the folder sendconsult train wrote."
        )
    metadata = path / METADATA_FILE
    if not metadata.exists():
        raise ModelError(
            f"{path} has no {METADATA_FILE}, so it is not a classifier made by sendconsult "
            "train; train one with sendconsult train."
        )
    info = ClassifierInfo.from_json(metadata.read_text(encoding="utf-8"), metadata)
    try:
        nlp = spacy.load(path)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(
            f"The spaCy pipeline in {path} could not be loaded ({type(exc).__name__}); train "
            "the classifier again with sendconsult train."
        ) from exc
    if not nlp.has_pipe(TEXTCAT_PIPE):
        raise ModelError(
            f"The pipeline in {path} has no {TEXTCAT_PIPE} component; train it with "
            "sendconsult train."
        )
    labels = set(nlp.get_pipe(TEXTCAT_PIPE).labels)
    missing = [t for t in info.themes if t not in labels]
    if missing:
        raise ModelError(
            f"{metadata.name} in {path} names themes the pipeline does not predict "
            f"({', '.join(missing)}); train the classifier again."
        )
    return ThemeModel(path, nlp, info)


@dataclass
class Suggestions:
    """Themes the classifier suggests where the dictionary (and the officer) did not code them.

    `by_theme[theme][response_id]` is the model's score; `scores` holds every score. Suggested
    codes are never in `Coding.codes`: figures count the dictionary and officers only.
    """

    model_name: str
    threshold: float
    info: ClassifierInfo
    scores: pd.DataFrame
    by_theme: dict[str, dict[str, float]]
    unknown_themes: list[str] = field(default_factory=list)  # dictionary themes it cannot score

    def of_response(self, response_id: str) -> dict[str, float]:
        return {t: s[response_id] for t, s in self.by_theme.items() if response_id in s}

    @property
    def n_codes(self) -> int:
        return sum(len(s) for s in self.by_theme.values())

    @property
    def n_responses(self) -> int:
        return len({rid for s in self.by_theme.values() for rid in s})


def suggest(
    coding: Coding, scores: pd.DataFrame, threshold: float, model: ThemeModel
) -> Suggestions:
    """The model-only codes: score >= threshold, not coded, and not set to 0 by an officer."""
    if not 0 < threshold < 1:
        raise ModelError(
            f"The suggestion threshold {threshold} must be between 0 and 1 (e.g. 0.5)."
        )
    themes = [t for t in coding.theme_ids if t in scores.columns]
    by_theme: dict[str, dict[str, float]] = {}
    for theme in themes:
        column = scores[theme]
        coded = coding.codes[theme].reindex(column.index).fillna(0).astype(int)
        candidates = column[(column >= threshold) & (coded == 0)]
        by_theme[theme] = {
            rid: round(float(score), 4)
            for rid, score in candidates.items()
            if (rid, theme) not in coding.overridden
        }
    unknown = [t for t in coding.theme_ids if t not in scores.columns]
    return Suggestions(model.name, threshold, model.info, scores, by_theme, unknown)


def model_codes(scores: pd.DataFrame, threshold: float, index: pd.Index) -> pd.DataFrame:
    """The model's own 0/1 codes for `index` (responses without text score nothing: 0)."""
    codes = (scores >= threshold).astype(int)
    return codes.reindex(index).fillna(0).astype(int)
