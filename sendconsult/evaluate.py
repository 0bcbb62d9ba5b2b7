"""Measuring the dictionary against officers' hand-coding (a "gold" file).

The gold file has a `response_id` column and one 0/1 column per theme id (the same layout as a
report's Coding sheet, so a reviewed report can be used directly). Scores are per theme
(precision, recall, F1, support, Cohen's kappa), micro and macro F1, and a pooled kappa over
every (response, theme) decision. False positives and negatives are listed with the evidence,
so an officer can see which term to change.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sendconsult.coding import Coding, Match
from sendconsult.errors import GoldError
from sendconsult.textcat import ThemeModel, model_codes, suggest

TRUE_VALUES = {"1", "1.0", "yes", "y", "true", "x"}
FALSE_VALUES = {"0", "0.0", "no", "n", "false", ""}
# Columns of a gold file (or a report's Coding sheet) that are never themes, even when empty.
NOT_THEMES = {
    "themes", "campaign", "groups", "respondent groups", "respondent_groups", "notes",
    "matched_terms", "overrides", "suggested",
}  # fmt: skip


@dataclass(frozen=True)
class Counts:
    """A 2x2 table of one binary decision against the gold standard."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa: agreement beyond what chance would give."""
        n = self.tp + self.fp + self.fn + self.tn
        if n == 0:
            return None
        observed = (self.tp + self.tn) / n
        p_yes = ((self.tp + self.fp) / n) * ((self.tp + self.fn) / n)
        p_no = ((self.fn + self.tn) / n) * ((self.fp + self.tn) / n)
        expected = p_yes + p_no
        if expected == 1:
            return 1.0 if observed == 1 else None
        return (observed - expected) / (1 - expected)

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn
        )


def pooled(tables: Iterable[Counts]) -> Counts:
    """Many 2x2 tables added into one: micro averages and pooled kappa are computed on it."""
    return sum(tables, Counts(0, 0, 0, 0))


def counts_of(predicted: np.ndarray, truth: np.ndarray) -> Counts:
    """The 2x2 table of one theme's decisions against the gold ones (1 or True = coded)."""
    p, g = predicted.astype(bool), truth == 1
    return Counts(
        int((p & g).sum()), int((p & ~g).sum()), int((~p & g).sum()), int((~p & ~g).sum())
    )


@dataclass(frozen=True)
class Disagreement:
    """A response where the dictionary and the gold coding differ on one theme."""

    response_id: str
    theme_id: str
    kind: str  # "false positive" (dictionary coded, gold did not) or "false negative"
    evidence: tuple[Match, ...] = ()


@dataclass
class Evaluation:
    """Scores of one coding against a gold file."""

    theme_ids: list[str]
    per_theme: dict[str, Counts]
    n_responses: int
    disagreements: list[Disagreement] = field(default_factory=list)
    missing_ids: list[str] = field(default_factory=list)
    skipped_themes: list[str] = field(default_factory=list)

    @property
    def micro(self) -> Counts:
        return pooled(self.per_theme.values())

    @property
    def macro_f1(self) -> float | None:
        scores = [c.f1 for c in self.per_theme.values() if c.f1 is not None]
        return sum(scores) / len(scores) if scores else None


