"""Weak terms: they code a theme only beside a second term of the theme in the same answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sendconsult.caches.parse import ParseCache
from sendconsult.cli import app
from sendconsult.ingest import load_survey
from sendconsult.nlp.engine import ThemeClassifier
from sendconsult.nlp.pipeline import build_pipeline, pipeline_id
from sendconsult.nlp.weak_evidence import decided_by, weak_terms
from sendconsult.themes.loader import load_dictionary

DICTIONARY = """\
themes:
  - id: transport
    label: Home-to-school transport
    terms:
      - escort*
      - school transport
    weak:
      - taxi*
      - minibus
      - driver NEAR/3 late
    subthemes:
      - id: travel_training
        label: Travel training
        terms: [travel training]
        weak: [independent travel]
  - id: domiciliary_support
    label: Support at home
    terms: [home care, carer*]
    weak: [worker]
"""


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline()


@pytest.fixture
def themes_file(tmp_path: Path) -> Path:
    path = tmp_path / "themes.yaml"
    path.write_text(DICTIONARY, encoding="utf-8")
    return path


@pytest.fixture
def classifier(themes_file: Path, nlp) -> ThemeClassifier:  # noqa: ANN001
    return ThemeClassifier(load_dictionary(themes_file), nlp)


def coded(classifier: ThemeClassifier, nlp, text: str) -> set[str]:  # noqa: ANN001
    return {m.theme_id for m in classifier.match_doc(nlp(text), "q") if m.counts}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an incidental taxi in a story about a distant placement: weak alone, not coded
        ("He is placed 40 miles away so he spends two hours a day in a taxi.", set()),
        # the same weak word twice is still one piece of evidence
        ("The taxi is late. The taxi driver is kind.", set()),
        # weak + strong
        ("The taxi often turns up without an escort.", {"transport"}),
        # two different weak terms on different words
        ("First a taxi, then a minibus, and he is exhausted.", {"transport"}),
        # a weak NEAR term with a strong term
        ("The driver was late again and there was no escort.", {"transport"}),
        # weak term of a sub-theme, supported by a strong term of its parent
        ("Independent travel matters; school transport should teach it.", {"transport"}),
        # weak term of the parent, supported by a strong term of a sub-theme
        ("Travel training would get him off the minibus.", {"transport"}),
        # a sub-theme's weak term alone
        ("Independent travel is a long way off for him.", set()),
        # a family support worker as a job title: weak alone
        ("Our family support worker helped with the forms.", set()),
        ("The worker from the home care agency never stays long.", {"domiciliary_support"}),
        # strong terms of another theme do not support a weak term
        ("The taxi firm's worker was rude.", set()),
    ],
)
def test_weak_terms_need_a_second_term_of_the_theme(classifier, nlp, text, expected):
    assert coded(classifier, nlp, text) == expected


def test_a_negated_strong_term_supports_nothing(classifier, nlp):
    text = "No problems with the escort, but he is in a taxi for two hours."
    matches = classifier.match_doc(nlp(text), "q")
    assert {m.term: m.vetoed_by is not None for m in matches} == {"escort*": True, "taxi*": True}
    taxi = next(m for m in matches if m.term == "taxi*")
    assert taxi.vetoed_by == "weak: taxi*, needs a second term of the theme"
    assert coded(classifier, nlp, text) == set()


def test_an_unsupported_weak_match_says_why(classifier, nlp):
    [match] = classifier.match_doc(nlp("He goes by taxi."), "q")
    assert match.vetoed_by == "weak: taxi*, needs a second term of the theme"


def test_decided_by_names_the_rule(classifier, nlp, themes_file):
    weak = weak_terms(load_dictionary(themes_file))
    strong = classifier.match_doc(nlp("The taxi came without an escort."), "q")
    notes = {m.term: decided_by(m, strong, weak) for m in strong}
    assert notes == {"taxi*": "weak + strong (escort*)", "escort*": None}
    two_weak = classifier.match_doc(nlp("A taxi one day, a minibus the next."), "q")
    notes = {m.term: decided_by(m, two_weak, weak) for m in two_weak}
    assert notes == {"taxi*": "weak + weak (minibus)", "minibus": "weak + weak (taxi*)"}


def export_rows() -> list[list[str]]:
    return [
        ["Response ID", "What do you think?", "Anything else?"],
        ["R1", "He spends two hours a day in a taxi to his special school.", ""],
        ["R2", "The taxi has no escort and the driver changes every week.", ""],
        # rules apply within one answer: weak in one, strong in another answer codes nothing
        ["R3", "He goes by taxi.", "I want the escort to be trained."],
        ["R4", "Our family support worker was brilliant.", "Home care is hard to find."],
        ["R5", "", "A minibus and a taxi on alternate days."],
    ]


def test_a_whole_export_with_and_without_the_parse_cache(classifier, nlp, write_csv, tmp_path):
    """The array path (resolve_many) and the cached path decide as one text does."""
    survey = load_survey(write_csv(export_rows()))
    expected = {
        "R1": [],
        "R2": ["transport"],
        "R3": ["transport"],  # the escort answer codes it by itself
        "R4": ["domiciliary_support"],
        "R5": ["transport"],
    }
    fresh = classifier.classify(survey)
    assert {rid: fresh.themes_of(rid) for rid in expected} == expected
    # R3's taxi is still vetoed: its answer has no second term of the theme
    taxi = [m for m in fresh.matches["R3"] if m.term == "taxi*"]
    assert taxi[0].vetoed_by == "weak: taxi*, needs a second term of the theme"
    cache = ParseCache(tmp_path / "cache", "export.csv", pipeline_id(nlp))
    first = classifier.classify(survey, cache=cache)
    again = classifier.classify(
        survey, cache=ParseCache(tmp_path / "cache", "export.csv", pipeline_id(nlp))
    )
    for run in (first, again):
        assert run.codes.equals(fresh.codes)
        assert run.matches == fresh.matches


def test_moving_a_term_to_weak_is_decided_on_a_cached_rerun(nlp, write_csv, tmp_path):
    """The cache keeps candidates, not decisions: a term moved from terms to weak takes effect."""
    survey = load_survey(write_csv(export_rows()))
    strong = tmp_path / "strong.yaml"
    strong.write_text(DICTIONARY.replace("    weak:\n      - taxi*\n", "      - taxi*\n    weak:\n"))
    before = ThemeClassifier(load_dictionary(strong), nlp)
    cache_dir = tmp_path / "cache"
    coded_before = before.classify(survey, cache=ParseCache(cache_dir, "e.csv", pipeline_id(nlp)))
    assert coded_before.themes_of("R1") == ["transport"]
    weak = tmp_path / "weak.yaml"
    weak.write_text(DICTIONARY)
    after = ThemeClassifier(load_dictionary(weak), nlp)
    coded_after = after.classify(survey, cache=ParseCache(cache_dir, "e.csv", pipeline_id(nlp)))
    assert coded_after.themes_of("R1") == []


@pytest.fixture
def wide(monkeypatch):
    """Print tables wide enough that a cell is not wrapped."""
    from sendconsult.cli import common

    monkeypatch.setattr(common.out, "width", 250)
    monkeypatch.setattr(common.err, "width", 250)


def test_explain_shows_which_rule_decided(themes_file, wide):
    text = "The taxi came with no escort. We went by taxi."
    result = CliRunner().invoke(app, ["explain", text, "--themes", str(themes_file)])
    assert result.exit_code == 0, result.output
    assert "yes (weak + strong (escort*))" in result.output
    text = "He goes to school by taxi."
    result = CliRunner().invoke(app, ["explain", text, "--themes", str(themes_file)])
    assert "no (weak: taxi*, needs a second term of the theme)" in result.output
    assert "Themes: none" in result.output


def test_spreadsheet_dictionary_weak_column(tmp_path, nlp):
    path = tmp_path / "themes.csv"
    path.write_text(
        "theme,term,weak\ntransport,escort*,\ntransport,taxi*,yes\n", encoding="utf-8"
    )
    dictionary = load_dictionary(path)
    [theme] = dictionary.themes
    assert [t.text for t in theme.terms] == ["escort*"]
    assert [t.text for t in theme.weak] == ["taxi*"]
    classifier = ThemeClassifier(dictionary, nlp)
    assert coded(classifier, nlp, "He goes by taxi.") == set()
    assert coded(classifier, nlp, "His taxi has no escort.") == {"transport"}


def test_evaluate_errors_show_which_rule_decided(themes_file, write_csv, tmp_path, wide):
    export = write_csv(export_rows())
    gold = tmp_path / "gold.csv"
    # R1 is a false negative (taxi alone, vetoed as weak); R5 a false positive (two weak terms)
    gold.write_text(
        "response_id,transport,domiciliary_support\n"
        "R1,1,0\nR2,1,0\nR3,1,0\nR4,0,1\nR5,0,0\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["evaluate", str(export), "--gold", str(gold), "--themes", str(themes_file)]
    )
    assert result.exit_code == 0, result.output
    assert "'taxi' (term taxi*, weak: taxi*, needs a second term of the theme)" in result.output
    assert "'minibus' (term minibus, weak + weak (taxi*))" in result.output


def test_the_array_path_and_the_per_text_path_decide_alike(nlp, tmp_path):
    """Every answer of the sample, with the shipped dictionary and its weak terms plus a few
    more: a whole-export run gives each answer exactly the matches explain gives it."""
    from sendconsult.resources import default_dictionary

    sample = Path(__file__).parent.parent / "sample_responses" / "leicester_send_strategy_2019.csv"
    survey = load_survey(sample)
    dictionary = load_dictionary(default_dictionary())
    for theme_id, word in [("transport", "escort*"), ("post_16", "college*"), ("placements", "placement*")]:
        theme = dictionary.theme(theme_id)
        theme.weak.append(next(t for t in theme.terms if t.text == word))
        theme.terms = [t for t in theme.terms if t.text != word]
    classifier = ThemeClassifier(dictionary, nlp)
    coding = classifier.classify(survey)
    vetoed_as_weak = 0
    for response_id in coding.codes.index:
        expected = [
            m
            for question, answer in survey.texts(response_id).items()
            for m in classifier.match_doc(nlp(answer), question)
        ]
        assert sorted(coding.matches.get(response_id, [])) == sorted(expected), response_id
        vetoed_as_weak += sum((m.vetoed_by or "").startswith("weak:") for m in expected)
    assert vetoed_as_weak > 10  # the weak rule had work to do


def test_weak_terms_survive_writing_the_dictionary_back(themes_file, tmp_path):
    from sendconsult.themes.writer import dump_yaml

    written = tmp_path / "written.yaml"
    written.write_text(dump_yaml(load_dictionary(themes_file)), encoding="utf-8")
    again = load_dictionary(written)
    assert [t.text for t in again.theme("transport").weak] == ["taxi*", "minibus", "driver NEAR/3 late"]
    assert [t.text for t in again.theme("travel_training").weak] == ["independent travel"]
