"""The parse cache: a re-run gives exactly what a fresh run gives, and parses only what it must."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sendconsult.caches import parse as parse_cache
from sendconsult.caches.parse import ENGINE_SOURCES, ParseCache, engine_version
from sendconsult.cli import app
from sendconsult.ingest import load_survey
from sendconsult.nlp import workers
from sendconsult.nlp.engine import ThemeClassifier
from sendconsult.nlp.pipeline import pipeline_id
from sendconsult.resources import PACKAGE_DIR
from sendconsult.themes.loader import load_dictionary

SAMPLE = Path(__file__).parent.parent / "sample_responses" / "leicester_send_strategy_2019.csv"

DICTIONARY = """\
themes:
  - id: transport
    label: Transport
    terms: [transport, taxi*, bus, school run]
    exclude: [bus stop]
  - id: short_breaks
    label: Short breaks
    terms: [respite, short break*, saturday club]
  - id: joint_commissioning
    label: Joint working
    terms: [commission*, health NEAR/5 council]
"""

# Revised: a term removed (bus), new terms of every kind, a changed exclude, a changed distance.
REVISED = """\
themes:
  - id: transport
    label: Transport
    terms: [transport, taxi*, school run, minibus, escort NEAR/3 driver]
    exclude: [public transport]
  - id: short_breaks
    label: Short breaks
    terms: [respite, short break*, saturday club, holiday scheme*]
  - id: joint_commissioning
    label: Joint working
    terms: [commission*, health NEAR/8 council, joined up, nhs]
  - id: post_16
    label: Post-16
    terms: [college, sixth form, supported internship*]