def load_gold(path: Path) -> pd.DataFrame:
    """Read a gold file (CSV or a report's Coding sheet) into 0/1 ints indexed by response_id."""
    if not path.exists():
        raise GoldError(f"Hand-coded file {path} was not found; check the path.", fix="gold-path")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        frame = _read_gold_xlsx(path)
    else:
        frame = _read_gold_csv(path)
    columns = {c.strip().lower(): c for c in frame.columns}
    if "response_id" not in columns:
        raise GoldError(
            f"{path.name} has no 'response_id' column; the first column must be headed "
            "response_id, then one 0/1 column per theme id."
        )
    frame = frame.rename(columns={columns["response_id"]: "response_id"})
    frame["response_id"] = frame["response_id"].astype(str).str.strip()
    frame = frame[frame["response_id"] != ""]
    duplicated = frame["response_id"][frame["response_id"].duplicated()].tolist()
    if duplicated:
        raise GoldError(
            f"{path.name} codes response {duplicated[0]} more than once; keep one row per response."
        )
    frame = frame.set_index("response_id")
    parsed: dict[str, list[int]] = {}
    for column in frame.columns:
        if column.strip().lower() in NOT_THEMES:
            continue
        values = [str(v).strip().lower() for v in frame[column].fillna("")]
        if not all(v in TRUE_VALUES | FALSE_VALUES for v in values):
            continue  # a text column such as groups: not a theme
        for row_number, value in enumerate(values, start=2):
            if value not in TRUE_VALUES | FALSE_VALUES:  # pragma: no cover - filtered above
                raise GoldError(f"{path.name} row {row_number}, column {column}: use 1 or 0.")
        parsed[column.strip()] = [1 if v in TRUE_VALUES else 0 for v in values]
    if not parsed:
        raise GoldError(
            f"{path.name} has no 0/1 theme columns; add one column per theme id holding 1 or 0."
        )
    return pd.DataFrame(parsed, index=frame.index)


def _read_gold_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise GoldError(f"{path.name} is not a text CSV file; save it as CSV UTF-8 and try again.")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise GoldError(
            f"{path.name} could not be read as CSV ({exc}); save it from Excel as CSV UTF-8."
        ) from exc


def _read_gold_xlsx(path: Path) -> pd.DataFrame:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same problem
        raise GoldError(f"{path.name} could not be opened as an Excel workbook ({exc}).") from exc
    sheet = workbook["Coding"] if "Coding" in workbook.sheetnames else workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    workbook.close()
    header_index = next(
        (
            i
            for i, row in enumerate(rows)
            if row and any(str(c).strip() == "response_id" for c in row if c is not None)
        ),
        None,
    )
    if header_index is None:
        raise GoldError(f"{path.name} has no 'response_id' header in its Coding sheet.")
    header = [str(c).strip() if c is not None else "" for c in rows[header_index]]
    body = [["" if c is None else str(c) for c in row] for row in rows[header_index + 1 :]]
    return pd.DataFrame(body, columns=header).loc[:, lambda f: [c for c in f.columns if c]]


def evaluate(coding: Coding, gold: pd.DataFrame) -> Evaluation:
    """Compare a coding with gold codes, on the responses and themes both have."""
    themes = [t for t in coding.theme_ids if t in gold.columns]
    if not themes:
        raise GoldError(
            "The hand-coded file has no column named after any theme id of the dictionary "
            f"({', '.join(coding.theme_ids)}); rename its columns to the theme ids."
        )
    present = [rid for rid in gold.index if rid in coding.codes.index]
    missing = [rid for rid in gold.index if rid not in coding.codes.index]
    if not present:
        raise GoldError(
            "None of the response IDs in the hand-coded file are in the export; check that they "
            "come from the same consultation."
        )
    predicted = coding.codes.loc[present, themes]
    truth = gold.loc[present, themes]
    per_theme: dict[str, Counts] = {}
    disagreements: list[Disagreement] = []
    for theme in themes:
        p = predicted[theme].to_numpy() == 1
        g = truth[theme].to_numpy() == 1
        per_theme[theme] = counts_of(p, g)
        for rid, is_p, is_g in zip(present, p, g, strict=True):
            if is_p and not is_g:
                evidence = tuple(coding.evidence(rid, theme))
                disagreements.append(Disagreement(rid, theme, "false positive", evidence))
            elif is_g and not is_p:
                vetoed = tuple(
                    m for m in coding.matches.get(rid, []) if m.theme_id == theme and not m.counts
                )
                disagreements.append(Disagreement(rid, theme, "false negative", vetoed))
    skipped = [c for c in gold.columns if c not in coding.theme_ids]
    return Evaluation(
        theme_ids=themes,
        per_theme=per_theme,
        n_responses=len(present),
        disagreements=disagreements,
        missing_ids=missing,
        skipped_themes=skipped,
    )


