"""Training a theme classifier from officers' hand-coding (`sendconsult train`).

The hand-coded file is the same one `evaluate` reads: `response_id` and one 0/1 column per theme
(a CSV, or a reviewed report whose Coding sheet holds the codes, overrides included). Its code
columns are the labels: no dictionary is needed. Each coded response's answers are joined
(textcat.model_text) and become one example.

Everything is chosen by cross-validation inside the coded file, never on what the classifier is
later scored on:

- the regularisation strength C, from a small grid, by the cross-validated micro-F1 plus
  macro-F1 that `train` reports;
- each theme's threshold, the one with the best F1 on the out-of-fold scores (class weights
  balance rare themes; a theme no threshold codes right is reported, not dropped);
- whether the classifier alone codes each response's best theme when none passes (only where
  every coded response has a theme, and only if it helps in cross-validation);
- with a dictionary, each theme's suggestion threshold: the one where the dictionary plus
  suggestions does best on the out-of-fold scores, kept only if it beats the dictionary alone
  there and is not worse in a nested check (thresholds chosen on the other folds). Otherwise the
  theme gets no suggestions.

The reported scores are nested: each fold is scored with thresholds chosen on the other folds.
The folds and liblinear's coordinate descent follow `seed`, so the same data and seed give the
same classifier.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

import sendconsult
from sendconsult.errors import GoldError, ModelError
from sendconsult.evaluate import Counts, counts_of, pooled
from sendconsult.survey import Survey
from sendconsult.textcat import (
    CHAR_NGRAMS,
    METADATA_FILE,
    WEIGHTS_FILE,
    ClassifierInfo,
    Features,
    LinearThemeModel,
    model_codes,
    model_text,
    words,
)

MIN_EXAMPLES = 10
MIN_POSITIVES = 3  # below this a theme is kept as a label but cannot really be learnt
MIN_THRESHOLD = 0.05  # a floor, so a rare theme's threshold cannot code nearly everything
NEVER = -30.0  # the intercept of a theme with no coded example: its score is about 0
NOTHING_CODED = Counts(0, 0, 0, 0)


@dataclass(frozen=True)
class CodedText:
    """One hand-coded response as the classifier learns from it."""

    response_id: str
    text: str
    cats: dict[str, int]


@dataclass(frozen=True)
class TrainingSettings:
    seed: int = 0
    folds: int = 5
    c_grid: tuple[float, ...] = (0.25, 1.0, 4.0, 16.0)
    max_word_features: int = 20_000
    max_char_features: int = 30_000
    min_df: int = 2


@dataclass
class TrainingData:
    """The examples and what could not be used, for the officer to see."""

    themes: list[str]
    examples: list[CodedText]
    missing_ids: list[str] = field(default_factory=list)  # coded, but not in the export
    without_text: list[str] = field(default_factory=list)  # in the export, but no free text
    rare_themes: dict[str, int] = field(default_factory=dict)  # theme -> positives, if few

    @property
    def sha256(self) -> str:
        """A hash of exactly what the classifier learns from (texts and codes)."""
        digest = hashlib.sha256()
        for example in sorted(self.examples, key=lambda e: e.response_id):
            record = [example.response_id, example.text, [example.cats[t] for t in self.themes]]
            digest.update(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        return digest.hexdigest()

    @property
    def texts(self) -> list[str]:
        return [e.text for e in self.examples]

    @property
    def truth(self) -> np.ndarray:
        """Responses x themes, 0/1."""
        return np.array([[e.cats[t] for t in self.themes] for e in self.examples], dtype=int)


def training_data(
    survey: Survey, gold: pd.DataFrame, themes: list[str] | None = None
) -> TrainingData:
    """Pair hand-coded responses with their answers in the export, in response-id order."""
    if themes is None:
        themes = list(gold.columns)
    themes = [t for t in themes if t in gold.columns]
    if not themes:
        raise GoldError(
            "The hand-coded file has no column named after a theme id of the dictionary; name "
            "its 0/1 columns after the theme ids."
        )
    known = set(survey.responses["response_id"])
    examples: list[CodedText] = []
    missing: list[str] = []
    without_text: list[str] = []
    for rid, row in zip(gold.index, gold[themes].itertuples(index=False), strict=True):
        if rid not in known:
            missing.append(rid)
            continue
        answers = list(survey.texts(rid).values())
        if not answers:
            without_text.append(rid)
            continue
        examples.append(
            CodedText(rid, model_text(answers), dict(zip(themes, map(int, row), strict=True)))
        )
    if len(examples) < MIN_EXAMPLES:
        raise GoldError(
            f"Only {len(examples)} hand-coded responses have free text in {survey.source.name}; "
            f"code at least {MIN_EXAMPLES} (a few hundred is better) and check the file comes "
            "from the same consultation."
        )
    examples.sort(key=lambda e: e.response_id)
    positives = {t: sum(e.cats[t] for e in examples) for t in themes}
    rare = {t: n for t, n in positives.items() if n < MIN_POSITIVES}
    return TrainingData(themes, examples, missing, without_text, rare)


# --- fitting -------------------------------------------------------------------------------


def fit_features(texts: list[str], settings: TrainingSettings) -> Features:
    """Vocabularies and IDF weights from the training texts (scikit-learn's TfidfVectorizer)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    def fitted(vectorizer: TfidfVectorizer) -> tuple[list[str], np.ndarray]:
        try:
            vectorizer.fit(texts)
        except ValueError:  # too few texts for min_df: every n-gram is rare
            vectorizer.set_params(min_df=1).fit(texts)
        order = sorted(vectorizer.vocabulary_.items(), key=lambda item: item[1])
        return [term for term, _ in order], vectorizer.idf_.astype(np.float32)

    common = {"sublinear_tf": True, "min_df": settings.min_df, "dtype": np.float32}
    word_vocabulary, word_idf = fitted(
        TfidfVectorizer(analyzer=words, max_features=settings.max_word_features, **common)
    )
    char_vocabulary, char_idf = fitted(
        TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=CHAR_NGRAMS,
            max_features=settings.max_char_features,
            **common,
        )
    )
    return Features(word_vocabulary, word_idf, char_vocabulary, char_idf)


