"""The cycle collector waits while a run builds its tables, and comes back as it was."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from sendconsult.memory import cycle_collection_paused

SAMPLE = Path(__file__).parent.parent / "sample_responses" / "leicester_send_strategy_2019.csv"


@pytest.fixture(autouse=True)
def _collector_restored():
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_off_inside_and_on_again_after():
    gc.enable()
    with cycle_collection_paused():
        assert not gc.isenabled()
        with cycle_collection_paused():  # nested: the inner block must not switch it on
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_what_a_paused_block_made_is_not_walked_by_the_next_young_collection():
    """The tables a run made go to the oldest generation when the pause ends: left in the
    youngest, the first collection afterwards would walk all of them (see memory.py)."""
    gc.enable()
    with cycle_collection_paused():
        made = [[i] for i in range(5_000)]
    youngest = {id(o) for o in gc.get_objects(generation=0)}
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert not any(id(row) in youngest for row in made)
    assert all(id(row) in oldest for row in made)


def test_a_cycle_made_in_a_paused_block_is_still_collected():
    gc.enable()
    with cycle_collection_paused():
        cycle: list[object] = []
        cycle.append(cycle)
        marker = id(cycle)
        del cycle
    gc.collect()
    assert marker not in {id(o) for o in gc.get_objects()}


def test_the_collector_comes_back_after_an_error():
    gc.enable()
    with pytest.raises(ValueError), cycle_collection_paused():
        raise ValueError("a bad row")
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off():
    gc.disable()
    with cycle_collection_paused():
        pass
    assert not gc.isenabled()


def test_a_run_pauses_the_collector_and_restores_it(tmp_path, monkeypatch, nlp):
    """run_analysis codes and writes with the collector paused (see memory.py)."""
    from sendconsult import analysis
    from sendconsult.analysis import AnalysisSettings, run_analysis
    from sendconsult.ingest import load_survey
    from sendconsult.resources import default_dictionary
    from sendconsult.themes.loader import load_dictionary

    seen: list[bool] = []
    real = analysis.write_report

    def spying_write(path, content):  # noqa: ANN001
        seen.append(gc.isenabled())
        return real(path, content)

    monkeypatch.setattr(analysis, "write_report", spying_write)
    gc.enable()
    survey = load_survey(SAMPLE)
    result = run_analysis(
        survey,
        load_dictionary(default_dictionary()),
        nlp,
        AnalysisSettings(),
        tmp_path / "report.xlsx",
    )
    assert seen == [False] and gc.isenabled()
    assert result.summary.responses == len(survey.responses)