def compare_coders(first: pd.DataFrame, second: pd.DataFrame, theme_ids: list[str]) -> Evaluation:
    """Score a second coder's hand-coding against the first's, as the dictionary is scored.

    Two people coding the same responses under the same rules rarely agree fully; their
    agreement is the ceiling to read the dictionary's scores against. Only the responses and
    themes both files have are compared.
    """
    themes = [t for t in theme_ids if t in first.columns and t in second.columns]
    if not themes:
        raise GoldError(
            "The second coder's file has no column named after a theme id of the hand-coded "
            f"file ({', '.join(theme_ids)}); rename its columns to the theme ids."
        )
    present = [rid for rid in first.index if rid in second.index]
    if not present:
        raise GoldError(
            "None of the response IDs in the second coder's file are in the hand-coded file; "
            "check that both coded the same responses."
        )
    per_theme = {
        theme: counts_of(
            second.loc[present, theme].to_numpy(), first.loc[present, theme].to_numpy()
        )
        for theme in themes
    }
    return Evaluation(
        theme_ids=themes,
        per_theme=per_theme,
        n_responses=len(present),
        missing_ids=[rid for rid in first.index if rid not in second.index],
        skipped_themes=[c for c in second.columns if c not in themes],
    )


@dataclass
class ClassifierComparison:
    """One gold file scored three ways: dictionary, classifier alone, dictionary + suggestions."""

    threshold: float | None  # None: each theme's own thresholds, chosen in training
    dictionary: Evaluation
    classifier: Evaluation
    combined: Evaluation


def compare_with_classifier(
    coding: Coding,
    scores: pd.DataFrame,
    gold: pd.DataFrame,
    model: ThemeModel,
    threshold: float | None = None,
) -> ClassifierComparison:
    """Scores of the dictionary, of the classifier's own codes and of the dictionary with the
    classifier's suggestions (exactly those `analyse --classifier` lists), on the themes all
    three share. `threshold` replaces every theme's own thresholds."""
    themes = [t for t in coding.theme_ids if t in scores.columns]
    if not themes:
        raise GoldError(
            "The classifier knows none of the dictionary's themes; train it on codes whose "
            "columns are the dictionary's theme ids."
        )
    index = coding.codes.index
    if threshold is None:
        own = model.codes(scores, index)[themes]
    else:
        own = model_codes(scores[themes], threshold, index)
    dictionary_codes = coding.codes[themes]
    shared = Coding(themes, dictionary_codes, coding.matches, coding.overridden)
    suggestions = suggest(shared, scores[themes], model, threshold)
    combined = dictionary_codes.copy()
    for theme, suggested in suggestions.by_theme.items():
        combined.loc[list(suggested), theme] = 1
    return ClassifierComparison(
        threshold=threshold,
        dictionary=evaluate(shared, gold),
        classifier=evaluate(Coding(themes, own), gold),
        combined=evaluate(Coding(themes, combined, coding.matches), gold),
    )


def scores_dict(result: Evaluation, labels: dict[str, str] | None = None) -> dict[str, object]:
    """An evaluation as plain data for `evaluate --json`: per theme and pooled (micro) precision,
    recall, F1, support, kappa and the 2x2 counts; macro averages over the themes whose score
    is defined (as Evaluation.macro_f1). Undefined scores are None (null), never 0."""
    labels = labels or {}

    def scores(c: Counts) -> dict[str, object]:
        return {
            "precision": c.precision,
            "recall": c.recall,
            "f1": c.f1,
            "support": c.support,
            "kappa": c.kappa,
            "tp": c.tp,
            "fp": c.fp,
            "fn": c.fn,
            "tn": c.tn,
        }

    def mean(values: Iterable[float | None]) -> float | None:
        defined = [v for v in values if v is not None]
        return sum(defined) / len(defined) if defined else None

    tables = [result.per_theme[t] for t in result.theme_ids]
    return {
        "responses": result.n_responses,
        "themes": {
            theme: {"label": labels.get(theme, theme), **scores(result.per_theme[theme])}
            for theme in result.theme_ids
        },
        "micro": scores(result.micro),
        "macro": {
            "precision": mean(c.precision for c in tables),
            "recall": mean(c.recall for c in tables),
            "f1": result.macro_f1,
        },
        "missing_ids": list(result.missing_ids),
        "skipped_columns": list(result.skipped_themes),
    }
