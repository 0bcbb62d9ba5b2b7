"""Every shipped sample export is read with the right layout, roles and groups."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendconsult.ingest import load_survey
from sendconsult.survey import Consent, Layout, Role

SAMPLES = Path(__file__).resolve().parent.parent / "sample_responses"

GROUP_Q = "In what capacity are you responding? (tick all that apply)"
TEXT_QS = [
    "Please tell us why you agree or disagree with the priorities in the draft strategy.",
    "What one thing would make the biggest difference to children and young people with SEND and their families?",
    "Do you have any other comments on the draft SEND strategy?",
]
OPTIONS = {
    "Parent or carer of a child or young person with SEND",
    "Young person with SEND (aged 11-25)",
    "Education professional (school, college or early years setting)",
    "Health professional (e.g. therapist, nurse, paediatrician)",
    "Social care professional",
    "Voluntary, community or charity organisation",
    "Other",
}


@pytest.mark.parametrize(
    ("name", "layout", "responses"),
    [
        ("leicester_send_strategy_2019.csv", Layout.CITIZEN_SPACE, 340),
        ("leicester_send_strategy_2019.xlsx", Layout.CITIZEN_SPACE, 340),
        ("leicester_send_strategy_2019_analyst.csv", Layout.CITIZEN_SPACE, 40),
        ("surveymonkey_send_survey.csv", Layout.SURVEYMONKEY, 40),
        ("msforms_send_feedback.xlsx", Layout.MS_FORMS, 30),
        ("google_forms_send_feedback.csv", Layout.GOOGLE_FORMS, 30),
        ("qualtrics_send_survey.csv", Layout.QUALTRICS, 25),
    ],
)
def test_sample_export_is_read_correctly(name: str, layout: Layout, responses: int):
    survey = load_survey(SAMPLES / name)
    assert survey.layout is layout
    assert survey.n_responses == responses
    assert survey.text_questions == TEXT_QS
    assert len(survey.closed_questions) == 3
    assert survey.group_column == GROUP_Q
    assert survey.consent_column == "May we publish your response?"
    assert survey.responses["response_id"].is_unique
    seen = {g for groups in survey.responses["groups"] for g in groups}
    assert seen <= OPTIONS, seen - OPTIONS  # options with commas come out whole
    assert len(seen) >= 5
    consents = set(survey.responses["consent"])
    assert {Consent.PUBLISH, Consent.ANONYMOUS} <= consents


def test_citizen_space_csv_and_xlsx_agree():
    csv_survey = load_survey(SAMPLES / "leicester_send_strategy_2019.csv")
    xlsx_survey = load_survey(SAMPLES / "leicester_send_strategy_2019.xlsx")
    for question in TEXT_QS:
        assert list(csv_survey.responses[question]) == list(xlsx_survey.responses[question])
    assert list(csv_survey.responses["groups"]) == list(xlsx_survey.responses["groups"])


def test_analyst_fields_are_metadata():
    survey = load_survey(SAMPLES / "leicester_send_strategy_2019_analyst.csv")
    analyst = [c for c in survey.columns if c.name.startswith("Analyst")]
    assert len(analyst) == 3 and all(c.role is Role.METADATA for c in analyst)


def test_forms_other_answers_fold_into_other():
    survey = load_survey(SAMPLES / "msforms_send_feedback.xlsx")
    assert survey.other_texts, "typed 'Other' answers are kept as text"
    google = load_survey(SAMPLES / "google_forms_send_feedback.csv")
    assert "aunt" in google.other_texts.values()


def test_gold_files_cover_the_sample():
    import csv

    survey = load_survey(SAMPLES / "leicester_send_strategy_2019.csv")
    ids = set(survey.responses["response_id"])
    for name, expected in (("hand_coded_dev.csv", 150), ("hand_coded_holdout.csv", 100)):
        with (SAMPLES / name).open(encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == expected
        assert {r["response_id"] for r in rows} <= ids