def fit_model(
    texts: list[str], truth: np.ndarray, c: float, settings: TrainingSettings
) -> LinearThemeModel:
    """Features chosen on these texts only, and the weights over them."""
    features = fit_features(texts, settings)
    return fit_weights(features, features.transform(texts), truth, c, settings)


def fit_weights(
    features: Features,
    matrix: sparse.csr_matrix,
    truth: np.ndarray,
    c: float,
    settings: TrainingSettings,
) -> LinearThemeModel:
    """One logistic regression per theme (liblinear, class weights balanced so rare themes
    count) over the texts' features (`matrix`)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    coef = np.zeros((truth.shape[1], features.size), dtype=np.float32)
    intercept = np.full(truth.shape[1], NEVER)
    for j in range(truth.shape[1]):
        column = truth[:, j]
        if column.min() == column.max():  # all or nothing coded: nothing to learn
            intercept[j] = NEVER if column.max() == 0 else -NEVER
            continue
        model = LogisticRegression(
            C=c,
            solver="liblinear",
            dual=True,  # fewer texts than features: on the NHS data 15 times faster, same F1
            max_iter=1000,
            class_weight="balanced",
            random_state=settings.seed,
        )
        with warnings.catch_warnings():
            # At a large C liblinear may stop at max_iter short of its tolerance; the weights it
            # has are what cross-validation scores and chooses by, so the warning says nothing
            # the officer can act on.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(matrix, column)
        coef[j] = model.coef_[0]
        intercept[j] = model.intercept_[0]
    return LinearThemeModel(features, coef, intercept)


def fold_of(n: int, folds: int, seed: int) -> np.ndarray:
    """Each example's fold (0..folds-1): a seeded shuffle, dealt out in turn."""
    if not 2 <= folds <= n:
        raise ModelError(
            f"Cross-validation needs between 2 and {n} folds (one per coded response at most); "
            f"{folds} were asked for."
        )
    order = np.random.default_rng(seed).permutation(n)
    fold = np.empty(n, dtype=int)
    fold[order] = np.arange(n) % folds
    return fold


