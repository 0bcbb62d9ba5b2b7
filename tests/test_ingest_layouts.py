"""Recognising each survey tool's layout and turning its header rows into one header."""

from __future__ import annotations

from pathlib import Path

from sendconsult.ingest import load_survey
from sendconsult.ingest.layouts import detect_layout, unique_headers
from sendconsult.survey import Consent, Layout, Role

PARENT = "Parent or carer of a child or young person with SEND"
EDU = "Education professional (school, college or early years setting)"
VOL = "Voluntary, community or charity organisation"
GROUP_Q = "In what capacity are you responding? (tick all that apply)"


def role_of(survey, name: str) -> Role:
    return next(c.role for c in survey.columns if c.name == name)


def test_citizen_space(exports_dir: Path):
    survey = load_survey(exports_dir / "citizen_space_small.csv")
    assert survey.layout is Layout.CITIZEN_SPACE
    assert survey.id_column == "Response ID"
    assert role_of(survey, "Started on") is Role.METADATA
    assert role_of(survey, "Completed on") is Role.METADATA


def test_citizen_space_analyst_columns_are_metadata(write_csv):
    rows = [
        ["Response ID", "Completed on", "Your views", "Analyst: Tags", "Analyst: Status"],
        ["ANON-1AB2-CD3E-F", "2019-06-01 10:00:00", "The taxi never arrives on time at all.", "transport", "Reviewed"],
        ["ANON-2AB2-CD3E-G", "2019-06-01 11:00:00", "We need far more respite and youth clubs.", "short breaks", ""],
    ]  # fmt: skip
    survey = load_survey(write_csv(rows))
    assert survey.layout is Layout.CITIZEN_SPACE
    assert role_of(survey, "Analyst: Tags") is Role.METADATA
    assert role_of(survey, "Analyst: Status") is Role.METADATA


def test_surveymonkey_two_header_rows(exports_dir: Path):
    survey = load_survey(exports_dir / "surveymonkey_cp1252.csv")
    assert survey.layout is Layout.SURVEYMONKEY
    assert list(survey.responses["source_row"]) == [3, 4, 5]  # after two header rows
    assert survey.group_column == GROUP_Q
    assert list(survey.responses["groups"]) == [[PARENT], [PARENT, EDU, "Other"], [VOL]]
    assert survey.other_texts == {"11400000002": "grandmother"}
    assert survey.group_options == [PARENT, EDU, VOL, "Other"]
    for name in ("Collector ID", "Start Date", "End Date"):
        assert role_of(survey, name) is Role.METADATA
    for name in ("IP Address", "Email Address"):
        assert role_of(survey, name) is Role.PERSONAL
    # a matrix question stays one column per row, named "question - row"
    assert survey.closed_questions == [
        "Which area do you live in?",
        "To what extent do you agree with each priority? - Priority 1",
        "To what extent do you agree with each priority? - Priority 2",
    ]
    # a single-choice question with an "Other" box keeps the chosen answer
    assert list(survey.responses["Which area do you live in?"]) == ["North", "Other", "South"]
    assert survey.responses["Your views"][0].startswith("We can’t get a school place – it’s")
    assert list(survey.responses["consent"]) == [
        Consent.PUBLISH,
        Consent.ANONYMOUS,
        Consent.WITHHOLD,
    ]


def test_ms_forms_xlsx(exports_dir: Path):
    survey = load_survey(exports_dir / "msforms_small.xlsx")
    assert survey.layout is Layout.MS_FORMS
    assert list(survey.responses["response_id"]) == ["1", "2", "3"]
    for name in ("Start time", "Completion time"):
        assert role_of(survey, name) is Role.METADATA
    for name in ("Email", "Name"):
        assert role_of(survey, name) is Role.PERSONAL
    groups = list(survey.responses["groups"])
    assert groups == [[PARENT, "Social care professional"], [EDU], [PARENT, "Other"]]
    assert survey.other_texts == {"3": "grandparent"}
    assert survey.responses["Any other comments?"][0] == "Line one\nLine two about respite"


