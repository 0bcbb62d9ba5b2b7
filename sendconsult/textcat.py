"""A trained text classifier beside the dictionary: loading it, scoring responses, suggestions.

Dictionaries are precise but miss paraphrases ("we had to send him 60 miles away" is a
placement). A classifier trained on officers' hand-coding (training.py) gives every response a
score per theme. Its codes are never mixed into the dictionary's: where the score reaches the
theme's suggestion threshold and the dictionary (and any officer override) did not code the
theme, it becomes a *suggestion*, listed apart and counted apart. Training chooses each theme's
suggestion threshold so that, in cross-validation, the dictionary with the suggestions is not
worse than the dictionary alone; a theme where no threshold helps gets no suggestions.

The model is a linear one: TF-IDF of word unigrams and bigrams (spaCy's tokenizer) and of
character 2- to 5-grams, with one logistic regression per theme (scikit-learn fits it). A
classifier folder holds `sendconsult_classifier.json` (themes, thresholds, what it was trained
on, its cross-validated scores) and `weights.npz` (vocabularies, IDF weights, coefficients):
plain arrays, loaded without pickle, so opening a classifier cannot run code.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from sendconsult.coding import Coding
from sendconsult.errors import ModelError
from sendconsult.nlp.pipeline import tokenizable
from sendconsult.survey import Survey

METADATA_FILE = "sendconsult_classifier.json"
WEIGHTS_FILE = "weights.npz"
METADATA_FORMAT = 2  # 1 was a spaCy textcat_multilabel pipeline
DEFAULT_THRESHOLD = 0.5
MAX_MODEL_CHARS = 100_000  # a response's text beyond this adds nothing to its theme scores
ANSWER_SEPARATOR = "\n\n"
CHAR_NGRAMS = (2, 5)


def model_text(answers: list[str]) -> str:
    """What the classifier reads for one response: its answers, joined, lower-cased."""
    return tokenizable(ANSWER_SEPARATOR.join(answers).lower()[:MAX_MODEL_CHARS])


def response_texts(survey: Survey) -> dict[str, str]:
    """Every response with free text, as the classifier reads it, in survey order."""
    texts: dict[str, str] = {}
    for rid in survey.responses["response_id"]:
        answers = list(survey.texts(rid).values())
        if answers:
            texts[rid] = model_text(answers)
    return texts


@functools.cache
def _tokenizer():  # noqa: ANN202 - spacy.tokenizer.Tokenizer
    import spacy

    return spacy.blank("en").tokenizer


def words(text: str) -> list[str]:
    """A text's word features: spaCy's tokens (no spaces) and each pair of neighbouring tokens."""
    tokens = [t.text for t in _tokenizer()(text) if not t.is_space]
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def _counter(vocabulary: list[str], kind: str):  # noqa: ANN202 - CountVectorizer
    from sklearn.feature_extraction.text import CountVectorizer

    index = {term: i for i, term in enumerate(vocabulary)}
    if kind == "word":
        return CountVectorizer(analyzer=words, vocabulary=index, dtype=np.float32)
    return CountVectorizer(
        analyzer="char_wb", ngram_range=CHAR_NGRAMS, vocabulary=index, dtype=np.float32
    )


@dataclass
class Features:
    """TF-IDF of word and character n-grams: each part's rows scaled to length 1, side by side.

    The vocabularies and IDF weights are chosen on the training texts (training.fit_features);
    the counting is scikit-learn's, with the vocabularies fixed.
    """

    word_vocabulary: list[str]
    word_idf: np.ndarray
    char_vocabulary: list[str]
    char_idf: np.ndarray

    @property
    def size(self) -> int:
        return len(self.word_vocabulary) + len(self.char_vocabulary)

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        from sklearn.preprocessing import normalize

        parts = []
        for kind, vocabulary, idf in (
            ("word", self.word_vocabulary, self.word_idf),
            ("char", self.char_vocabulary, self.char_idf),
        ):
            counts = _counter(vocabulary, kind).transform(texts).tocsr()
            counts.data = np.log(counts.data) + 1  # sublinear term frequency
            parts.append(normalize(counts.multiply(idf.astype(np.float32)).tocsr()))
        return sparse.hstack(parts, format="csr", dtype=np.float32)


@dataclass
class LinearThemeModel:
    """Features and one logistic regression per theme: a theme's score is its probability."""

    features: Features
    coef: np.ndarray  # themes x features
    intercept: np.ndarray  # themes

    def scores(self, texts: list[str]) -> np.ndarray:
        """Texts x themes, each between 0 and 1."""
        if not texts:
            return np.zeros((0, len(self.intercept)))
        return self.scores_of(self.features.transform(texts))

    def scores_of(self, matrix: sparse.csr_matrix) -> np.ndarray:
        """The scores of texts already turned into features."""
        margin = matrix @ self.coef.T.astype(np.float64)
        return 1 / (1 + np.exp(-(np.asarray(margin) + self.intercept)))

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            word_vocabulary=np.array(self.features.word_vocabulary, dtype=str),
            word_idf=self.features.word_idf.astype(np.float32),
            char_vocabulary=np.array(self.features.char_vocabulary, dtype=str),
            char_idf=self.features.char_idf.astype(np.float32),
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float64),
        )

    @classmethod
    def load(cls, path: Path) -> LinearThemeModel:
        with np.load(path, allow_pickle=False) as arrays:
            features = Features(
                arrays["word_vocabulary"].tolist(),
                arrays["word_idf"],
                arrays["char_vocabulary"].tolist(),
                arrays["char_idf"],
            )
            return cls(features, arrays["coef"], arrays["intercept"])