def out_of_fold_scores(
    texts: list[str],
    truth: np.ndarray,
    fold: np.ndarray,
    settings: TrainingSettings,
    step: Callable[[], None] | None = None,
) -> dict[float, np.ndarray]:
    """For each C of the grid, each example's scores from the model trained on the other folds
    (a fold's features are chosen once, on its training part, and serve every C)."""
    scores = {c: np.zeros(truth.shape) for c in settings.c_grid}
    for k in range(fold.max() + 1):
        held = fold == k
        train_texts = [t for t, h in zip(texts, held, strict=True) if not h]
        features = fit_features(train_texts, settings)
        matrix = features.transform(train_texts)
        held_matrix = features.transform([t for t, h in zip(texts, held, strict=True) if h])
        for c in settings.c_grid:
            model = fit_weights(features, matrix, truth[~held], c, settings)
            scores[c][held] = model.scores_of(held_matrix)
        if step is not None:
            step()
    return scores


# --- thresholds ----------------------------------------------------------------------------


def best_threshold(
    scores: np.ndarray, truth: np.ndarray, base: Counts = NOTHING_CODED
) -> tuple[float | None, float]:
    """The threshold with the best F1 of `base` plus the codes it adds, and that F1.

    `base` counts the responses already coded (by the dictionary, for suggestions); `scores`
    and `truth` are the other responses, the candidates. None when no threshold finds a right code. The threshold is
    half-way between the last score coded and the next, and never below MIN_THRESHOLD.
    """
    order = np.argsort(-scores, kind="stable")
    ranked, right = scores[order], truth[order] == 1
    tp = base.tp + np.cumsum(right)
    fp = base.fp + np.cumsum(~right)
    fn = base.fn + right.sum() - np.cumsum(right)
    f1 = 2 * tp / np.maximum(1, 2 * tp + fp + fn)
    cut = ranked >= MIN_THRESHOLD
    last_of_tie = np.append(ranked[1:] < ranked[:-1], True)  # a cut can't split equal scores
    usable = cut & last_of_tie & right.cumsum().astype(bool)
    if not usable.any():
        return None, base.f1 or 0.0
    best = int(np.flatnonzero(usable)[np.argmax(f1[usable])])
    below = ranked[best + 1] if best + 1 < len(ranked) else 0.0
    return max(MIN_THRESHOLD, float((ranked[best] + below) / 2)), float(f1[best])


def classifier_thresholds(scores: np.ndarray, truth: np.ndarray) -> list[float | None]:
    return [best_threshold(scores[:, j], truth[:, j])[0] for j in range(truth.shape[1])]


def suggestion_threshold(
    scores: np.ndarray, truth: np.ndarray, dictionary: np.ndarray
) -> float | None:
    """The score from which suggesting this theme (where the dictionary did not code it) makes
    the dictionary plus suggestions score a better F1 than the dictionary alone; None if none."""
    uncoded = dictionary == 0
    coded = counts_of(dictionary[~uncoded], truth[~uncoded])
    threshold, f1 = best_threshold(scores[uncoded], truth[uncoded], coded)
    if threshold is None or f1 <= (counts_of(dictionary, truth).f1 or 0.0) + 1e-9:
        return None
    return threshold


def _codes(scores: np.ndarray, thresholds: list[float | None], at_least_one: bool) -> np.ndarray:
    frame = pd.DataFrame(scores)
    limits = dict(enumerate(thresholds))
    return model_codes(frame, limits, frame.index, at_least_one=at_least_one).to_numpy()


def _suggested(scores: np.ndarray, rules: list[float | None], dictionary: np.ndarray) -> np.ndarray:
    limits = np.array([np.inf if r is None else r for r in rules])
    return ((dictionary == 1) | (scores >= limits)).astype(int)