def test_google_forms_without_id(exports_dir: Path):
    survey = load_survey(exports_dir / "google_forms_small.csv")
    assert survey.layout is Layout.GOOGLE_FORMS
    assert role_of(survey, "Timestamp") is Role.METADATA
    assert survey.id_column is None
    assert list(survey.responses["response_id"]) == ["row-0002", "row-0003", "row-0004", "row-0005"]
    assert (
        "No response ID column found; IDs were made from row numbers "
        "(row-0002 = spreadsheet row 2)."
    ) in survey.warnings
    assert survey.responses["groups"][0] == [VOL, PARENT]
    assert survey.other_texts == {"row-0004": "aunt"}


def test_qualtrics_three_header_rows(exports_dir: Path):
    survey = load_survey(exports_dir / "qualtrics_small.csv")
    assert survey.layout is Layout.QUALTRICS
    assert survey.id_column == "Response ID"
    assert list(survey.responses["response_id"])[0] == "R_9CjxLrEFKodMPIl"
    assert list(survey.responses["source_row"]) == [4, 5, 6]
    for name in ("Start Date", "Progress", "Duration (in seconds)", "Finished"):
        assert role_of(survey, name) is Role.METADATA
    assert role_of(survey, "IP Address") is Role.PERSONAL
    assert survey.responses["groups"][0] == [PARENT, VOL]  # bare "," inside an option kept
    assert survey.text_questions == ["Why do you say that?"]


def test_qualtrics_without_import_id_row(write_csv):
    rows = [
        ["StartDate", "EndDate", "Progress", "ResponseId", "Q1"],
        ["Start Date", "End Date", "Progress", "Response ID", "Any comments?"],
        ["2019-06-14 09:31:07", "2019-06-14 09:40:00", "100", "R_1a2B3c4D5e6F7g8", "Respite is vital for us."],
        ["2019-06-15 09:31:07", "2019-06-15 09:40:00", "100", "R_9z8Y7x6W5v4U3t2", "More college places after 16."],
    ]  # fmt: skip
    survey = load_survey(write_csv(rows))
    assert survey.layout is Layout.QUALTRICS
    assert list(survey.responses["source_row"]) == [3, 4]


def test_generic_single_header(exports_dir: Path):
    survey = load_survey(exports_dir / "mojibake_semicolon.csv")
    assert survey.layout is Layout.GENERIC
    assert survey.id_column == "Ref"


def test_duplicate_and_blank_headers_are_made_unique():
    assert unique_headers(["Comments", "comments", "", "Comments"]) == [
        "Comments",
        "comments (2)",
        "Column 3",
        "Comments (3)",
    ]


def test_duplicate_headers_keep_both_columns(write_csv):
    rows = [["ID", "Comments", "Comments"]] + [
        [str(i), f"First answer number {i} about school transport", f"Second answer {i} about respite care"]
        for i in range(5)
    ]  # fmt: skip
    survey = load_survey(write_csv(rows))
    assert survey.text_questions == ["Comments", "Comments (2)"]


def test_blank_grid_has_no_header():
    result = detect_layout([["", ""], []])
    assert result.headers == [] and result.layout is Layout.GENERIC


def test_qualtrics_other_text_column_feeds_other_texts(write_csv):
    rows = [
        ["StartDate", "Progress", "ResponseId", "Q1", "Q1_7_TEXT", "Q2"],
        ["Start Date", "Progress", "Response ID", GROUP_Q, f"{GROUP_Q} - Other (please specify) - Text", "Any comments?"],
        ['{"ImportId":"startDate"}', '{"ImportId":"progress"}', '{"ImportId":"_recordId"}',
         '{"ImportId":"QID1"}', '{"ImportId":"QID1_7_TEXT"}', '{"ImportId":"QID2_TEXT"}'],
        ["2019-06-14 09:31:07", "100", "R_1a2B3c4D5e6F7g8", f"{PARENT},Other (please specify)", "grandmother", "Respite is vital for us."],
        ["2019-06-15 09:31:07", "100", "R_9z8Y7x6W5v4U3t2", VOL, "", "More college places after 16."],
    ]  # fmt: skip
    survey = load_survey(write_csv(rows))
    assert list(survey.responses["groups"]) == [[PARENT, "Other"], [VOL]]
    assert survey.other_texts == {"R_1a2B3c4D5e6F7g8": "grandmother"}
    assert role_of(survey, f"{GROUP_Q} - Other (please specify) - Text") is Role.METADATA
    assert survey.text_questions == ["Any comments?"]