"""


@pytest.fixture(scope="module")
def survey():
    return load_survey(SAMPLE)


def dictionary(tmp_path: Path, text: str, name: str = "themes.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_dictionary(path)


def snapshot(coding) -> tuple:
    matches = {
        rid: sorted(
            (m.theme_id, m.rule_theme_id, m.term, m.start, m.end, m.sentence, m.vetoed_by)
            for m in found
        )
        for rid, found in coding.matches.items()
    }
    return coding.codes.to_dict(), matches


@pytest.fixture
def parsed(monkeypatch) -> list[int]:
    """How many texts each call of the parser was given, to see what a run had to parse."""
    calls: list[int] = []
    real = workers._code_chunk

    def counting(classifier, matcher, texts, *rest):  # noqa: ANN001, ANN002, ANN202
        calls.append(len(texts))
        return real(classifier, matcher, texts, *rest)

    monkeypatch.setattr(workers, "_code_chunk", counting)
    return calls


def cache_for(tmp_path: Path, nlp) -> ParseCache:  # noqa: ANN001
    return ParseCache(tmp_path / "cache", SAMPLE.name, pipeline_id(nlp))


def test_rerun_with_a_revised_dictionary_equals_a_fresh_run(tmp_path, nlp, survey, parsed):
    first = ThemeClassifier(dictionary(tmp_path, DICTIONARY), nlp)
    cold_first = snapshot(first.classify(survey))
    assert snapshot(first.classify(survey, cache=cache_for(tmp_path, nlp))) == cold_first

    revised = ThemeClassifier(dictionary(tmp_path, REVISED, "revised.yaml"), nlp)
    fresh = snapshot(revised.classify(survey))
    parsed.clear()
    cached = snapshot(revised.classify(survey, cache=cache_for(tmp_path, nlp)))
    assert cached == fresh
    # Only answers that could hold one of the new terms were parsed again.
    assert 0 < sum(parsed) < 0.5 * len({t for t in _texts(survey)})


def test_rerun_with_the_same_dictionary_parses_nothing(tmp_path, nlp, survey, parsed):
    classifier = ThemeClassifier(dictionary(tmp_path, DICTIONARY), nlp)
    classifier.classify(survey, cache=cache_for(tmp_path, nlp))
    parsed.clear()
    seen: list[int] = []
    again = classifier.classify(survey, cache=cache_for(tmp_path, nlp), progress=seen.append)
    assert sum(parsed) == 0
    assert sum(seen) == len(set(_texts(survey)))  # the progress bar still reaches its end
    assert snapshot(again) == snapshot(classifier.classify(survey))


def test_switching_back_to_an_earlier_dictionary_parses_nothing(tmp_path, nlp, survey, parsed):
    first = ThemeClassifier(dictionary(tmp_path, DICTIONARY), nlp)
    revised = ThemeClassifier(dictionary(tmp_path, REVISED, "revised.yaml"), nlp)
    first.classify(survey, cache=cache_for(tmp_path, nlp))
    revised.classify(survey, cache=cache_for(tmp_path, nlp))
    parsed.clear()
    back = first.classify(survey, cache=cache_for(tmp_path, nlp))
    assert sum(parsed) == 0
    assert snapshot(back) == snapshot(first.classify(survey))


def test_a_new_export_parses_only_new_and_changed_answers(tmp_path, nlp, parsed, write_csv):
    rows = [
        ["Response ID", "Comments"],
        ["R1", "The taxi to school is late every morning."],
        ["R2", "We need respite in the holidays."],
        ["R3", "Health and the council never talk to each other."],
    ]
    classifier = ThemeClassifier(dictionary(tmp_path, DICTIONARY), nlp)
    cache = ParseCache(tmp_path / "cache", "export.csv", pipeline_id(nlp))
    classifier.classify(load_survey(write_csv(rows)), cache=cache)
    rows[2][1] = "We need respite and a Saturday club in the holidays."
    rows.append(["R4", "The bus escort was kind to him."])
    newer = load_survey(write_csv(rows))
    parsed.clear()
    coding = classifier.classify(
        newer, cache=ParseCache(tmp_path / "cache", "export.csv", pipeline_id(nlp))
    )
    assert sum(parsed) == 2  # R2 changed, R4 is new
    assert snapshot(coding) == snapshot(classifier.classify(newer))


def test_cues_of_new_answers_and_of_rechecked_ones_are_kept_apart(tmp_path, nlp, parsed, write_csv):
    # A run that both parses new answers and rechecks cached ones for new terms stores the
    # negation cues of each; a later run from the cache must read back each one's own cue.
    rows = [
        ["Response ID", "Comments"],
        ["R0", "Transport has been great."],  # a cue the cache keeps from the start
        ["R1", "The taxi to school is late, but the minibus has been fine."],
    ]
    first = ThemeClassifier(dictionary(tmp_path, DICTIONARY), nlp)
    first.classify(
        load_survey(write_csv(rows)),
        cache=ParseCache(tmp_path / "cache", "export.csv", pipeline_id(nlp)),
    )
    rows.append(["R2", "Respite has been excellent."])  # new, with its own cue
    newer = load_survey(write_csv(rows))
    revised = ThemeClassifier(dictionary(tmp_path, REVISED, "revised.yaml"), nlp)
    second = revised.classify(
        newer, cache=ParseCache(tmp_path / "cache", "export.csv", pipeline_id(nlp))
    )
    assert snapshot(second) == snapshot(revised.classify(newer))
    parsed.clear()
    again = revised.classify(
        newer, cache=ParseCache(tmp_path / "cache", "export.csv", pipeline_id(nlp))
    )
    assert sum(parsed) == 0
    assert snapshot(again) == snapshot(revised.classify(newer))
    cues = {m.term: m.vetoed_by for found in again.matches.values() for m in found}
    assert cues["minibus"] == "negation: has been fine"
    assert cues["respite"] == "negation: has been excellent"
    assert cues["transport"] == "negation: has been great"


def test_a_damaged_cache_is_rebuilt_with_a_warning(tmp_path, nlp, survey):
    classifier = ThemeClassifier(dictionary(tmp_path, DICTIONARY), nlp)
    cache = cache_for(tmp_path, nlp)
    classifier.classify(survey, cache=cache)
    cache.path.write_bytes(cache.path.read_bytes()[:5000])  # cut short
    damaged = cache_for(tmp_path, nlp)
    coding = classifier.classify(survey, cache=damaged)
    assert snapshot(coding) == snapshot(classifier.classify(survey))
    assert len(damaged.warnings) == 1
    assert damaged.warnings[0].startswith(f"The parse cache {cache.path.name} could not be read")
    rebuilt = cache_for(tmp_path, nlp)
    classifier.classify(survey, cache=rebuilt)
    assert rebuilt.warnings == []


def test_garbage_in_the_cache_file_is_rebuilt(tmp_path, nlp, survey):
    classifier = ThemeClassifier(dictionary(tmp_path, DICTIONARY), nlp)
    cache = cache_for(tmp_path, nlp)
    cache.folder.mkdir()
    cache.path.write_bytes(b"PK\x03\x04 not really a zip file")
    coding = classifier.classify(survey, cache=cache)
    assert snapshot(coding) == snapshot(classifier.classify(survey))
    assert cache.warnings and "could not be read" in cache.warnings[0]


def test_a_cache_from_another_pipeline_is_not_used(tmp_path, nlp, survey, parsed):
    classifier = ThemeClassifier(dictionary(tmp_path, DICTIONARY), nlp)
    classifier.classify(survey, cache=cache_for(tmp_path, nlp))
    other = ParseCache(tmp_path / "cache", SAMPLE.name, "en_core_web_sm-3.8.0-spacy3.8.0")
    other.path.parent.mkdir(exist_ok=True)
    shutil.copy(cache_for(tmp_path, nlp).path, other.path)  # the same file, another pipeline
    parsed.clear()
    classifier.classify(survey, cache=other)
    assert sum(parsed) == len(set(_texts(survey)))
    assert other.warnings == []


def test_an_unwritable_cache_folder_is_a_warning_not_a_failure(tmp_path, nlp, survey):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    cache = ParseCache(blocked, SAMPLE.name, pipeline_id(nlp))
    classifier = ThemeClassifier(dictionary(tmp_path, DICTIONARY), nlp)
    coding = classifier.classify(survey, cache=cache)
    assert snapshot(coding) == snapshot(classifier.classify(survey))
    assert cache.warnings and "could not be saved" in cache.warnings[0]


def kinds_kept(folder: Path) -> list[str]:
    """What each file in a cache folder holds, by its name; "?" for anything else."""
    patterns = {
        "campaigns": "campaigns-*.json",
        "set-aside answers": "*.set-aside.npz",
        "parses": "*.npz",
        "redactions": "*.redactions.json",
    }
    return sorted(
        next((kind for kind, p in patterns.items() if f.match(p)), "?") for f in folder.iterdir()
    )


def test_cli_cache_options(tmp_path):
    runner = CliRunner()
    export = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, export)
    result = runner.invoke(app, ["analyse", str(export), "--no-cache", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / ".sendconsult-cache").exists()
    elsewhere = tmp_path / "cache here"
    result = runner.invoke(
        app, ["analyse", str(export), "--force", "--cache-dir", str(elsewhere), "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    assert kinds_kept(elsewhere) == ["campaigns", "parses", "redactions", "set-aside answers"]
    if sys.platform != "win32":  # they hold respondents' words: for the officer's eyes only
        assert [f.stat().st_mode & 0o077 for f in elsewhere.iterdir()] == [0, 0, 0, 0]
    result = runner.invoke(app, ["analyse", str(export), "--force", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".sendconsult-cache").is_dir()


@pytest.mark.slow
def test_two_runs_at_once_leave_a_whole_cache(tmp_path):
    export = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, export)
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sendconsult",
                "analyse",
                str(export),
                "--jobs",
                "1",
                "--out",
                str(tmp_path / f"report{i}.xlsx"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for i in range(2)
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
        assert "parse cache" not in stderr
    # whole files, no temporary ones
    assert kinds_kept(tmp_path / ".sendconsult-cache") == [
        "campaigns", "parses", "redactions", "set-aside answers"
    ]  # fmt: skip
    completed = subprocess.run(
        [sys.executable, "-m", "sendconsult", "analyse", str(export), "--jobs", "1",
         "--out", str(tmp_path / "report3.xlsx")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert completed.returncode == 0
    assert "parse cache" not in completed.stderr


def _texts(survey) -> list[str]:  # noqa: ANN001
    from sendconsult.nlp.engine import answer_pieces

    return [text for _, _, text, _ in answer_pieces(survey, 10**9)]


# Terms that compete for the same words: the same term in two themes, two terms of one theme
# on the same words (the first listed names the match), negated mentions and an exclude.
OVERLAPPING = """\
themes:
  - id: short_breaks
    label: Short breaks
    terms: [short breaks, short break*, respite, club*]
  - id: clubs
    label: Clubs
    terms: [club*, saturday club, holiday]
  - id: transport
    label: Transport
    terms: [transport, taxi*, bus]
    exclude: [bus stop]