@dataclass
class CrossValidated:
    """Nested cross-validated counts per theme: each fold coded with rules from the others."""

    classifier: list[Counts]
    dictionary: list[Counts] | None = None
    combined: list[Counts] | None = None

    @property
    def micro_f1(self) -> float:
        return pooled(self.classifier).f1 or 0.0

    @property
    def macro_f1(self) -> float:
        """Mean F1 over themes with coded examples (a theme never coded would be 0 or None)."""
        scores = [c.f1 or 0.0 for c in self.classifier if c.support]
        return sum(scores) / len(scores) if scores else 0.0


def nested_counts(
    scores: np.ndarray,
    truth: np.ndarray,
    fold: np.ndarray,
    at_least_one: bool,
    dictionary: np.ndarray | None = None,
) -> CrossValidated:
    """Score each fold with thresholds (and suggestion rules) chosen on the other folds."""
    codes = np.zeros_like(truth)
    combined = np.zeros_like(truth)
    for k in range(fold.max() + 1):
        held = fold == k
        thresholds = classifier_thresholds(scores[~held], truth[~held])
        codes[held] = _codes(scores[held], thresholds, at_least_one)
        if dictionary is not None:
            rules = [
                suggestion_threshold(scores[~held, j], truth[~held, j], dictionary[~held, j])
                for j in range(truth.shape[1])
            ]
            combined[held] = _suggested(scores[held], rules, dictionary[held])
    themes = range(truth.shape[1])
    result = CrossValidated([counts_of(codes[:, j], truth[:, j]) for j in themes])
    if dictionary is not None:
        result.dictionary = [counts_of(dictionary[:, j], truth[:, j]) for j in themes]
        result.combined = [counts_of(combined[:, j], truth[:, j]) for j in themes]
    return result


# --- the whole selection -------------------------------------------------------------------


@dataclass
class Selection:
    """What cross-validation chose, and how the choice scored."""

    c: float
    thresholds: list[float | None]
    at_least_one: bool
    suggest_thresholds: list[float | None]
    cross_validated: CrossValidated
    grid: dict[float, tuple[float, float]]  # C -> (micro-F1, macro-F1), nested


def select(
    texts: list[str],
    truth: np.ndarray,
    settings: TrainingSettings,
    dictionary: np.ndarray | None = None,
    step: Callable[[], None] | None = None,
) -> Selection:
    """Choose C, thresholds, at-least-one and suggestion rules by cross-validation."""
    fold = fold_of(len(texts), min(settings.folds, len(texts)), settings.seed)
    every_response_coded = bool(truth.any(axis=1).all())
    best: tuple[float, float, np.ndarray, bool, CrossValidated] | None = None
    grid: dict[float, tuple[float, float]] = {}
    for c, scores in out_of_fold_scores(texts, truth, fold, settings, step).items():
        options = (False, True) if every_response_coded else (False,)
        for at_least_one in options:
            cv = nested_counts(scores, truth, fold, at_least_one)
            goal = cv.micro_f1 + cv.macro_f1
            if best is None or goal > best[0] + 1e-12:
                best = (goal, c, scores, at_least_one, cv)
            grid[c] = max(grid.get(c, (0.0, 0.0)), (cv.micro_f1, cv.macro_f1), key=sum)
    assert best is not None
    _, c, scores, at_least_one, cv = best
    thresholds = classifier_thresholds(scores, truth)
    if dictionary is None:
        suggest_thresholds = list(thresholds)
    else:
        cv = nested_counts(scores, truth, fold, at_least_one, dictionary)
        suggest_thresholds = []
        for j in range(truth.shape[1]):
            rule = suggestion_threshold(scores[:, j], truth[:, j], dictionary[:, j])
            nested_ok = (cv.combined[j].f1 or 0.0) >= (cv.dictionary[j].f1 or 0.0)
            suggest_thresholds.append(rule if nested_ok else None)
    return Selection(c, thresholds, at_least_one, suggest_thresholds, cv, grid)


