"""NEAR in either order and within one sentence, and the reach of exclude phrases.

README: "A NEAR/N B matches when A and B are at most N words apart, in either order, in one
sentence" and "exclude phrases cancel a match of the same theme when they overlap it or are
within 3 words of it in the same sentence".

Distances are counted from the last word of the side that comes first to the first word of
the other: in "choice and a little control" the two are 4 words apart (3 words between).
"""

from __future__ import annotations

import itertools
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.strings import hash_string

from sendconsult.nlp.engine import EXCLUDE_WINDOW, ThemeClassifier
from sendconsult.nlp.matching import TermMatcher
from sendconsult.themes.model import Theme, ThemeDictionary
from sendconsult.themes.terms import TermSyntaxError, parse_term


def terms(*texts: str) -> list:
    return [parse_term(t) for t in texts]


@pytest.fixture(scope="module")
def classifier(nlp):
    dictionary = ThemeDictionary(
        themes=[
            Theme(
                "personal_budgets",
                "Personal budgets",
                terms=terms("choice NEAR/4 control", "employ NEAR/6 own"),
            ),
            Theme(
                "joint_commissioning",
                "Joint commissioning",
                terms=terms("health NEAR/3 social care", "fund* NEAR/5 health"),
            ),
            Theme(
                "post_16",
                "Post-16",
                terms=terms("college", "sixth form"),
                exclude=terms("royal college", "nursing"),
            ),
            Theme("short_breaks", "Short breaks", terms=terms("short break*", "respite")),
            Theme("holiday", "Holiday clubs", terms=terms("holiday club*"), parent="short_breaks"),
        ]
    )
    dictionary.theme("short_breaks").exclude.extend(terms("lunch"))
    return ThemeClassifier(dictionary, nlp)


def counted(classifier, nlp, text: str) -> set[str]:
    return {m.theme_id for m in classifier.match_doc(nlp(text), "q") if m.counts}


def vetoes(classifier, nlp, text: str) -> list[str | None]:
    return [m.vetoed_by for m in classifier.match_doc(nlp(text), "q")]


# -- NEAR ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "We want real choice and more control over who supports him.",  # A before B, 3 apart
        "We want control and real choice over who supports him.",  # B before A
        "We had no control, and no choice either.",  # B before A, 4 apart, commas count
        "She would like to employ her own PA.",  # structured-style pair, 3 apart
        "We could have our own PA if we could employ one.",  # B first, 5 apart
    ],
)
def test_near_matches_in_either_order(classifier, nlp, text):
    assert counted(classifier, nlp, text) == {"personal_budgets"}


def test_near_matched_words_are_both_sides(classifier, nlp):
    text = "More control and choice would help."
    matches = classifier.match_doc(nlp(text), "q")
    assert [text[m.start : m.end] for m in matches] == ["control", "choice"]
    assert {m.term for m in matches} == {"choice NEAR/4 control"}


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("choice and a little control", True),  # 4 apart
        ("control and a little choice", True),  # the same, reversed
        ("choice and a little more control", False),  # 5 apart
        ("control and a little more choice", False),  # the same, reversed
    ],
)
def test_near_distance_is_the_same_both_ways(classifier, nlp, text, matches):
    assert (counted(classifier, nlp, text) == {"personal_budgets"}) is matches


@pytest.mark.parametrize(
    "text",
    [
        "Health and then social care come in.",  # the one-word side first: 3 apart
        "Social care and then health come in.",  # the phrase first: 'care' to 'health', 3
        "Health, social care: nobody talks.",
        "Social care, health: nobody talks.",
    ],
)
def test_a_side_of_several_words_is_as_near_either_way(classifier, nlp, text):
    assert counted(classifier, nlp, text) == {"joint_commissioning"}