@dataclass(frozen=True)
class ClassifierInfo:
    """What `sendconsult_classifier.json` records about a trained classifier.

    `thresholds[theme]`: the score from which the classifier alone codes the theme (chosen for
    F1 in cross-validation; None where no threshold ever coded it right in cross-validation).
    `suggest_thresholds[theme]`: the score from which the theme is suggested beside the
    dictionary (None: never suggested, because no threshold helped the dictionary there).
    `scores` and `combined` are cross-validated, on the training file only.
    """

    themes: list[str]
    labels: dict[str, str] = field(default_factory=dict)
    thresholds: dict[str, float | None] = field(default_factory=dict)
    suggest_thresholds: dict[str, float | None] = field(default_factory=dict)
    at_least_one: bool = False  # the classifier alone codes its best theme when none passes
    model: str = "tfidf_logistic_regression"
    c: float = 1.0
    trained_on: str = ""
    export: str = ""
    data_sha256: str = ""
    dictionary: str = ""
    dictionary_sha256: str = ""
    n_train: int = 0
    folds: int = 0
    seed: int = 0
    created: str = ""
    sendconsult_version: str = ""
    sklearn_version: str = ""
    scores: dict[str, dict[str, float | int | None]] = field(default_factory=dict)
    micro: dict[str, float | int | None] = field(default_factory=dict)
    macro_f1: float | None = None
    combined: dict[str, dict[str, float | int | None]] = field(default_factory=dict)

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
        if data.get("format", 1) > METADATA_FORMAT:
            raise ModelError(
                f"{where} was written by a newer sendconsult; upgrade sendconsult to use it."
            )
        if data.get("format", 1) < METADATA_FORMAT:
            raise ModelError(
                f"{where.parent} was made by an older sendconsult (a spaCy pipeline); train it "
                "again with sendconsult train."
            )
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def never_predicted(self) -> list[str]:
        """Themes no threshold coded right in cross-validation: the classifier never codes them."""
        return [t for t in self.themes if self.thresholds.get(t) is None]


