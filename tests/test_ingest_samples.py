"""The shipped sample exports: each key column gets the right role in every tool's layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendconsult.ingest import load_survey
from sendconsult.survey import Consent, Layout, Role

SAMPLES = Path(__file__).resolve().parent.parent / "sample_responses"
GROUP_Q = "In what capacity are you responding? (tick all that apply)"
CONSENT_Q = "May we publish your response?"
TEXT_QS = [
    "Please tell us why you agree or disagree with the priorities in the draft strategy.",
    "What one thing would make the biggest difference to children and young people with SEND and their families?",
    "Do you have any other comments on the draft SEND strategy?",
]
COMMA_OPTIONS = {
    "Education professional (school, college or early years setting)",
    "Health professional (e.g. therapist, nurse, paediatrician)",
    "Voluntary, community or charity organisation",
}
SAMPLE_FILES = [
    ("leicester_send_strategy_2019.csv", Layout.CITIZEN_SPACE, "Response ID", 2),
    ("leicester_send_strategy_2019.xlsx", Layout.CITIZEN_SPACE, "Response ID", 2),
    ("leicester_send_strategy_2019_analyst.csv", Layout.CITIZEN_SPACE, "Response ID", 2),
    ("surveymonkey_send_survey.csv", Layout.SURVEYMONKEY, "Respondent ID", 3),
    ("msforms_send_feedback.xlsx", Layout.MS_FORMS, "ID", 2),
    ("google_forms_send_feedback.csv", Layout.GOOGLE_FORMS, None, 2),
    ("qualtrics_send_survey.csv", Layout.QUALTRICS, "Response ID", 4),
]


@pytest.fixture(scope="module", params=SAMPLE_FILES, ids=[f[0] for f in SAMPLE_FILES])
def sample(request: pytest.FixtureRequest):
    name, layout, id_column, first_row = request.param
    return load_survey(SAMPLES / name), layout, id_column, first_row


def roles(survey) -> dict[str, Role]:
    return {c.name: c.role for c in survey.columns}


def test_layout_id_and_first_row(sample):
    survey, layout, id_column, first_row = sample
    assert survey.layout is layout
    assert survey.id_column == id_column
    assert survey.responses["source_row"].iloc[0] == first_row
    assert survey.responses["response_id"].is_unique


def test_key_columns_have_their_roles(sample):
    survey, *_ = sample
    by_name = roles(survey)
    assert by_name[GROUP_Q] is Role.GROUP
    assert [by_name[q] for q in TEXT_QS] == [Role.TEXT] * 3
    assert by_name[CONSENT_Q] is Role.CONSENT
    likert = [name for name in by_name if "agree or disagree with" in name and "Priority" in name]
    assert len(likert) == 3 and all(by_name[q] is Role.CLOSED for q in likert)
    assert {r for n, r in by_name.items() if n not in (GROUP_Q, CONSENT_Q, *TEXT_QS, *likert)} <= {
        Role.ID,
        Role.METADATA,
        Role.PERSONAL,
        Role.IGNORED,
    }


def test_options_with_commas_come_out_whole(sample):
    survey, *_ = sample
    seen = {g for groups in survey.responses["groups"] for g in groups}
    assert COMMA_OPTIONS & seen  # present...
    fragments = {g for g in seen if g.startswith(("school", "college", "nurse", "community"))}
    assert not fragments  # ...and never split at their commas
    assert all(isinstance(g, list) for g in survey.responses["groups"])


def test_consent_decisions_are_read(sample):
    survey, *_ = sample
    assert set(survey.responses["consent"]) <= set(Consent)
    assert Consent.PUBLISH in set(survey.responses["consent"])


def test_other_texts_are_kept_where_the_tool_exports_them():
    cs = load_survey(SAMPLES / "leicester_send_strategy_2019.csv")
    assert "grandparent and kinship carer" in cs.other_texts.values()
    sm = load_survey(SAMPLES / "surveymonkey_send_survey.csv")
    assert "childminder" in sm.other_texts.values()


def test_excel_line_break_artefacts_do_not_survive():
    survey = load_survey(SAMPLES / "leicester_send_strategy_2019.xlsx")
    for question in TEXT_QS:
        assert not any("_x000D_" in v for v in survey.responses[question] if isinstance(v, str))