@pytest.mark.parametrize(
    "text",
    [
        "Health said one thing and then social care said another.",  # 6 apart
        "Social care said one thing and then health said another.",
    ],
)
def test_a_side_of_several_words_too_far_either_way(classifier, nlp, text):
    assert counted(classifier, nlp, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "We were given no choice. Control was taken away from us.",
        "We were given no control! Choice is a word they use in leaflets.",
        "Is there any choice? Control seems to sit with the panel.",
        "choice\ncontrol",  # a new line starts a new sentence (bullet lists)
        "Social care were late. Health never came.",
    ],
)
def test_near_does_not_cross_a_sentence_boundary(classifier, nlp, text):
    assert counted(classifier, nlp, text) == set()


def test_near_pairs_within_a_sentence_even_when_one_side_is_also_elsewhere(classifier, nlp):
    text = "Choice matters to us. We want choice and control."
    matches = classifier.match_doc(nlp(text), "q")
    assert [(m.matched, m.start) for m in matches] == [("choice", 30), ("control", 41)]


def test_near_with_a_wildcard_side(classifier, nlp):
    assert counted(classifier, nlp, "It is funded jointly by health.") == {"joint_commissioning"}
    assert counted(classifier, nlp, "Health never agreed to the funding.") == {
        "joint_commissioning"
    }
    assert counted(classifier, nlp, "Health is one thing. Funding is another.") == set()


FILLER = ["the", "team", "said", "we", "might", "get", "some", "more", "help", "soon"]


@settings(max_examples=80, deadline=None)
@given(
    between=st.integers(0, 8),
    distance=st.integers(1, 7),
    reverse=st.booleans(),
    left=st.sampled_from(["choice", "social care", "short term support"]),
)
def test_near_is_at_most_n_words_apart_in_either_order(nlp, between, distance, reverse, left):
    dictionary = ThemeDictionary(
        themes=[Theme("t", "T", terms=terms(f"{left} NEAR/{distance} control"))]
    )
    classifier = ThemeClassifier(dictionary, nlp)
    sides = [left, "control"]
    if reverse:
        sides.reverse()
    text = " ".join([sides[0], *FILLER[:between], sides[1]])
    found = {m.theme_id for m in classifier.match_doc(nlp(text), "q") if m.counts}
    assert (found == {"t"}) is (between + 1 <= distance), text


# -- exclude ------------------------------------------------------------------------------------


def test_exclude_window_is_three_words():
    assert EXCLUDE_WINDOW == 3


@pytest.mark.parametrize(
    ("text", "veto"),
    [
        ("The Royal College of Nursing backs this plan.", "exclude: royal college"),  # overlaps
        ("She trained at the college of nursing in Leicester.", "exclude: nursing"),  # 1 between
        ("The college runs courses for nursing staff.", "exclude: nursing"),  # 3 between
        ("The college ran a course for nursing staff.", None),  # 4 between
        ("The college ran a short course for nursing staff.", None),  # 5 between
        ("Nursing staff say the college is full.", "exclude: nursing"),  # before, 3 between
        ("Nursing staff said that the college is full.", None),  # before, 4 between
        ("Nursing staff from the team told us the college was full.", None),  # before, 7 between
    ],
)
def test_exclude_vetoes_within_three_words_only(classifier, nlp, text, veto):
    assert vetoes(classifier, nlp, text) == [veto]
    assert counted(classifier, nlp, text) == (set() if veto else {"post_16"})


@pytest.mark.parametrize(
    "text",
    [
        "I work in nursing. College places for my son are the problem.",
        "Nursing!\nCollege is where he wants to go.",
    ],
)
def test_exclude_does_not_reach_into_another_sentence(classifier, nlp, text):
    assert vetoes(classifier, nlp, text) == [None]
    assert counted(classifier, nlp, text) == {"post_16"}


def test_exclude_only_vetoes_its_own_theme(classifier, nlp):
    text = "The nursing college offers respite."  # 'nursing' is 2 words from 'respite'
    assert [(m.matched, m.vetoed_by) for m in classifier.match_doc(nlp(text), "q")] == [
        ("college", "exclude: nursing"),
        ("respite", None),
    ]
    assert counted(classifier, nlp, text) == {"short_breaks"}


