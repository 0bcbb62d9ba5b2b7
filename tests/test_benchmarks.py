"""The benchmark's own tools work and are honest, at a small size (figures come from running
benchmarks/run.py by hand; no test is timed)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402
import run  # noqa: E402


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "export_600.csv"
    generate.generate(600, 7, path)
    return path


def test_the_generator_is_seeded(export, tmp_path):
    again, other = tmp_path / "again.csv", tmp_path / "other.csv"
    generate.generate(600, 7, again)
    generate.generate(600, 8, other)
    assert _digest(again) == _digest(export)
    assert _digest(other) != _digest(export)


def test_a_generated_export_reads_as_a_consultation_with_form_letters(export):
    """Fresh IDs, groups, almost every answer unique, and a few campaigns, as described."""
    from sendconsult.campaigns import detect_campaigns
    from sendconsult.ingest import load_survey
    from sendconsult.nlp.engine import answer_pieces
    from sendconsult.survey import GROUPS, RESPONSE_ID

    survey = load_survey(export)
    frame = survey.responses
    assert len(frame) == 600 and frame[RESPONSE_ID].is_unique
    assert frame[GROUPS].map(len).gt(0).mean() > 0.9
    texts = [text for _, _, text, _ in answer_pieces(survey, 10**9)]
    assert len(set(texts)) / len(texts) > 0.8
    assert detect_campaigns(survey, min_size=2).campaigns


def test_the_revised_dictionary_adds_five_terms_and_removes_one(tmp_path):
    from sendconsult.resources import default_dictionary
    from sendconsult.themes.loader import load_dictionary

    shipped = load_dictionary(default_dictionary())
    revised = load_dictionary(run.revised_dictionary(tmp_path))
    before = {(t.id, term.text) for t in shipped.themes for term in t.terms}
    after = {(t.id, term.text) for t in revised.themes for term in t.terms}
    assert len(after - before) == 5 and len(before - after) == 1


def test_throughput_measures_the_same_tokens_three_ways(export):
    figures = run.throughput(export, repeat=2)
    assert figures["tokens"] > 10_000 and figures["distinct"] <= figures["answers"]
    assert all(figures[k] > 0 for k in ("bare_tps", "lemma_tps", "full_tps"))
    # the ratio of the median times is near the rounds' own (a median of times is not one of ratios)
    ratio = figures["full_tps"] / figures["bare_tps"]
    assert 0 < figures["ratio_low"] <= figures["ratio_high"]
    assert figures["ratio_low"] / 2 <= ratio <= figures["ratio_high"] * 2


def test_the_memory_probe_counts_a_page_shared_by_a_forked_child_once():
    """A child that starts as a copy of this process shares its pages: the probe's sum must
    not count them twice, as a sum of resident sizes would."""
    import os

    ballast = bytearray(200 * 1024 * 1024)
    ballast[:: 4096] = b"\x01" * len(ballast[:: 4096])  # resident, not only reserved
    alone = run.tree_pss_mb(os.getpid())
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the copy: wait until the parent has measured, then leave at once
        os.close(writer)
        os.read(reader, 1)
        os._exit(0)
    try:
        os.close(reader)
        # this test process and its forked child, measured as a tree
        together = run.tree_pss_mb(os.getpid())
    finally:
        os.write(writer, b"x")
        os.close(writer)
        os.waitpid(child, 0)
    assert alone > 200
    assert together < alone * 1.2  # the 200 MB are shared, not doubled
    del ballast