@dataclass
class TrainingResult:
    """A trained classifier and its cross-validated scores."""

    model: LinearThemeModel
    info: ClassifierInfo
    selection: Selection

    @property
    def per_theme(self) -> dict[str, Counts]:
        return dict(zip(self.info.themes, self.selection.cross_validated.classifier, strict=True))

    @property
    def micro(self) -> Counts:
        return pooled(self.per_theme.values())


def steps(settings: TrainingSettings, n: int) -> int:
    """How many steps `train` takes (for a progress bar): each fold, and the final fit."""
    return min(settings.folds, n) + 1


def train(
    data: TrainingData,
    settings: TrainingSettings = TrainingSettings(),
    *,
    dictionary_codes: pd.DataFrame | None = None,
    dictionary: tuple[str, str] = ("", ""),
    labels: dict[str, str] | None = None,
    trained_on: str = "",
    progress: Callable[[], None] | None = None,
) -> TrainingResult:
    """Select by cross-validation, then fit on every example; `progress()` after each fold and
    after the final fit.

    `dictionary_codes` (response_id x theme, 0/1) are the dictionary's codes of the examples,
    for learning when to suggest; `dictionary` is its (name, SHA-256), recorded.
    """
    from sklearn import __version__ as sklearn_version

    texts, truth = data.texts, data.truth
    known: list[str] | None = None
    dictionary_matrix: np.ndarray | None = None
    if dictionary_codes is not None:
        ids = [e.response_id for e in data.examples]
        frame = dictionary_codes.reindex(index=ids, columns=data.themes)
        known = [t for t in data.themes if t in dictionary_codes.columns]
        dictionary_matrix = frame.fillna(0).astype(int).to_numpy()
    selection = select(
        texts, truth, settings, dictionary_matrix if known else None, step=progress
    )
    if known is not None:  # themes the dictionary lacks: its codes there are not a baseline
        selection.suggest_thresholds = [
            rule if theme in known else threshold
            for theme, rule, threshold in zip(
                data.themes, selection.suggest_thresholds, selection.thresholds, strict=True
            )
        ]
    model = fit_model(texts, truth, selection.c, settings)
    if progress is not None:
        progress()
    cv = selection.cross_validated
    combined = {}
    if cv.combined is not None and cv.dictionary is not None:
        for theme, before, after in zip(data.themes, cv.dictionary, cv.combined, strict=True):
            combined[theme] = {
                "dictionary": _scores_of(before),
                "with_suggestions": _scores_of(after),
            }
    info = ClassifierInfo(
        themes=list(data.themes),
        labels=dict(labels or {}),
        thresholds=_rounded(data.themes, selection.thresholds),
        suggest_thresholds=_rounded(data.themes, selection.suggest_thresholds),
        at_least_one=selection.at_least_one,
        c=selection.c,
        trained_on=trained_on,
        data_sha256=data.sha256,
        dictionary=dictionary[0] if known else "",
        dictionary_sha256=dictionary[1] if known else "",
        n_train=len(texts),
        folds=min(settings.folds, len(texts)),
        seed=settings.seed,
        created=date.today().isoformat(),
        sendconsult_version=sendconsult.__version__,
        sklearn_version=sklearn_version,
        scores={t: _scores_of(c) for t, c in zip(data.themes, cv.classifier, strict=True)},
        micro=_scores_of(pooled(cv.classifier)),
        macro_f1=round(cv.macro_f1, 4),
        combined=combined,
    )
    return TrainingResult(model, info, selection)


def _rounded(themes: list[str], values: list[float | None]) -> dict[str, float | None]:
    """Thresholds as stored: rounded so the JSON reads plainly; the scores they are compared
    with are not rounded, so a rounded threshold moves no decision by more than 5e-5."""
    return {t: None if v is None else round(v, 4) for t, v in zip(themes, values, strict=True)}


def _scores_of(counts: Counts) -> dict[str, float | int | None]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return {
        "precision": rounded(counts.precision),
        "recall": rounded(counts.recall),
        "f1": rounded(counts.f1),
        "support": counts.support,
    }