def test_exclude_of_a_theme_vetoes_its_sub_themes(classifier, nlp):
    vetoed = "The lunch time holiday club was cancelled."  # 'lunch' is 1 word from the club
    assert vetoes(classifier, nlp, vetoed) == ["exclude: lunch"]
    assert counted(classifier, nlp, vetoed) == set()
    kept = "We miss the holiday club terribly since it closed."
    assert counted(classifier, nlp, kept) == {"short_breaks"}


def test_one_exclude_nearby_does_not_veto_a_mention_further_on(classifier, nlp):
    text = "The College of Nursing is next door to the sixth form, and his college is full."
    found = [(m.matched, m.vetoed_by) for m in classifier.match_doc(nlp(text), "q")]
    assert found == [
        ("College", "exclude: nursing"),
        ("sixth form", None),
        ("college", None),
    ]


# -- NEAR terms that could never mean what they say are refused ---------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("* NEAR/3 school", "a wildcard needs at least 3 letters before '*'"),
        ("ta* NEAR/3 support", "a wildcard needs at least 3 letters before '*'"),
        ("school NEAR/3 ta*", "a wildcard needs at least 3 letters before '*'"),
        ("NEAR/3 school", "NEAR needs words on both sides"),
        ("school near/3", "NEAR needs words on both sides"),
    ],
)
def test_near_syntax_errors(text, message):
    with pytest.raises(TermSyntaxError, match=message):
        parse_term(text)


def test_near_in_lower_case_and_near_as_a_word_still_work():
    assert parse_term("health near/5 council").kind.value == "near"
    assert parse_term("near home").kind.value == "phrase"


def test_long_runs_of_punctuation_neither_hang_nor_shift_the_evidence(nlp):
    """spaCy's tokenizer takes quadratic time on a run of punctuation (40,000 '!' took minutes);
    such runs are blanked past their start for tokenizing, keeping every offset."""
    import time
    from pathlib import Path

    import pandas as pd

    from sendconsult.nlp.pipeline import PUNCTUATION_RUN_KEPT, tokenizable
    from sendconsult.resources import default_dictionary
    from sendconsult.survey import Consent, Layout, Survey
    from sendconsult.themes.loader import load_dictionary

    answer = "We waited!!" + "!" * 40_000 + " The escort never came" + "?" * 5_000 + " (respite ____"
    tamed = tokenizable(answer)
    assert len(tamed) == len(answer)
    assert tamed.startswith("We waited" + "!" * PUNCTUATION_RUN_KEPT + " ")
    assert tamed.count("?") == PUNCTUATION_RUN_KEPT and tamed.endswith(" (respite ____")
    assert tokenizable("Fine!!! Thank you...") == "Fine!!! Thank you..."
    doc = nlp(answer)  # the pipeline's own tokenizer tames every text it is given
    assert len(doc) < 100 and doc.text == tamed
    frame = pd.DataFrame(
        {"response_id": ["R1"], "source_row": [2], "groups": [[]], "groups_raw": [""],
         "consent": [Consent.PUBLISH], "Why?": [answer]}
    )  # fmt: skip
    survey = Survey(Path("x.csv"), Layout.GENERIC, frame, ["Why?"], [], [])
    classifier = ThemeClassifier(load_dictionary(default_dictionary()), nlp)
    started = time.perf_counter()
    coding = classifier.classify(survey)
    assert time.perf_counter() - started < 20  # minutes before the fix
    (rid,) = coding.codes.index
    matched = {m.theme_id: answer[m.start : m.end] for m in coding.evidence(rid)}
    assert matched["transport"] == "escort" and matched["short_breaks"] == "respite"


@pytest.mark.parametrize(
    "run",
    ["_" * 500, "_!" * 250, "!" * 500, "-." * 250],
    ids=["underscores", "underscores and marks", "marks", "mixed marks"],
)
def test_every_kind_of_long_punctuation_run_is_blanked_past_its_start(run):
    """Underscores are as slow for spaCy's tokenizer as other punctuation, alone or mixed."""
    from sendconsult.nlp.pipeline import PUNCTUATION_RUN_KEPT, tokenizable

    text = f"Please sign here {run} and return the form to school."
    tamed = tokenizable(text)
    assert len(tamed) == len(text)
    assert tamed == text.replace(
        run, run[:PUNCTUATION_RUN_KEPT] + " " * (len(run) - PUNCTUATION_RUN_KEPT)
    )