"""


def test_resolving_many_texts_at_once_gives_each_text_s_own_rows(tmp_path, nlp, survey):
    classifier = ThemeClassifier(dictionary(tmp_path, OVERLAPPING), nlp)
    texts = [t for q in survey.text_questions for t in survey.responses[q] if t]
    texts += [
        "Short breaks and the Saturday club matter; the holiday club is full.",
        "No problems with transport, but short breaks have gone.",
        "The bus stop is far; the bus is late; short break short breaks.",
    ]
    docs = list(nlp.pipe(texts))
    found = classifier.matcher.find_batch(docs, texts)
    rows = classifier.matcher.find_rows(docs, texts)
    at_once = classifier.resolve_many(rows.rows, rows.cues, classifier.keys, len(texts))
    assert at_once == [classifier.resolve_rows(f) for f in found]
    shared = sum(len({r[1:3] for r in rows_}) < len(rows_) for rows_ in at_once)
    assert shared > 5  # words coded to two themes at once are kept once per theme
    labels = {r[5] for rows_ in at_once for r in rows_}
    assert "exclude: bus stop" in labels  # vetoes by an exclude phrase are kept
    assert labels - {None, "exclude: bus stop"}  # and so are negated mentions' cues


def test_a_text_s_words_are_its_lemmas_and_lower_case_forms_each_once(tmp_path, nlp):
    matcher = ThemeClassifier(dictionary(tmp_path, DICTIONARY), nlp).matcher
    texts = ["The Children's taxis were late.", "Taxi taxi TAXI", ""]
    docs = list(matcher.parse(texts, 8))
    rows = matcher.find_rows(docs, texts, words=True)
    strings = nlp.vocab.strings
    words, at = [], 0
    for length in rows.word_lengths.tolist():
        words.append(sorted(strings[h] for h in rows.words[at : at + length].tolist()))
        at += length
    lemmas_and_forms = {t.lemma_ for t in nlp(texts[0])} | {t.lower_ for t in nlp(texts[0])}
    assert words[0] == sorted(lemmas_and_forms)
    assert {"child", "children", "taxi", "taxis"} <= set(words[0])
    assert words[1] == ["taxi"]  # one entry for a word repeated in any case
    assert words[2] == []


EXCLUDING = """\
themes:
  - id: transport
    label: Transport
    terms: [transport, taxi*]
    exclude: [carer*, bus stop]
  - id: short_breaks
    label: Short breaks
    terms: [short break*, respite]
    exclude: [break down]
