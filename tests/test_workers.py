"""How coding is shared out: chunk sizes for parsing processes, and batches that do not change
what is found."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendconsult.ingest import load_survey
from sendconsult.nlp import workers
from sendconsult.nlp.engine import ThemeClassifier, answer_pieces
from sendconsult.resources import default_dictionary
from sendconsult.themes.loader import load_dictionary

SAMPLE = Path(__file__).parent.parent / "sample_responses" / "leicester_send_strategy_2019.csv"


@given(st.integers(min_value=1, max_value=500_000), st.integers(min_value=1, max_value=16))
def test_every_process_gets_several_chunks_and_none_is_too_big(n_texts: int, processes: int):
    size = workers.chunk_size(n_texts, processes)
    chunks = -(-n_texts // size)
    assert 1 <= size <= workers.CHUNK_TEXTS
    # enough chunks that a process finishing early can take another, as far as texts allow
    assert chunks >= min(n_texts, processes * workers.TASKS_PER_PROCESS)
    if n_texts >= processes * workers.TASKS_PER_PROCESS * workers.CHUNK_TEXTS:
        assert size == workers.CHUNK_TEXTS  # large runs: chunks as big as allowed


def test_mid_sized_runs_are_shared_evenly():
    # 3,000 texts on two processes: 8 chunks of 375, not 3 chunks of 1,000 (two for one
    # process, one for the other, so it waits half the time).
    assert workers.chunk_size(3_000, 2) == 375
    assert workers.chunk_size(170_536, 2) == workers.CHUNK_TEXTS


@pytest.fixture(scope="module")
def texts_and_classifier(nlp) -> tuple[list[str], ThemeClassifier]:  # noqa: ANN001
    survey = load_survey(SAMPLE)
    texts = list(dict.fromkeys(text for _, _, text, _ in answer_pieces(survey, 10**9)))
    return texts, ThemeClassifier(load_dictionary(default_dictionary()), nlp)


@pytest.mark.parametrize("batch", [1, 7, 64])
def test_batch_size_does_not_change_what_is_found(texts_and_classifier, monkeypatch, batch):
    texts, classifier = texts_and_classifier
    usual = workers.find_rows(classifier, texts)
    monkeypatch.setattr(workers, "BATCH_SIZE", batch)
    monkeypatch.setattr(workers, "CHUNK_TEXTS", 3 * batch + 1)  # batches cut across chunks
    assert workers.find_rows(classifier, texts) == usual
    assert sum(map(len, usual)) > 100  # the sample's answers hold many matches


@pytest.mark.parametrize("forking", [True, False])
def test_workers_code_as_this_process_does_whether_they_fork_or_start_anew(
    texts_and_classifier, monkeypatch, forking: bool
):
    """Where processes fork, workers adopt this process's classifier as it is (building the
    pipeline again would fail here); elsewhere they build their own from its source."""
    from sendconsult.nlp import pipeline

    texts, classifier = texts_and_classifier
    alone = workers.find_rows(classifier, texts)
    monkeypatch.setattr(workers, "MIN_TEXTS_PER_PROCESS", 10)
    monkeypatch.setattr(workers, "forks", lambda: forking)
    if forking:
        def no_rebuild(*args: object) -> None:
            raise AssertionError("a forked worker rebuilt the pipeline")

        monkeypatch.setattr(workers, "build_pipeline", no_rebuild)
        monkeypatch.setattr(pipeline, "build_pipeline", no_rebuild)
    assert workers.find_rows(classifier, texts, jobs=2) == alone
