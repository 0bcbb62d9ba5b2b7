"""Score a dictionary on each part of the real-quote sets: one row per source file.

The README's Accuracy section scores the real tuning and held-out sets whole; each set is made
of parts (sample_responses/source/real_quotes*.yaml) gathered at different times and from
different kinds of document, and each part that was held out was scored once, by the
dictionary of its day. This prints, for every part, its comments, and micro and macro F1 of
the dictionary and of the keyword baseline, so those figures can be re-run, and an earlier
dictionary can be scored the same way:

    python benchmarks/real_quote_parts.py
    git show REV:models/send_strategy_themes.yaml > earlier.yaml
    python benchmarks/real_quote_parts.py --themes earlier.yaml
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

import yaml

from sendconsult.evaluate import Evaluation, evaluate, load_gold
from sendconsult.ingest import load_survey
from sendconsult.nlp.engine import ThemeClassifier
from sendconsult.nlp.pipeline import build_pipeline
from sendconsult.resources import default_dictionary
from sendconsult.themes.loader import load_dictionary

SAMPLES = Path(__file__).resolve().parent.parent / "sample_responses"
KEYWORDS = SAMPLES / "keyword_baseline.yaml"


@dataclass(frozen=True)
class PartScores:
    """One source file's comments scored by the dictionary and by the keyword list."""

    file: str
    part: str  # "tune" or "heldout"
    dictionary: Evaluation
    keywords: Evaluation


def score_parts(themes: Path) -> list[PartScores]:
    """Every source file's comments, scored within the set (tuning or held-out) they are in."""
    nlp = build_pipeline()
    classifiers = {
        "dictionary": ThemeClassifier(load_dictionary(themes), nlp),
        "keywords": ThemeClassifier(load_dictionary(KEYWORDS), nlp),
    }
    file_of = {}
    for path in sorted((SAMPLES / "source").glob("real_quotes*.yaml")):
        for key in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            file_of[key] = path.name
    rows: list[PartScores] = []
    for part in ("tune", "heldout"):
        survey = load_survey(SAMPLES / f"real_quotes_{part}.csv")
        gold = load_gold(SAMPLES / f"hand_coded_real_{part}.csv")
        codings = {name: c.classify(survey) for name, c in classifiers.items()}
        with open(SAMPLES / f"real_quotes_{part}.csv", encoding="utf-8", newline="") as f:
            source_of = {row["Response ID"]: row["Source"] for row in csv.DictReader(f)}
        for name in dict.fromkeys(file_of[key] for key in source_of.values()):
            ids = [rid for rid, key in source_of.items() if file_of[key] == name]
            scores = {n: evaluate(coding, gold.loc[ids]) for n, coding in codings.items()}
            rows.append(PartScores(name, part, scores["dictionary"], scores["keywords"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--themes", type=Path, default=default_dictionary())
    args = parser.parse_args()
    print(f"Dictionary: {args.themes.name}\n")
    print("| part | set | comments | micro F1 | macro F1 | keywords, micro | keywords, macro |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for row in score_parts(args.themes):
        d, k = row.dictionary, row.keywords
        print(
            f"| {row.file} | {row.part} | {d.n_responses} | {d.micro.f1:.3f} | {d.macro_f1:.3f} "
            f"| {k.micro.f1:.3f} | {k.macro_f1:.3f} |"
        )


if __name__ == "__main__":
    main()
