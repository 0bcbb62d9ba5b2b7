"""Recall and precision of redaction on a planted set of answers (fixtures/pii/planted.yaml).

Recall: the share of planted personal details of each kind whose every character is inside a
redacted span (of any tag). Precision: the share of redacted spans that overlap a planted
detail; a span in a decoy answer, or elsewhere in a planted one, is a false redaction (spans
over the set's `either` words count neither way). Run `pytest tests/test_pii_planted.py -s` to
see the figures.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from sendconsult.privacy import Redaction, Redactor

PLANTED = Path(__file__).parent / "fixtures" / "pii" / "planted.yaml"
ALWAYS_FOUND = ("EMAIL", "PHONE", "POSTCODE", "NHS_NUMBER")


@dataclass
class Scores:
    planted: Counter[str] = field(default_factory=Counter)
    caught: Counter[str] = field(default_factory=Counter)
    tagged_right: Counter[str] = field(default_factory=Counter)
    true_spans: int = 0
    false_spans: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    def recall(self, kind: str | None = None) -> float:
        if kind is None:
            return sum(self.caught.values()) / sum(self.planted.values())
        return self.caught[kind] / self.planted[kind]

    @property
    def precision(self) -> float:
        return self.true_spans / (self.true_spans + len(self.false_spans))

    def table(self) -> str:
        lines = [f"{'kind':<11} {'planted':>7} {'caught':>6} {'recall':>6} {'same tag':>8}"]
        for kind in sorted(self.planted):
            lines.append(
                f"{kind:<11} {self.planted[kind]:>7} {self.caught[kind]:>6} "
                f"{self.recall(kind):>6.2f} {self.tagged_right[kind]:>8}"
            )
        total_planted, total_caught = sum(self.planted.values()), sum(self.caught.values())
        lines.append(f"{'all':<11} {total_planted:>7} {total_caught:>6} {self.recall():>6.3f}")
        spans = self.true_spans + len(self.false_spans)
        lines.append(f"precision {self.precision:.3f} ({self.true_spans} of {spans} spans)")
        lines += [f"missed: {m}" for m in self.missed]
        lines += [f"false: {f}" for f in self.false_spans]
        return "\n".join(lines)


def _places(text: str, words: str) -> list[tuple[int, int]]:
    """Every place the words are written in the text (one planted detail each)."""
    starts = [m.start() for m in re.finditer(re.escape(words), text)]
    assert starts, f"{words!r} in {text!r}"
    return [(start, start + len(words)) for start in starts]


def _covered(
    text: str, spans: list[Redaction], start: int, end: int, kind: str | None = None
) -> bool:
    """Every character of text[start:end] but spaces is inside a span (of the kind, if given)."""
    return all(
        any(s.start <= i < s.end and kind in (None, s.kind) for s in spans)
        for i in range(start, end)
        if not text[i].isspace()
    )


def score(redactor: Redactor, planted: dict) -> Scores:
    scores = Scores()
    items = planted["planted"] + planted["decoys"]
    for item in items:
        text = item["text"]
        spans = redactor.find(text)
        details = [
            (kind, *place)
            for kind, all_words in (item.get("pii") or {}).items()
            for words in all_words
            for place in _places(text, words)
        ]
        either = [place for words in item.get("either", []) for place in _places(text, words)]
        for kind, start, end in details:
            scores.planted[kind] += 1
            if _covered(text, spans, start, end):
                scores.caught[kind] += 1
                scores.tagged_right[kind] += _covered(text, spans, start, end, kind)
            else:
                scores.missed.append(f"{kind} {text[start:end]!r} in {text!r}")
        for span in spans:
            if any(span.start < end and start < span.end for _, start, end in details):
                scores.true_spans += 1
            elif not any(span.start < end and start < span.end for start, end in either):
                scores.false_spans.append(f"{span.tag} {text[span.start : span.end]!r} in {text!r}")
    return scores


@pytest.fixture(scope="module")
def planted() -> dict:
    return yaml.safe_load(PLANTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scores(planted) -> Scores:
    result = score(Redactor(), planted)
    print("\n" + result.table())
    return result


def test_the_planted_set_is_big_enough_and_covers_every_kind(planted):
    assert len(planted["planted"]) >= 100
    assert len(planted["decoys"]) >= 50
    kinds = {kind for item in planted["planted"] for kind in item["pii"]}
    assert kinds == {"NAME", "EMAIL", "PHONE", "POSTCODE", "NHS_NUMBER", "URL", "HANDLE",
                     "ADDRESS", "DATE", "SCHOOL"}  # fmt: skip


def test_recall_overall(scores):
    assert scores.recall() >= 0.95, scores.table()


@pytest.mark.parametrize("kind", ALWAYS_FOUND)
def test_contact_numbers_and_postcodes_are_always_found(scores, kind):
    assert scores.recall(kind) == 1.0, scores.table()


@pytest.mark.parametrize("kind", ["NAME", "URL", "HANDLE", "ADDRESS", "DATE", "SCHOOL"])
def test_recall_of_each_kind(scores, kind):
    assert scores.recall(kind) >= 0.85, scores.table()


def test_precision(scores):
    assert scores.precision >= 0.95, scores.table()


def test_the_measure_notices_a_redactor_that_misses(planted):
    """A redactor that finds nothing scores 0: the measure itself can fail."""

    class Blind(Redactor):
        def _find(self, text: str) -> list[Redaction]:
            return []

    assert score(Blind(), planted).recall() == 0.0


def test_the_readme_gives_the_measured_figures(scores):
    readme = " ".join((Path(__file__).parent.parent / "README.md").read_text("utf-8").split())
    section = readme.split("**Measured** by `pytest tests/test_pii_planted.py -s`", 1)[1][:1500]
    words = {"NAME": "names", "SCHOOL": "schools", "DATE": "dates", "PHONE": "phones",
             "POSTCODE": "postcodes", "ADDRESS": "addresses", "EMAIL": "e-mail", "URL": "URLs",
             "NHS_NUMBER": "NHS numbers", "HANDLE": "handles"}  # fmt: skip
    for kind, word in words.items():
        claim = f"{word} {scores.caught[kind]} of {scores.planted[kind]}"
        assert claim in section, claim
    assert f"holding {sum(scores.planted.values())} planted personal details" in section
    spans = scores.true_spans + len(scores.false_spans)
    assert f"precision {scores.precision:.2f} ({scores.true_spans} of {spans}" in section
