"""Training a theme classifier from officers' hand-coding (`sendconsult train`).

The hand-coded file is the same one `evaluate` reads: `response_id` and one 0/1 column per theme
(a CSV, or a reviewed report whose Coding sheet holds the codes, overrides included). Each coded
response's answers are joined (textcat.model_text) and become one training example. A fixed
share is held out; training stops when the loss on the held-out responses has not improved for
`patience` epochs, and the best epoch's weights are kept. Everything random (split, shuffling, weight
initialisation) follows `seed`, so the same data and seed give the same classifier.

The model is spaCy's `textcat_multilabel` (MODEL_CONFIG): on a laptop it trains on a few hundred
examples in seconds and is a few megabytes on disk.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import random
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch
from thinc.api import Adam

import sendconsult
from sendconsult.errors import GoldError, ModelError
from sendconsult.evaluate import Counts, pooled
from sendconsult.survey import Survey
from sendconsult.textcat import (
    DEFAULT_THRESHOLD,
    METADATA_FILE,
    TEXTCAT_PIPE,
    ClassifierInfo,
    model_text,
)

MIN_EXAMPLES = 10
MIN_POSITIVES = 3  # below this a theme is kept as a label but cannot really be learnt
# spaCy's own default for textcat_multilabel (a bag of words beside a small CNN over word
# features: NORM, LOWER, PREFIX, SUFFIX, SHAPE), with a smaller hash table for the bag of words.
# The CNN's prefix/suffix/shape features let it generalise past the exact words of a few hundred
# examples (on the sample's held-out file it beat the bag of words alone); it is a few MB.
MODEL_CONFIG = {
    "@architectures": "spacy.TextCatEnsemble.v2",
    "tok2vec": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {
            "@architectures": "spacy.MultiHashEmbed.v2",
            "width": 64,
            "rows": [2000, 2000, 500, 1000, 500],
            "attrs": ["NORM", "LOWER", "PREFIX", "SUFFIX", "SHAPE"],
            "include_static_vectors": False,
        },
        "encode": {
            "@architectures": "spacy.MaxoutWindowEncoder.v2",
            "width": 64,
            "window_size": 1,
            "maxout_pieces": 3,
            "depth": 2,
        },
    },
    "linear_model": {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": False,
        "length": 2**16,
        "ngram_size": 1,
        "no_output_layer": False,
    },
}


@dataclass(frozen=True)
class CodedText:
    """One hand-coded response as the classifier learns from it."""

    response_id: str
    text: str
    cats: dict[str, int]


@dataclass(frozen=True)
class TrainingSettings:
    seed: int = 0
    validation_share: float = 0.2
    max_epochs: int = 40
    patience: int = 8
    dropout: float = 0.2
    batch_size: int = 8
    learn_rate: float = 0.003
    min_epochs: int = 8  # the scores of the first epochs are too noisy to stop on
    threshold: float = DEFAULT_THRESHOLD


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


def training_data(
    survey: Survey, gold: pd.DataFrame, themes: list[str] | None = None
) -> TrainingData:
    """Pair hand-coded responses with their answers in the export."""
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
    positives = {t: sum(e.cats[t] for e in examples) for t in themes}
    rare = {t: n for t, n in positives.items() if n < MIN_POSITIVES}
    return TrainingData(themes, examples, missing, without_text, rare)


@dataclass
class TrainingResult:
    """A trained pipeline and how it scored on the held-out split."""

    nlp: Language
    info: ClassifierInfo
    per_theme: dict[str, Counts]
    validation_ids: list[str]

    @property
    def micro(self) -> Counts:
        return pooled(self.per_theme.values())


def split(examples: list[CodedText], share: float, seed: int) -> tuple[list, list]:
    """A seeded shuffle, then the last `share` held out (at least one, never all)."""
    if not 0 < share < 1:
        raise ModelError(f"The held-out share {share} must be between 0 and 1 (e.g. 0.2).")
    order = sorted(examples, key=lambda e: e.response_id)
    random.Random(seed).shuffle(order)
    n_held = min(len(order) - 1, max(1, round(len(order) * share)))
    return order[:-n_held], order[-n_held:]


def new_pipeline(themes: list[str]) -> Language:
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe(TEXTCAT_PIPE, config={"model": MODEL_CONFIG, "threshold": 0.5})
    for theme in themes:
        textcat.add_label(theme)
    return nlp


def train(
    data: TrainingData,
    settings: TrainingSettings = TrainingSettings(),
    *,
    trained_on: str = "",
    progress: Callable[[int, float], None] | None = None,
) -> TrainingResult:
    """Train with early stopping on the held-out split; `progress(epoch, micro_f1)` per epoch."""
    fix_random_seed(settings.seed)
    shuffler = random.Random(settings.seed)
    train_set, held_out = split(data.examples, settings.validation_share, settings.seed)
    nlp = new_pipeline(data.themes)
    train_examples = [_example(nlp, e, data.themes) for e in train_set]
    nlp.initialize(lambda: train_examples)
    optimizer = Adam(settings.learn_rate)
    best_loss, best_epoch, best_bytes = math.inf, 0, nlp.to_bytes()
    epochs = 0
    for epoch in range(1, settings.max_epochs + 1):
        epochs = epoch
        shuffler.shuffle(train_examples)
        losses: dict[str, float] = {}
        for batch in minibatch(train_examples, size=settings.batch_size):
            nlp.update(batch, sgd=optimizer, drop=settings.dropout, losses=losses)
        loss, per_theme = _validate(nlp, held_out, data.themes, settings.threshold)
        if progress is not None:
            progress(epoch, pooled(per_theme.values()).f1 or 0.0)
        if loss < best_loss:
            best_loss, best_epoch, best_bytes = loss, epoch, nlp.to_bytes()
        elif epoch >= settings.min_epochs and epoch - best_epoch >= settings.patience:
            break
    nlp.from_bytes(best_bytes)
    _, per_theme = _validate(nlp, held_out, data.themes, settings.threshold)
    micro = pooled(per_theme.values())
    nlp.meta["name"] = "sendconsult_textcat"
    nlp.meta["description"] = "Theme classifier trained by sendconsult train"
    info = ClassifierInfo(
        themes=list(data.themes),
        threshold=settings.threshold,
        trained_on=trained_on,
        export="",
        data_sha256=data.sha256,
        n_train=len(train_set),
        n_validation=len(held_out),
        seed=settings.seed,
        epochs=epochs,
        best_epoch=best_epoch,
        created=date.today().isoformat(),
        sendconsult_version=sendconsult.__version__,
        spacy_version=spacy.__version__,
        scores={t: _scores_of(c) for t, c in per_theme.items()},
        micro=_scores_of(micro),
    )
    return TrainingResult(nlp, info, per_theme, [e.response_id for e in held_out])


def _as_normally_made(folder: Path) -> None:
    """Give a temporary folder the permissions of one made normally (mkdtemp's are owner-only),
    so colleagues sharing the models folder can use the classifier."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)


def _example(nlp: Language, coded: CodedText, themes: list[str]) -> Example:
    cats = {t: float(coded.cats[t]) for t in themes}
    return Example.from_dict(nlp.make_doc(coded.text), {"cats": cats})


def _validate(
    nlp: Language, examples: list[CodedText], themes: list[str], threshold: float
) -> tuple[float, dict[str, Counts]]:
    """Mean log loss over every (response, theme) of the held-out split, and counts per theme.

    Training stops on the loss: on a held-out split of a few dozen responses, F1 jumps by whole
    responses from one epoch to the next, the loss moves smoothly.
    """
    docs = list(nlp.pipe([e.text for e in examples], batch_size=64))
    counts: dict[str, Counts] = {}
    total = 0.0
    for theme in themes:
        tp = fp = fn = tn = 0
        for doc, example in zip(docs, examples, strict=True):
            score = min(max(doc.cats[theme], 1e-7), 1 - 1e-7)
            truth = example.cats[theme] == 1
            total -= math.log(score if truth else 1 - score)
            predicted = score >= threshold
            tp += predicted and truth
            fp += predicted and not truth
            fn += truth and not predicted
            tn += not predicted and not truth
        counts[theme] = Counts(tp, fp, fn, tn)
    return total / max(1, len(examples) * len(themes)), counts


def _scores_of(counts: Counts) -> dict[str, float | int | None]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return {
        "precision": rounded(counts.precision),
        "recall": rounded(counts.recall),
        "f1": rounded(counts.f1),
        "support": counts.support,
    }


def save_classifier(result: TrainingResult, out: Path, *, export: str, force: bool) -> None:
    """Write the pipeline folder and its metadata; all or nothing, never half a folder."""
    if out.exists() and not force:
        raise ModelError(
            f"{out} already exists; add --force to replace it, or choose another --out."
        )
    if out.exists() and not out.is_dir():
        raise ModelError(f"{out} is a file; choose a folder name for --out.")
    if out.exists() and any(out.iterdir()) and not (out / METADATA_FILE).exists():
        raise ModelError(
            f"{out} is a folder that does not hold a sendconsult classifier; choose another --out "
            "so nothing in it is lost."
        )
    if not out.parent.exists():
        raise ModelError(
            f"The folder {out.parent} does not exist; create it or choose another --out."
        )
    info = dataclasses.replace(result.info, export=export)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        _as_normally_made(staging)
        result.nlp.to_disk(staging)
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
