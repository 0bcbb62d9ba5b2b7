"""Representative quotes: how many, from whom, that they code to their theme, and redaction."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from sendconsult.campaigns import Campaign, CampaignResult, detect_campaigns
from sendconsult.coding import Coding, Match
from sendconsult.ingest import load_survey
from sendconsult.nlp.engine import ThemeClassifier
from sendconsult.privacy import Redactor
from sendconsult.quotes import quote_redactor, representative_quotes
from sendconsult.resources import default_dictionary
from sendconsult.survey import (
    CONSENT,
    GROUPS,
    GROUPS_RAW,
    RESPONSE_ID,
    SOURCE_ROW,
    Consent,
    Layout,
    Survey,
)
from sendconsult.themes.loader import load_dictionary

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_responses" / "leicester_send_strategy_2019.csv"
QUESTION = "Your comments"
FILLER = "and it has made family life much harder for all of us this year"


def _survey(rows: list[tuple[str, list[str], Consent, str]]) -> Survey:
    """A survey of one free-text question from (id, groups, consent, answer) rows."""
    frame = pd.DataFrame(
        {
            RESPONSE_ID: [r[0] for r in rows],
            SOURCE_ROW: list(range(2, len(rows) + 2)),
            GROUPS: [r[1] for r in rows],
            GROUPS_RAW: [", ".join(r[1]) for r in rows],
            CONSENT: [r[2] for r in rows],
            QUESTION: [r[3] for r in rows],
        }
    )
    return Survey(Path("export.csv"), Layout.GENERIC, frame, [QUESTION], [], [])


def _coding(survey: Survey, term: str = "respite", vetoed: set[str] = frozenset()) -> Coding:
    """Theme 'short_breaks' coded wherever `term` appears; one sentence per answer."""
    ids = list(survey.responses[RESPONSE_ID])
    matches: dict[str, list[Match]] = {}
    codes = []
    for rid, text in zip(ids, survey.responses[QUESTION], strict=True):
        at = text.find(term)
        if at < 0:
            codes.append(0)
            continue
        veto = "negation: test" if rid in vetoed else None
        matches[rid] = [
            Match(
                "short_breaks", "short_breaks", term, term, QUESTION, at, at + len(term), text, veto
            )
        ]
        codes.append(0 if veto else 1)
    frame = pd.DataFrame({"short_breaks": codes}, index=pd.Index(ids, name=RESPONSE_ID))
    return Coding(["short_breaks"], frame, matches)


def _answer(number: int, extra: str = "") -> str:
    return f"We waited {number} months for any respite at all {FILLER}{extra}."


def test_at_most_ten_quotes_and_the_limit_is_respected():
    rows = [(f"R{i}", ["Parent"], Consent.PUBLISH, _answer(i)) for i in range(40)]
    survey = _survey(rows)
    quotes = representative_quotes(survey, _coding(survey), campaigns=None, redactor=None)
    assert len(quotes["short_breaks"]) == 10
    three = representative_quotes(
        survey, _coding(survey), campaigns=None, redactor=None, per_theme=3
    )
    assert len(three["short_breaks"]) == 3


def test_quotes_are_spread_across_groups_before_a_second_from_any_group():
    # The best-scoring answers (about 30 words) all come from parents; teachers and young
    # people write shorter answers that score lower, yet each group is quoted before a second
    # parent is.
    long_tail = " because nobody at the council returned a single call or e-mail about it"
    rows = [(f"P{i}", ["Parent"], Consent.PUBLISH, _answer(i, long_tail)) for i in range(12)]
    rows += [(f"T{i}", ["Teacher"], Consent.PUBLISH, _answer(20 + i)) for i in range(2)]
    rows += [("Y0", ["Young person"], Consent.PUBLISH, _answer(30))]
    rows += [("N0", [], Consent.PUBLISH, _answer(99))]
    survey = _survey(rows)
    quotes = representative_quotes(survey, _coding(survey), campaigns=None, redactor=None)
    chosen = quotes["short_breaks"]
    assert len(chosen) == 10
    first_four = [q.groups[0] if q.groups else "Not stated" for q in chosen[:4]]
    assert sorted(first_four) == ["Not stated", "Parent", "Teacher", "Young person"]
    counts = Counter(q.groups[0] if q.groups else "Not stated" for q in chosen)
    assert counts == {"Parent": 6, "Teacher": 2, "Young person": 1, "Not stated": 1}
    assert chosen[0].groups == ("Parent",)  # the best quote leads


def test_each_quote_codes_to_its_theme():
    rows = [(f"R{i}", ["Parent"], Consent.PUBLISH, _answer(i)) for i in range(6)]
    rows += [("X1", ["Parent"], Consent.PUBLISH, f"The school transport is always late {FILLER}.")]
    rows += [("V1", ["Parent"], Consent.PUBLISH, _answer(77))]  # its only match is vetoed
    survey = _survey(rows)
    coding = _coding(survey, vetoed={"V1"})
    coding.codes.loc["R0", "short_breaks"] = 0  # an officer removed this code
    chosen = representative_quotes(survey, coding, campaigns=None, redactor=None)["short_breaks"]
    assert {q.response_id for q in chosen} == {"R1", "R2", "R3", "R4", "R5"}
    for quote in chosen:
        assert coding.codes.at[quote.response_id, "short_breaks"] == 1
        evidence = coding.evidence(quote.response_id, "short_breaks")
        assert any(m.sentence == quote.text and m.matched in quote.text for m in evidence)


def test_short_sentences_campaigns_and_repeated_words_are_not_quoted_twice():
    same = _answer(5)
    rows = [
        ("S1", ["Parent"], Consent.PUBLISH, "No respite at all."),  # under six words
        ("C1", ["Parent"], Consent.PUBLISH, _answer(1)),
        ("C2", ["Teacher"], Consent.PUBLISH, _answer(2)),
        ("D1", ["Parent"], Consent.PUBLISH, same),
        ("D2", ["Teacher"], Consent.PUBLISH, same.upper().replace("RESPITE", "respite")),
        ("R1", ["Parent"], Consent.PUBLISH, _answer(9)),
    ]
    survey = _survey(rows)
    campaigns = CampaignResult(
        [Campaign("C1", 2, ("C1", "C2"), _answer(1))], {"C1": "C1", "C2": "C1"}
    )
    chosen = representative_quotes(survey, _coding(survey), campaigns=campaigns, redactor=None)
    ids = [q.response_id for q in chosen["short_breaks"]]
    assert "S1" not in ids
    assert len({"C1", "C2"} & set(ids)) == 1
    assert len({"D1", "D2"} & set(ids)) == 1
    assert "R1" in ids


SECRETS = {
    "P1": ("Our son Jack waited 9 months for respite", "Jack"),
    "A1": ("My daughter Amira waited 9 months for respite, call 07700 900456", "Amira"),
    "A2": ("Write to jo.bloggs@example.com: we waited 9 months for any respite", "jo.bloggs"),
    "W1": ("My son Oliver waited 9 months for respite and nothing was offered", "Oliver"),
}


def _consent_survey() -> Survey:
    consent = {"P": Consent.PUBLISH, "A": Consent.ANONYMOUS, "W": Consent.WITHHOLD}
    rows = [
        (rid, ["Parent"], consent[rid[0]], f"{text} {FILLER}.")
        for rid, (text, _) in SECRETS.items()
    ]
    rows.append(
        (
            "U1",
            ["Parent"],
            Consent.UNKNOWN,
            "Ask Mrs Patel: we waited months for respite " + FILLER + ".",
        )
    )
    return _survey(rows)


def test_withheld_never_quoted_anonymous_always_redacted():
    survey = _consent_survey()
    coding = _coding(survey)
    unredacted = representative_quotes(survey, coding, campaigns=None, redactor=None)
    by_id = {q.response_id: q.text for q in unredacted["short_breaks"]}
    assert set(by_id) == {"P1", "A1", "A2", "U1"}  # W1 asked not to be published
    # --no-redact: published and unknown-consent answers are shown as written ...
    assert "Jack" in by_id["P1"] and "Mrs Patel" in by_id["U1"]
    # ... but anonymous respondents are quoted without identifying details, always.
    assert "Amira" not in by_id["A1"] and "07700 900456" not in by_id["A1"]
    assert "[NAME]" in by_id["A1"] and "[PHONE]" in by_id["A1"]
    assert "jo.bloggs@example.com" not in by_id["A2"] and "[EMAIL]" in by_id["A2"]
    redacted = representative_quotes(survey, coding, campaigns=None, redactor=Redactor())
    shown = {q.response_id: q.text for q in redacted["short_breaks"]}
    assert "Jack" not in shown["P1"] and "[NAME]" in shown["P1"]
    assert "Patel" not in shown["U1"]
    assert shown["A1"] == by_id["A1"]


def test_quote_redactor_rule():
    own = Redactor()
    for consent in Consent:
        assert quote_redactor(consent, own) is own  # redaction on: the report's redactor
    assert quote_redactor(Consent.ANONYMOUS, None) is not None
    for consent in (Consent.PUBLISH, Consent.UNKNOWN, Consent.WITHHOLD, None):
        assert quote_redactor(consent, None) is None


# -- on the sample export, coded by the real pipeline ------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory, nlp):
    folder = tmp_path_factory.mktemp("quotes")
    export = folder / SAMPLE.name
    shutil.copy(SAMPLE, export)
    survey = load_survey(export)
    coding = ThemeClassifier(load_dictionary(default_dictionary()), nlp).classify(survey)
    campaigns = detect_campaigns(survey)
    quotes = representative_quotes(survey, coding, campaigns=campaigns, redactor=Redactor(nlp))
    return survey, coding, campaigns, quotes


def test_sample_quotes(sample):
    survey, coding, campaigns, quotes = sample
    frame = survey.responses
    consent = dict(zip(frame[RESPONSE_ID], frame[CONSENT], strict=True))
    groups = dict(zip(frame[RESPONSE_ID], frame[GROUPS], strict=True))
    redactor = Redactor()
    assert set(quotes) == set(coding.theme_ids)
    for theme, chosen in quotes.items():
        assert 1 <= len(chosen) <= 10, theme
        ids = [q.response_id for q in chosen]
        assert len(ids) == len(set(ids)), theme
        in_campaigns = [campaigns.by_response[r] for r in ids if r in campaigns.by_response]
        assert len(in_campaigns) == len(set(in_campaigns)), theme
        for quote in chosen:
            rid = quote.response_id
            assert coding.codes.at[rid, theme] == 1
            assert consent[rid] is not Consent.WITHHOLD
            assert quote.groups == tuple(groups[rid])
            sentences = {m.sentence.strip() for m in coding.evidence(rid, theme)}
            assert quote.text in {redactor.redact(s) for s in sentences}, (theme, quote)
        # Spread: every group with a quotable respondent is quoted, up to the limit.
        quotable = {
            (groups[rid] or ["Not stated"])[0]
            for rid in coding.coded_ids(theme)
            if consent[rid] is not Consent.WITHHOLD
            and any(len(m.sentence.split()) >= 6 for m in coding.evidence(rid, theme))
        }
        quoted = {(list(q.groups) or ["Not stated"])[0] for q in chosen}
        assert len(quoted) == min(len(quotable), len(chosen)), (theme, quoted, quotable)
        assert quoted <= quotable


def test_a_theme_central_to_an_answer_is_quoted_before_a_passing_mention():
    """Same group: the respondent who mentions respite twice is quoted before one who mentions
    it once, in passing, at the end of a long answer, though that sentence's length scores
    better (30 words against 12)."""
    passing = (
        "The school has been good to us. The SENCO listens. The annual review was on time. "
        "We also got a leaflet about respite in the post last week along with the letters about "
        "the new term, the uniform list and the dates for the summer fair at school."
    )
    central = "We have had no respite in two years; we need respite now."
    survey = _survey(
        [
            ("R1", ["Parent"], Consent.PUBLISH, passing),
            ("R2", ["Parent"], Consent.PUBLISH, central),
        ]
    )
    ids = ["R1", "R2"]
    at = passing.find("respite")
    last = passing[passing.rfind(". ", 0, at) + 2 :]
    matches = {
        "R1": [Match("short_breaks", "short_breaks", "respite", "respite", QUESTION, at, at + 7, last, None)],
        "R2": [
            Match("short_breaks", "short_breaks", "respite", "respite", QUESTION, s, s + 7, central, None)
            for s in (central.find("respite"), central.rfind("respite"))
        ],
    }
    frame = pd.DataFrame({"short_breaks": [1, 1]}, index=pd.Index(ids, name=RESPONSE_ID))
    coding = Coding(["short_breaks"], frame, matches)
    quotes = representative_quotes(survey, coding, campaigns=None, redactor=None, per_theme=1)
    assert [q.response_id for q in quotes["short_breaks"]] == ["R2"]
