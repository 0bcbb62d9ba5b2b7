"""Ingestion of real-world export quirks, each from a small file written the way the tool writes it."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sendconsult.cli.advice import error_text
from sendconsult.config import ColumnSettings, ProjectConfig
from sendconsult.errors import ColumnError, ExportError
from sendconsult.ingest import IngestOptions, load_survey
from sendconsult.ingest.cleaning import repair_mojibake
from sendconsult.ingest.multiselect import learn_options, split_selection
from sendconsult.survey import Consent, Layout, Role

FIXTURES = Path(__file__).parent / "fixtures" / "exports"

EDU = "Education professional (school, college or early years setting)"
PARENT = "Parent or carer of a child or young person with SEND"
VOL = "Voluntary, community or charity organisation"


def write_csv(
    path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


GENERIC_ROWS = [
    ["ID", "Who are you?", "Do you agree?", "Your comments"],
    ["1", "Parent", "Agree", "The taxi is late every single day and nobody tells us why."],
    ["2", "Teacher", "Disagree", "Our SENCO has no time for anything; we need more TAs please."],
    ["3", "Parent", "Agree", "N/A"],
    ["4", "Young person", "Strongly agree", "College is ok but what happens when I turn 19?"],
]


def role_of(survey, name: str) -> Role:
    return next(c.role for c in survey.columns if c.name == name)


def test_citizen_space_csv_with_bom_and_multiselect_commas():
    survey = load_survey(FIXTURES / "citizen_space_small.csv")
    assert survey.layout is Layout.CITIZEN_SPACE
    assert survey.n_responses == 5  # the blank row is skipped...
    assert any("blank row" in w and "row 6" in w for w in survey.warnings)  # ...and reported
    groups = dict(zip(survey.responses["response_id"], survey.responses["groups"], strict=True))
    assert groups["ANON-3AB2-CD3E-H"] == [PARENT, EDU]
    assert groups["ANON-4AB2-CD3E-J"] == ["Other"]
    assert survey.other_texts["ANON-4AB2-CD3E-J"] == "grandparent, kinship carer"
    consent = dict(zip(survey.responses["response_id"], survey.responses["consent"], strict=True))
    assert consent["ANON-3AB2-CD3E-H"] is Consent.WITHHOLD
    assert consent["ANON-2AB2-CD3E-G"] is Consent.ANONYMOUS
    assert role_of(survey, "Started on") is Role.METADATA
    assert role_of(survey, "May we publish your response?") is Role.CONSENT
    text_q = survey.text_questions[0]
    answers = dict(zip(survey.responses["response_id"], survey.responses[text_q], strict=True))
    assert answers["ANON-3AB2-CD3E-H"] is None  # "N/A" is no answer
    assert (
        answers["ANON-4AB2-CD3E-J"] == "We waited 40 weeks for his EHCP.\nThen the plan was wrong."
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encodings_never_fail(tmp_path: Path, encoding: str):
    rows = [r[:] for r in GENERIC_ROWS]
    rows[1][3] = "Ash Field’s taxi – late again… café"
    path = write_csv(tmp_path / "export.csv", rows, encoding=encoding)
    survey = load_survey(path)
    assert survey.responses[survey.text_questions[0]][0] == "Ash Field’s taxi – late again… café"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path: Path, delimiter: str):
    survey = load_survey(write_csv(tmp_path / "export.csv", GENERIC_ROWS, delimiter=delimiter))
    assert survey.text_questions == ["Your comments"]
    assert survey.closed_questions == ["Do you agree?"]


def test_roles_come_from_values_not_headers(tmp_path: Path):
    rows = [["Q1", "Q2", "Q3", "Q4"]] + [
        [f"R{i}", ["Agree", "Disagree"][i % 2], ["Parent or carer", "Teacher"][i % 2],
         f"Answer number {i}: the school transport has been unreliable for {i} weeks now."]
        for i in range(30)
    ]  # fmt: skip
    survey = load_survey(write_csv(tmp_path / "export.csv", rows))
    assert role_of(survey, "Q2") is Role.CLOSED
    assert role_of(survey, "Q3") is Role.GROUP
    assert role_of(survey, "Q4") is Role.TEXT


def test_surveymonkey_two_header_rows_with_blank_question_cells(tmp_path: Path):
    rows = [
        [
            "Respondent ID",
            "Collector ID",
            "Start Date",
            "In what capacity are you responding?",
            "",
            "",
            "Your views",
        ],
        ["", "", "", PARENT, EDU, "Other (please specify)", "Open-Ended Response"],
        [
            "11400000001",
            "4000001",
            "06/14/2019 09:31:07 AM",
            PARENT,
            "",
            "",
            "More special school places please.",
        ],
        [
            "11400000002",
            "4000001",
            "06/14/2019 10:01:00 AM",
            PARENT,
            EDU,
            "grandmother",
            "The taxi is late.",
        ],
    ]
    survey = load_survey(write_csv(tmp_path / "sm.csv", rows, encoding="cp1252"))
    assert survey.layout is Layout.SURVEYMONKEY
    assert list(survey.responses["source_row"]) == [3, 4]
    assert list(survey.responses["groups"]) == [[PARENT], [PARENT, EDU, "Other"]]
    assert survey.other_texts == {"11400000002": "grandmother"}
    assert role_of(survey, "Start Date") is Role.METADATA
    assert survey.text_questions == ["Your views"]


def test_qualtrics_three_header_rows(tmp_path: Path):
    rows = [
        ["StartDate", "EndDate", "Progress", "ResponseId", "Q1", "Q2"],
        ["Start Date", "End Date", "Progress", "Response ID", "Are you a...", "Any comments?"],
        ['{"ImportId":"startDate"}', '{"ImportId":"endDate"}', '{"ImportId":"progress"}',
         '{"ImportId":"_recordId"}', '{"ImportId":"QID1"}', '{"ImportId":"QID2_TEXT"}'],
        ["2019-06-14 09:31:07", "2019-06-14 09:40:00", "100", "R_1a2B3c4D5e6F7g8", "Parent,Teacher", "Respite is vital for us."],
        ["2019-06-15 09:31:07", "2019-06-15 09:40:00", "100", "R_9z8Y7x6W5v4U3t2", "Parent", "More college places after 16."],
    ]  # fmt: skip
    survey = load_survey(write_csv(tmp_path / "q.csv", rows))
    assert survey.layout is Layout.QUALTRICS
    assert list(survey.responses["response_id"]) == ["R_1a2B3c4D5e6F7g8", "R_9z8Y7x6W5v4U3t2"]
    assert list(survey.responses["source_row"]) == [4, 5]
    assert survey.responses["groups"][0] == ["Parent", "Teacher"]
    assert survey.text_questions == ["Any comments?"]


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_ms_forms_xlsx_semicolons_trailing_and_x000d(tmp_path: Path):
    from datetime import datetime

    rows = [
        ["ID", "Start time", "Completion time", "Email", "Name", "Which best describes you?", "Comments"],
        [1, datetime(2019, 6, 14, 9, 31), datetime(2019, 6, 14, 9, 40), "anonymous", None,
         f"{PARENT};Social care professional;", "Line one_x000D_\nLine two about respite"],
        [2, datetime(2019, 6, 14, 10, 0), datetime(2019, 6, 14, 10, 5), "anonymous", None,
         f"{EDU};", "Our SENCO needs support and training"],
    ]  # fmt: skip
    survey = load_survey(_xlsx(tmp_path / "forms.xlsx", rows))
    assert survey.layout is Layout.MS_FORMS
    assert list(survey.responses["groups"]) == [[PARENT, "Social care professional"], [EDU]]
    assert survey.responses["Comments"][0] == "Line one\nLine two about respite"
    assert list(survey.responses["response_id"]) == ["1", "2"]


def test_google_forms_without_id_column_gets_row_ids(tmp_path: Path):
    rows = [
        ["Timestamp", "Which of these describes you?", "What would make the biggest difference?"],
        ["2019/06/14 9:31:07 am GMT+1", f"{VOL}, {PARENT}", "Short breaks in the holidays."],
        ["2019/06/14 9:45:00 am GMT+1", VOL, "Joined up working between health and the council."],
    ]
    survey = load_survey(write_csv(tmp_path / "google.csv", rows))
    assert survey.layout is Layout.GOOGLE_FORMS
    assert list(survey.responses["response_id"]) == ["row-0002", "row-0003"]
    assert any("row numbers" in w for w in survey.warnings)
    assert survey.responses["groups"][0] == [VOL, PARENT]


def test_citizen_space_analyst_fields_are_metadata(tmp_path: Path):
    rows = [
        [
            "Response ID",
            "Started on",
            "Please tell us your views",
            "Analyst: Tags",
            "Analyst: Notes",
        ],
        [
            "ANON-1AB2-CD3E-F",
            "2019-06-01 10:00:00",
            "The taxi never arrives on time.",
            "transport",
            "Follow up",
        ],
        [
            "ANON-2AB2-CD3E-G",
            "2019-06-01 11:00:00",
            "We need more respite and clubs.",
            "short breaks",
            "Reviewed with team",
        ],
    ]
    survey = load_survey(write_csv(tmp_path / "cs.csv", rows))
    assert role_of(survey, "Analyst: Tags") is Role.METADATA
    assert role_of(survey, "Analyst: Notes") is Role.METADATA
    assert survey.text_questions == ["Please tell us your views"]


def test_mojibake_repaired_but_correct_text_untouched():
    assert repair_mojibake("We canâ€™t cope") == "We can’t cope"
    assert repair_mojibake("cafÃ© at the centre") == "café at the centre"
    assert repair_mojibake("Zuzanna Wiśniewska, café, شکریہ") == "Zuzanna Wiśniewska, café, شکریہ"


def test_non_latin_text_kept_exactly(tmp_path: Path):
    rows = [r[:] for r in GENERIC_ROWS]
    rows[1][3] = "Diolch yn fawr. Łukasz needs respite. بہت شکریہ આભાર"
    survey = load_survey(write_csv(tmp_path / "export.csv", rows))
    assert (
        survey.responses["Your comments"][0]
        == "Diolch yn fawr. Łukasz needs respite. بہت شکریہ આભાર"
    )


def test_duplicate_ids_kept_and_reported(tmp_path: Path):
    rows = [r[:] for r in GENERIC_ROWS]
    rows[2][0] = "1"
    survey = load_survey(write_csv(tmp_path / "export.csv", rows))
    assert list(survey.responses["response_id"])[:2] == ["1", "1#2"]
    assert any("more than once" in w and "1 (row 3)" in w for w in survey.warnings)


def test_fully_empty_response_kept_and_reported(tmp_path: Path):
    rows = [r[:] for r in GENERIC_ROWS] + [["5", "", "", ""]]
    survey = load_survey(write_csv(tmp_path / "export.csv", rows))
    assert "5" in set(survey.responses["response_id"])
    assert any("no answers at all" in w for w in survey.warnings)


def test_multiselect_resolves_known_options():
    known = learn_options([PARENT, EDU, VOL], ", ")
    assert split_selection(f"{VOL}, {EDU}, {PARENT}", ", ", known).options == (VOL, EDU, PARENT)
    other = split_selection("Other (please specify): foster carer, kinship", ", ", known)
    assert other.options == ("Other",) and other.other_text == "foster carer, kinship"


def test_flags_override_detection_and_config(tmp_path: Path):
    path = write_csv(tmp_path / "export.csv", GENERIC_ROWS)
    config = ProjectConfig(columns=ColumnSettings(text=("Do you agree?",)))
    survey = load_survey(path, IngestOptions(text_columns=("Your comments",), config=config))
    assert survey.text_questions == ["Your comments"]
    assert next(c.reason for c in survey.columns if c.name == "Your comments") == "--text-column"


def test_config_column_settings_apply(tmp_path: Path):
    path = write_csv(tmp_path / "export.csv", GENERIC_ROWS)
    config = ProjectConfig(columns=ColumnSettings(group="Who are you?", ignore=("Do you agree?",)))
    survey = load_survey(path, IngestOptions(config=config))
    assert survey.group_column == "Who are you?"
    assert role_of(survey, "Do you agree?") is Role.IGNORED


def test_unknown_column_suggests_closest(tmp_path: Path):
    path = write_csv(tmp_path / "export.csv", GENERIC_ROWS)
    with pytest.raises(ColumnError, match=r"'Your coments'.*did you mean 'Your comments'"):
        load_survey(path, IngestOptions(text_columns=("Your coments",)))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"%PDF-1.7\n%binary", "is a PDF"),
        (b"\x00\x01\x02binary\x00data", "not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "password-protected"),
        (b"PK\x03\x04truncated zip", "damaged"),
        (b"ID,Your comments\r\n", "no responses"),
    ],
)
def test_bad_files_give_one_clear_error(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(ExportError, match=message):
        load_survey(path)


def test_missing_file_and_folder(tmp_path: Path):
    with pytest.raises(ExportError, match="was not found"):
        load_survey(tmp_path / "nope.csv")
    with pytest.raises(ExportError, match="is a folder"):
        load_survey(tmp_path)


def test_no_free_text_column(tmp_path: Path):
    rows = [["ID", "Agree?"]] + [[str(i), ["Agree", "Disagree"][i % 2]] for i in range(10)]
    with pytest.raises(ExportError, match="No free-text column") as e:
        load_survey(write_csv(tmp_path / "export.csv", rows))
    assert error_text(e.value).endswith("; name one with --text-column.")


def test_xlsx_named_csv_is_still_read(tmp_path: Path):
    xlsx = _xlsx(tmp_path / "real.xlsx", [list(r) for r in GENERIC_ROWS])
    renamed = tmp_path / "export.csv"
    renamed.write_bytes(xlsx.read_bytes())
    assert load_survey(renamed).n_responses == 4


def test_unknown_sheet_lists_sheets(tmp_path: Path):
    xlsx = _xlsx(tmp_path / "real.xlsx", [list(r) for r in GENERIC_ROWS])
    with pytest.raises(ExportError, match="no sheet 'Answers'; its sheets are 'Sheet1'"):
        load_survey(xlsx, IngestOptions(sheet="Answers"))


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
EXTERNAL = '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    ("part", "doctype", "entity"),
    [
        ("xl/worksheets/sheet1.xml", LAUGHS, "&lol3;"),  # entity expansion ("billion laughs")
        ("xl/worksheets/sheet1.xml", EXTERNAL, "&secret;"),  # an external entity
        ("xl/workbook.xml", LAUGHS, ""),
    ],
)
def test_xml_attacks_in_xlsx_are_refused(tmp_path: Path, part: str, doctype: str, entity: str):
    """Exports come from outside: a workbook whose XML declares entities is never parsed."""
    clean = _xlsx(tmp_path / "clean.xlsx", [list(r) for r in GENERIC_ROWS])
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(clean) as source, zipfile.ZipFile(hostile, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == part:
                text = data.decode("utf-8")
                head, _, body = text.rpartition("?>")  # the XML declaration, if any
                head = head + "?>" if head else ""
                if entity:
                    body = re.sub(r"<t>[^<]*</t>", f"<t>{entity}</t>", body, count=1)
                    assert entity in body
                data = (head + doctype + body).encode("utf-8")
            target.writestr(info, data)
    before = hostile.read_bytes()
    with pytest.raises(
        ExportError, match="hostile.xlsx contains XML declarations that Excel never writes"
    ):
        load_survey(hostile)
    assert hostile.read_bytes() == before


def test_export_is_never_modified(tmp_path: Path):
    import hashlib

    path = write_csv(tmp_path / "export.csv", GENERIC_ROWS)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    load_survey(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