def test_the_progress_total_is_the_number_of_distinct_texts_parsed():
    """count_answers (the progress bar's total) counts exactly the distinct texts classify
    parses: repeated answers once, blanks not at all, an over-long answer as its pieces."""
    from pathlib import Path

    import pandas as pd

    from sendconsult.nlp.engine import answer_pieces, count_answers
    from sendconsult.survey import Consent, Layout, Survey

    long_answer = " ".join(f"In week {i} we were still waiting for the plan." for i in range(30))
    answers = {
        "Why?": ["No respite at all.", "No respite at all.", "  ", None, long_answer],
        "Else?": ["No respite at all.", "Taxi late.", "", "Taxi late.", "ok"],
    }
    frame = pd.DataFrame(
        {"response_id": [f"R{i}" for i in range(5)], "source_row": range(2, 7),
         "groups": [[]] * 5, "groups_raw": [""] * 5, "consent": [Consent.PUBLISH] * 5,
         **answers}
    )  # fmt: skip
    survey = Survey(Path("x.csv"), Layout.GENERIC, frame, ["Why?", "Else?"], [], [])
    for max_length in (10_000, 600):  # whole, and cut into pieces of at most 300 characters
        pieces = {text for _, _, text, _ in answer_pieces(survey, max_length)}
        assert count_answers(survey, max_length) == len(pieces)
    assert count_answers(survey, 10_000) == 4
    assert count_answers(survey, 600) >= 3 + 5  # 1,400 characters: five pieces or more


# -- many texts at once ---------------------------------------------------------------------------

BATCH_WORDS = [
    "short", "breaks", "break", "holiday", "clubs", "health", "funding", "funded", "social",
    "care", "choice", "control", "college", "royal", "not", "never", ".", "\n", "the", "we",
]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(BATCH_WORDS), max_size=12), min_size=2, max_size=6))
def test_texts_parsed_together_find_what_each_finds_alone(classifier, nlp, word_lists):
    # Texts are parsed and matched in batches, their words end to end: no term, wildcard's
    # leading word, NEAR pair or sentence may reach from one text into the next.
    texts = [" ".join(words) for words in word_lists]
    matcher = classifier.matcher
    together = matcher.find_batch(list(matcher.parse(texts, 8)), texts)
    docs = matcher.parse(texts, 8)
    alone = [matcher.find(doc, text) for doc, text in zip(docs, texts, strict=True)]
    assert together == alone


def test_a_wildcard_s_leading_word_at_the_end_of_the_previous_text_does_not_count(classifier):
    texts = ["Our daughter needs a short", "breaks would help", "short breaks would help"]
    matcher = classifier.matcher
    found = matcher.find_batch(list(matcher.parse(texts, 8)), texts)
    assert found[1] == {}
    assert list(found[2]) == ["wildcard:short break"]


def _word_in_the_same_bucket(word: str) -> str:
    """A lower-case word, not starting like `word`, whose hash has the same low 16 bits: the
    wildcard index rules words out by those bits before it looks them up."""
    target = hash_string(word) & 0xFFFF
    for letters in itertools.product(string.ascii_lowercase, repeat=4):
        candidate = "zz" + "".join(letters)
        if hash_string(candidate) & 0xFFFF == target:
            return candidate
    raise AssertionError("no word shares the bucket")  # 456,976 tries: cannot happen


def test_a_word_that_shares_a_wildcard_word_s_hash_bits_is_not_taken_for_it(nlp):
    lookalike = _word_in_the_same_bucket("commissioning")
    matcher = TermMatcher(nlp, terms("commission*"))
    texts = ["Joint commissioning is slow", f"The {lookalike} was slow", "commissioned late"]
    found = matcher.find_batch(list(matcher.parse(texts, 8)), texts)
    assert [list(f) for f in found] == [["wildcard:commission"], [], ["wildcard:commission"]]
    assert found[0]["wildcard:commission"][0].start == 1