"""


def test_resolving_all_texts_gives_each_text_its_own_rows_vetoes_included(tmp_path, nlp, survey):
    # Vetoes by exclude phrases are decided for all texts at once, as arrays: texts holding
    # "carer" near a transport term, far from one, or with none.
    classifier = ThemeClassifier(dictionary(tmp_path, EXCLUDING), nlp)
    texts = [t for q in survey.text_questions for t in survey.responses[q] if t]
    texts += [
        "My carer takes the taxi with him.",  # vetoed: carer is within 3 words of taxi
        "As a carer I need respite, and transport to get there.",  # carer far from transport
        "Carers need short breaks.",  # an exclude phrase, but nothing it vetoes
        "The taxi is late. The carer is not.",  # other sentence: no veto
        "Respite must not break down; short breaks too.",
    ]
    docs = list(nlp.pipe(texts))
    found = classifier.matcher.find_rows(docs, texts)
    resolved = classifier.resolve_many(found.rows, found.cues, classifier.keys, len(texts))
    one_by_one = [classifier.resolve_rows(f) for f in classifier.matcher.find_batch(docs, texts)]
    assert resolved == one_by_one
    vetoes = [r[5] for rows_ in resolved for r in rows_ if r[5]]
    assert "exclude: carer*" in vetoes and "exclude: break down" in vetoes
    assert resolved[-4]  # respite and transport coded, carer notwithstanding


VETO_WORDS = [
    "carer", "carers", "taxi", "transport", "short", "breaks", "break", "down", "respite",
    "bus", "stop", "not", "no", "the", "my", "is", "late", "and", ".", "\n",
]  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(st.sampled_from(VETO_WORDS), max_size=14), min_size=1, max_size=8))
def test_texts_resolved_at_once_are_resolved_as_one_by_one(tmp_path, nlp, word_lists):
    # Vetoes depend on the exclude phrase's sentence and distance, and the first exclude of
    # the rule names the veto: arrays must agree with resolve_rows on any mix of these.
    classifier = ThemeClassifier(dictionary(tmp_path, EXCLUDING), nlp)
    texts = [" ".join(words) for words in word_lists]
    docs = list(nlp.pipe(texts))
    found = classifier.matcher.find_rows(docs, texts)
    resolved = classifier.resolve_many(found.rows, found.cues, classifier.keys, len(texts))
    assert resolved == [
        classifier.resolve_rows(f) for f in classifier.matcher.find_batch(docs, texts)
    ]


def _words_by_text(cache: ParseCache) -> dict[bytes, set[str]]:
    store = cache._load()
    ptr, ids = store.word_ptr.tolist(), store.word_ids.tolist()
    return {
        digest: {store.word_strings[w] for w in ids[ptr[t] : ptr[t + 1]]}
        for t, digest in enumerate(store.digests)
    }


def test_a_cache_built_on_several_processes_holds_every_word(tmp_path, nlp, survey, monkeypatch):
    # Each parsing process sends a word's string back once per run, whichever chunk it is in:
    # the cache must still hold every word of every text, as a run in one process makes it.
    classifier = ThemeClassifier(dictionary(tmp_path, DICTIONARY), nlp)
    alone = ParseCache(tmp_path / "alone", SAMPLE.name, pipeline_id(nlp))
    classifier.classify(survey, cache=alone, jobs=1)
    monkeypatch.setattr(workers, "MIN_TEXTS_PER_PROCESS", 10)
    monkeypatch.setattr(workers, "CHUNK_TEXTS", 25)
    together = ParseCache(tmp_path / "together", SAMPLE.name, pipeline_id(nlp))
    coding = classifier.classify(survey, cache=together, jobs=2)
    assert _words_by_text(ParseCache(tmp_path / "together", SAMPLE.name, pipeline_id(nlp))) == (
        _words_by_text(ParseCache(tmp_path / "alone", SAMPLE.name, pipeline_id(nlp)))
    )
    revised = ThemeClassifier(dictionary(tmp_path, REVISED, "revised.yaml"), nlp)
    again = ParseCache(tmp_path / "together", SAMPLE.name, pipeline_id(nlp))
    assert snapshot(revised.classify(survey, cache=again)) == snapshot(revised.classify(survey))
    assert snapshot(coding) == snapshot(classifier.classify(survey))


def _engine_copy(folder: Path) -> Path:
    """A copy of the files the cache key hashes, to edit without touching the package."""
    for name in ENGINE_SOURCES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PACKAGE_DIR / name, folder / name)
    return folder


def test_a_changed_negation_word_list_changes_the_cache_key(tmp_path):
    copy = _engine_copy(tmp_path)
    assert engine_version(copy) == engine_version()
    negation = copy / "nlp" / "negation.py"
    text = negation.read_text(encoding="utf-8")
    assert '"superb", ' in text
    negation.write_text(text.replace('"superb", ', '"superb", "dandy", ', 1), encoding="utf-8")
    assert engine_version(copy) != engine_version()


def test_a_changed_matching_module_changes_the_cache_key(tmp_path):
    copy = _engine_copy(tmp_path)
    matching = copy / "nlp" / "matching.py"
    matching.write_text(matching.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert engine_version(copy) != engine_version()


def test_the_key_hashes_every_module_a_cached_candidate_depends_on():
    # What parse_cache and workers import when they load, and what those import in turn, can
    # change a cached candidate; only error messages, how helper processes start and end, and
    # the garbage collector's pause cannot.
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        from test_imports import import_graph
    finally:
        sys.path.pop(0)
    graph = import_graph(deferred=False)
    needed, todo = set(), ["sendconsult.caches.parse", "sendconsult.nlp.workers"]
    while todo:
        module = todo.pop()
        if module not in needed:
            needed.add(module)
            todo += graph[module]
    needed -= {"sendconsult.errors", "sendconsult.memory", "sendconsult.processes", "sendconsult.resources", "sendconsult.writing"}
    hashed = {
        "sendconsult." + name.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        for name in ENGINE_SOURCES
    }
    assert needed <= hashed, sorted(needed - hashed)


def test_a_cache_made_by_other_code_is_ignored(tmp_path, nlp, survey, parsed, monkeypatch):
    classifier = ThemeClassifier(dictionary(tmp_path, DICTIONARY), nlp)
    classifier.classify(survey, cache=cache_for(tmp_path, nlp))
    parsed.clear()
    monkeypatch.setattr(parse_cache, "engine_version", lambda: "made-by-other-code")
    again = classifier.classify(survey, cache=cache_for(tmp_path, nlp))
    assert sum(parsed) == len(set(_texts(survey)))  # every text parsed afresh
    assert snapshot(again) == snapshot(classifier.classify(survey))
