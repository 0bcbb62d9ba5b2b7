"""The language model is loaded as py3langid loads it, in a thread beside the judging of a large
export's answers, and never left loading when the export has been read."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from sendconsult.ingest import build, languages

SAMPLES = [
    "Diolch yn fawr am y cyfle i ymateb i'r ymgynghoriad hwn ar ddarpariaeth anghenion addysgol",
    "Nous avons besoin de plus de places dans les écoles spécialisées pour nos enfants",
    "بچوں کے لیے اسکول میں مزید مدد کی ضرورت ہے اور والدین کو معلومات نہیں ملتی",
    "Potrzebujemy więcej miejsc w szkołach specjalnych dla naszych dzieci w mieście",
    "We waited two years for an assessment and the plan still does not say what support he gets",
]


@pytest.fixture
def fresh_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test loads the model itself (the module keeps one per process)."""
    monkeypatch.setattr(languages, "_model", None)


def test_the_model_is_the_one_py3langid_loads(fresh_model: None):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ours = languages._load_identifier()
    theirs = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    theirs.set_languages([c for c in languages.LANGUAGE_NAMES if c in set(theirs.labels)])
    assert ours.nb_classes == theirs.nb_classes
    assert np.array_equal(ours.nb_ptc, theirs.nb_ptc) and np.array_equal(ours.nb_pc, theirs.nb_pc)
    assert ours.tk_nextmove == theirs.tk_nextmove and ours.tk_output == theirs.tk_output
    assert [ours.classify(t) for t in SAMPLES] == [theirs.classify(t) for t in SAMPLES]
    assert [ours.classify(t)[0] for t in SAMPLES[:4]] == ["cy", "fr", "ur", "pl"]


def test_a_model_stored_another_way_is_read_by_py3langid_itself(
    fresh_model: None, monkeypatch: pytest.MonkeyPatch
):
    def unknown_layout(*args: object, **kwargs: object) -> None:
        raise KeyError("ptc is not a file in the archive")

    monkeypatch.setattr(languages, "_read_in_one_call", unknown_layout)
    identifier = languages._load_identifier()
    assert identifier.classify(SAMPLES[0])[0] == "cy"


def test_a_failed_load_is_reported_to_whoever_needs_the_model(
    fresh_model: None, monkeypatch: pytest.MonkeyPatch
):
    def broken() -> None:
        raise MemoryError

    monkeypatch.setattr(languages, "_load_identifier", broken)
    with pytest.raises(MemoryError):
        languages.answer_language(SAMPLES[1])


def test_reading_a_large_export_loads_the_model_beside_and_waits_for_it(
    fresh_model: None, monkeypatch: pytest.MonkeyPatch
):
    """With enough answers to judge the model loads in a thread; the export is not handed on
    while it still runs, since parsing processes are forked next."""
    import pandas as pd

    loads: list[str] = []
    real = languages._load_identifier

    def slow_load():  # noqa: ANN202
        loads.append(threading.current_thread().name)
        threading.Event().wait(0.3)
        return real()

    monkeypatch.setattr(languages, "_load_identifier", slow_load)
    monkeypatch.setattr(build, "PRELOAD_FROM", 3)
    english = [f"Answer {i}: the school and the council should listen to us" for i in range(5)]
    frame = pd.DataFrame({"response_id": [f"R{i}" for i in range(5)], "Comments": english})
    assert build.set_aside_answers(frame, ["Comments"], None) == {}
    assert loads == ["language-model"]
    assert not any(t.name == "language-model" for t in threading.enumerate())


def test_a_small_export_of_plain_english_never_loads_the_model(
    fresh_model: None, monkeypatch: pytest.MonkeyPatch
):
    import pandas as pd

    monkeypatch.setattr(languages, "_load_identifier", lambda: pytest.fail("model loaded"))
    frame = pd.DataFrame({"response_id": ["R1", "R2"], "Comments": ["We need more respite.", "Agree"]})
    assert build.set_aside_answers(frame, ["Comments"], None) == {}


ANSWERS = [
    *SAMPLES,
    "Please see attached document.",
    "test",
    "Rydym angen mwy o ofal seibiant yn yr ardal hon i'n plant ni.",
    "Short breaks saved our family; please do not cut them.",
    "ok",
]


@pytest.mark.parametrize("forking", [True, False])
def test_a_large_export_judged_half_in_a_helper_process_gets_the_same_verdicts(
    monkeypatch: pytest.MonkeyPatch, forking: bool
):
    import pandas as pd

    answers = [f"{a} ({i})" if len(a) > 20 else a for i in range(6) for a in ANSWERS]
    frame = pd.DataFrame({"response_id": [f"R{i}" for i in range(len(answers))], "Q": answers})
    alone = build.set_aside_answers(frame, ["Q"], None)
    assert {v for v in alone.values()} == {"cy", "fr", "ur", "pl", "attachment", "test"}
    monkeypatch.setattr(build, "PRELOAD_FROM", 10)
    monkeypatch.setattr(build, "APART_FROM", 10)
    monkeypatch.setattr(build, "forks", lambda: forking)
    helpers: list[object] = []
    real = build.run_apart
    monkeypatch.setattr(build, "run_apart", lambda *a: helpers.append(a) or real(*a))
    assert build.set_aside_answers(frame, ["Q"], None) == alone
    assert len(helpers) == (1 if forking else 0)