def _as_normally_made(folder: Path) -> None:
    """Give a temporary folder the permissions of one made normally (mkdtemp's are owner-only),
    so colleagues sharing the models folder can use the classifier."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)


def save_classifier(result: TrainingResult, out: Path, *, export: str, force: bool) -> None:
    """Write the classifier folder (weights and metadata); all or nothing, never half a folder."""
    if out.exists() and not force:
        raise ModelError(f"{out} already exists.", fix="model-exists")
    if out.exists() and not out.is_dir():
        raise ModelError(f"{out} is a file.", fix="model-is-file")
    if out.exists() and any(out.iterdir()) and not (out / METADATA_FILE).exists():
        raise ModelError(
            f"{out} is a folder that does not hold a sendconsult classifier.", fix="model-foreign"
        )
    if not out.parent.exists():
        raise ModelError(
            f"The folder {out.parent} does not exist.", fix="output-folder", folder=str(out.parent)
        )
    info = dataclasses.replace(result.info, export=export)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        _as_normally_made(staging)
        result.model.save(staging / WEIGHTS_FILE)
        (staging / METADATA_FILE).write_text(info.to_json(), encoding="utf-8")
        if out.exists():
            previous = out.with_name(f".{out.name}-previous")
            shutil.rmtree(previous, ignore_errors=True)
            out.rename(previous)
            staging.rename(out)
            shutil.rmtree(previous, ignore_errors=True)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.info = info


@dataclass
class CrossValidation:
    """A hand-coded file scored by K-fold cross-validation: each fold by a classifier trained
    (with its own inner selection) on the other folds. Counts per theme."""

    themes: list[str]
    n_responses: int
    classifier: dict[str, Counts]
    dictionary: dict[str, Counts] | None = None
    combined: dict[str, Counts] | None = None


def cross_validate(
    data: TrainingData,
    k: int,
    settings: TrainingSettings = TrainingSettings(),
    *,
    dictionary_codes: pd.DataFrame | None = None,
    progress: Callable[[], None] | None = None,
) -> CrossValidation:
    """Score the dictionary, the classifier alone and the dictionary with suggestions on every
    response, each by the classifier that did not see it; `progress()` after each fold."""
    fold = fold_of(len(data.examples), k, settings.seed)
    ids = [e.response_id for e in data.examples]
    truth = data.truth
    shared: list[str] = []
    if dictionary_codes is not None:
        shared = [t for t in data.themes if t in dictionary_codes.columns]
    dictionary = (
        dictionary_codes.reindex(index=ids, columns=shared).fillna(0).astype(int)
        if shared
        else None
    )
    codes = np.zeros_like(truth)
    combined = np.zeros_like(truth)
    for j in range(k):
        held = fold == j
        part = TrainingData(data.themes, [e for e, h in zip(data.examples, held, strict=True) if not h])
        result = train(part, settings, dictionary_codes=dictionary)
        held_ids = [i for i, h in zip(ids, held, strict=True) if h]
        scores = pd.DataFrame(
            result.model.scores([e.text for e, h in zip(data.examples, held, strict=True) if h]),
            index=held_ids,
            columns=data.themes,
        )
        info = result.info
        codes[held] = model_codes(
            scores, info.thresholds, scores.index, at_least_one=info.at_least_one
        ).to_numpy()
        if dictionary is not None:
            rules = [info.suggest_thresholds[t] if t in shared else None for t in data.themes]
            base = dictionary.reindex(index=held_ids, columns=data.themes).fillna(0).to_numpy()
            combined[held] = _suggested(scores.to_numpy(), rules, base)
        if progress is not None:
            progress()
    per_theme = {t: counts_of(codes[:, i], truth[:, i]) for i, t in enumerate(data.themes)}
    result_cv = CrossValidation(list(data.themes), len(ids), per_theme)
    if dictionary is not None:
        index = {t: i for i, t in enumerate(data.themes)}
        result_cv.dictionary = {
            t: counts_of(dictionary[t].to_numpy(), truth[:, index[t]]) for t in shared
        }
        result_cv.combined = {t: counts_of(combined[:, index[t]], truth[:, index[t]]) for t in shared}
    return result_cv