@dataclass
class ThemeModel:
    """A loaded classifier: its weights and what it knows."""

    path: Path
    info: ClassifierInfo
    weights: LinearThemeModel

    @property
    def name(self) -> str:
        return self.path.name

    def score_texts(
        self, texts: list[str], *, progress: Callable[[int], None] | None = None
    ) -> list[dict[str, float]]:
        """Each text's score per theme, between 0 and 1."""
        results: list[dict[str, float]] = []
        for start in range(0, len(texts), 1000):
            chunk = self.weights.scores(texts[start : start + 1000])
            results.extend(dict(zip(self.info.themes, map(float, row), strict=True)) for row in chunk)
            if progress is not None:
                progress(len(chunk))
        return results

    def score(
        self, survey: Survey, *, progress: Callable[[int], None] | None = None
    ) -> pd.DataFrame:
        """Scores of every response with free text: index response_id, one column per theme."""
        texts = response_texts(survey)
        scored = self.score_texts(list(texts.values()), progress=progress)
        frame = pd.DataFrame(scored, index=pd.Index(list(texts), name="response_id"))
        return frame.reindex(columns=self.info.themes).astype(float)

    def codes(self, scores: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
        """The classifier's own 0/1 codes: each theme's threshold, and its best theme where none
        passes if it was trained so (responses without text score nothing: 0)."""
        return model_codes(scores, self.info.thresholds, index, at_least_one=self.info.at_least_one)


def load_classifier(path: Path) -> ThemeModel:
    """Open a classifier folder made by `sendconsult train`; a bare name such as
    `send_strategy_classifier` also finds a classifier shipped in sendconsult's models folder."""
    if not path.exists() and len(path.parts) == 1:
        from sendconsult.resources import model_path

        shipped = model_path(path.name)
        if shipped.exists():
            path = shipped
    if not path.exists():
        raise ModelError(f"The classifier {path} was not found.", fix="classifier-missing")
    if not path.is_dir():
        raise ModelError(
            f"{path} is a file, not the folder sendconsult train wrote.", fix="classifier-file"
        )
    metadata = path / METADATA_FILE
    if not metadata.exists():
        raise ModelError(
            f"{path} has no {METADATA_FILE}, so it is not a classifier made by sendconsult "
            "train; train one with sendconsult train."
        )
    info = ClassifierInfo.from_json(metadata.read_text(encoding="utf-8"), metadata)
    try:
        weights = LinearThemeModel.load(path / WEIGHTS_FILE)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(
            f"The weights in {path} could not be loaded ({type(exc).__name__}); train "
            "the classifier again with sendconsult train."
        ) from exc
    if weights.coef.shape != (len(info.themes), weights.features.size):
        raise ModelError(
            f"The weights in {path} do not fit its {METADATA_FILE} ({len(info.themes)} themes); "
            "train the classifier again."
        )
    return ThemeModel(path, info, weights)


@dataclass
class Suggestions:
    """Themes the classifier suggests where the dictionary (and the officer) did not code them.

    `by_theme[theme][response_id]` is the model's score; `scores` holds every score;
    `thresholds[theme]` the score from which the theme is suggested (None: never). Suggested
    codes are never in `Coding.codes`: figures count the dictionary and officers only.
    """

    model_name: str
    thresholds: dict[str, float | None]
    info: ClassifierInfo
    scores: pd.DataFrame
    by_theme: dict[str, dict[str, float]]
    unknown_themes: list[str] = field(default_factory=list)  # dictionary themes it cannot score

    def of_response(self, response_id: str) -> dict[str, float]:
        return {t: s[response_id] for t, s in self.by_theme.items() if response_id in s}

    def threshold_text(self, theme: str) -> str:
        """How the theme is suggested, for the report: 'score 0.42 or more' or 'never'."""
        threshold = self.thresholds.get(theme)
        return "never" if threshold is None else f"score {threshold:.2f} or more"

    @property
    def silent_themes(self) -> list[str]:
        """Themes the classifier knows but never suggests (it did not help the dictionary)."""
        return [t for t, v in self.thresholds.items() if v is None]

    @property
    def n_codes(self) -> int:
        return sum(len(s) for s in self.by_theme.values())

    @property
    def n_responses(self) -> int:
        return len({rid for s in self.by_theme.values() for rid in s})


def suggest(
    coding: Coding, scores: pd.DataFrame, model: ThemeModel, threshold: float | None = None
) -> Suggestions:
    """The model-only codes: score at or above the theme's suggestion threshold (the one training
    chose, or `threshold` for every theme), not coded, and not set to 0 by an officer."""
    if threshold is not None and not 0 < threshold < 1:
        raise ModelError(
            f"The suggestion threshold {threshold} must be between 0 and 1 (e.g. 0.5)."
        )
    themes = [t for t in coding.theme_ids if t in scores.columns]
    thresholds = {
        t: threshold if threshold is not None else model.info.suggest_thresholds.get(t)
        for t in themes
    }
    by_theme: dict[str, dict[str, float]] = {}
    for theme in themes:
        if thresholds[theme] is None:
            by_theme[theme] = {}
            continue
        column = scores[theme]
        coded = coding.codes[theme].reindex(column.index).fillna(0).astype(int)
        candidates = column[(column >= thresholds[theme]) & (coded == 0)]
        by_theme[theme] = {
            rid: round(float(score), 4)
            for rid, score in candidates.items()
            if (rid, theme) not in coding.overridden
        }
    unknown = [t for t in coding.theme_ids if t not in scores.columns]
    return Suggestions(model.name, thresholds, model.info, scores, by_theme, unknown)


def stale_rules(model: ThemeModel, dictionary) -> list[str]:  # noqa: ANN001 - ThemeDictionary
    """A warning when the suggestion thresholds were learnt beside another dictionary (or
    another version of this one): they were chosen for that dictionary's codes."""
    info = model.info
    if not info.dictionary_sha256 or info.dictionary_sha256 == dictionary.sha256:
        return []
    return [
        f"The classifier {model.name} learnt when to suggest beside {info.dictionary or 'a'} "
        "dictionary other than this one (its SHA-256 differs); train it again with this "
        "dictionary so its suggestions are chosen for it."
    ]


def model_codes(
    scores: pd.DataFrame,
    thresholds: dict[str, float | None] | float,
    index: pd.Index,
    *,
    at_least_one: bool = False,
) -> pd.DataFrame:
    """0/1 codes from scores: a theme where its score reaches its threshold (None: never), and,
    with `at_least_one`, each response's best-scoring theme where none does. Responses without
    text (not in `scores`) get 0."""
    if not isinstance(thresholds, dict):
        thresholds = dict.fromkeys(scores.columns, thresholds)
    values = scores.to_numpy()
    limits = np.array(
        [np.inf if thresholds.get(t) is None else thresholds[t] for t in scores.columns]
    )
    coded = values >= limits
    if at_least_one and len(values):
        none = ~coded.any(axis=1)
        coded[np.flatnonzero(none), values[none].argmax(axis=1)] = True
    codes = pd.DataFrame(coded.astype(int), index=scores.index, columns=scores.columns)
    return codes.reindex(index).fillna(0).astype(int)
