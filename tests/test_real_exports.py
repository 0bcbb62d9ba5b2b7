"""Exports in the layouts real consultations publish, read right: every column's role, no
personal detail in any cell of any sheet, and respondent groups, consent, attachment pointers
and other languages counted. Fixtures: tests/fixtures/exports/make_real_layouts.py (invented
people, real layouts)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sendconsult.cli import app, common
from sendconsult.ingest import IngestOptions, languages, load_survey
from sendconsult.ingest.consent import consent_of
from sendconsult.ingest.languages import answer_language
from sendconsult.survey import Consent, Role

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
SAMPLE = Path(__file__).resolve().parent.parent / "sample_responses"
runner = CliRunner()

P, T, C, G, ID, K, M = "personal", "text", "closed", "group", "id", "consent", "metadata"
EXPECTED_ROLES: dict[str, dict[str, str]] = {
    "eu_have_your_say.csv": {
        "language": C, "id": ID, "country": C, "user_type": G, "organization": P, "surname": P,
        "feedback": T, "status": M, "company_size": C, "first_name": P,
        "reference_initiative": M, "date_feedback": M, "publication": K, "publication_id": M,
        "publication_status": M, "tr_number": P, "scope": C, "governance_level": C,
        "full_name": P,
    },
    "citizen_space_about_you.csv": {
        "Response ID": ID, "Started on": M, "Completed on": M, "What is your name?": P,
        "What is your email address?": P, "What is your organisation? (if applicable)": P,
        "What is your postcode?": P, "In what capacity are you responding?": G,
        "To what extent do you agree with the proposed changes to short breaks?": C,
        "Please tell us why you agree or disagree.": T, "May we publish your response?": K,
    },
    "two_row_ident.csv": {
        "Respondent ID": ID, "Your name": P, "Your email address": P,
        "Which of these best describes you?": G,
        "Do you agree with the proposed home-to-school transport policy?": C,
        "Please explain your answer.": T,
        "Is there anything else you would like to tell us about the proposals?": T,
    },
    "type_of_org.csv": {
        "response_id": ID, "Type of org": G, "Name of organisation": P, "Email": P,
        "Q1 Do you support the proposed change?": C, "Q1 Please give reasons": T,
    },
    "welsh_english.csv": {
        "Cyfeirnod / Reference": ID, "Math o sefydliad / Organisation type": G,
        "Enw'r sefydliad / Organisation name": P,
        "A ydych yn cytuno â'r cynigion? / Do you agree with the proposals?": C,
        "Dywedwch wrthym pam / Please tell us why": T, "Cyhoeddi / Publication": K,
    },
}  # fmt: skip
FIXTURES = list(EXPECTED_ROLES)


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.out, "width", 250)
    monkeypatch.setattr(common.err, "width", 250)
    monkeypatch.delenv("SENDCONSULT_DEBUG", raising=False)


def printed_roles(output: str) -> dict[str, str]:
    """Column -> role from inspect's Columns table (wrapped cells joined)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Columns")
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("└"):
            break
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if cells[0]:
            rows.append(cells)
        else:
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
    return {row[1]: row[2] for row in rows}


@pytest.mark.parametrize("name", FIXTURES)
def test_inspect_gives_every_column_its_role(name: str):
    result = runner.invoke(app, ["inspect", str(EXPORTS / name)])
    assert result.exit_code == 0, result.output
    assert printed_roles(result.stdout) == EXPECTED_ROLES[name]


def personal_values(name: str) -> set[str]:
    """Every value of the export's personal columns (whitespace normalised)."""
    with (EXPORTS / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if name == "two_row_ident.csv":
        rows = rows[1:]
    header, body = rows[0], rows[1:]
    personal = [i for i, h in enumerate(header) if EXPECTED_ROLES[name].get(h) == P]
    return {" ".join(r[i].split()) for r in body for i in personal if r[i].strip()}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each fixture analysed as an officer would, without redaction and with the internal
    sheet: the most any report shows."""
    folder = tmp_path_factory.mktemp("reports")
    made = {}
    for name in FIXTURES:
        out = folder / name.replace(".csv", "_report.xlsx")
        result = runner.invoke(
            app,
            ["analyse", str(EXPORTS / name), "--out", str(out), "--no-cache", "--no-redact",
             "--internal", "--suppress", "0"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        made[name] = out
    return made


def every_cell(report: Path) -> list[tuple[str, str]]:
    book = openpyxl.load_workbook(report)
    return [
        (sheet.title, str(value))
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]


@pytest.mark.parametrize("name", FIXTURES)
def test_no_personal_value_in_any_cell_of_any_sheet(reports: dict[str, Path], name: str):
    values = personal_values(name)
    assert len(values) >= 5
    cells = every_cell(reports[name])
    for value in values:
        pattern = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)", re.IGNORECASE)
        leaks = [sheet for sheet, text in cells if pattern.search(" ".join(text.split()))]
        assert not leaks, (value, leaks)


def facts(report: Path, sheet: str) -> dict[str, str]:
    book = openpyxl.load_workbook(report)
    return {
        str(row[0]): str(row[1])
        for row in book[sheet].iter_rows(values_only=True)
        if row and row[0] is not None and len(row) > 1 and row[1] is not None
    }


def summary_note(report: Path, label: str) -> str:
    """The note beside a Summary figure (third column)."""
    book = openpyxl.load_workbook(report)
    return next(str(r[2]) for r in book["Summary"].iter_rows(values_only=True) if r[0] == label)


SET_ASIDE = "Answers set aside (listed in Uncoded)"


def test_eu_export_counts_groups_languages_attachments_and_consent(reports: dict[str, Path]):
    summary = facts(reports["eu_have_your_say.csv"], "Summary")
    assert summary[SET_ASIDE] == "10"
    set_aside = summary_note(reports["eu_have_your_say.csv"], SET_ASIDE)
    assert "pointed to an attachment: 3" in set_aside
    assert "test answers: 1" in set_aside
    assert "6 answers not in English: 3 French, 2 German, 1 Polish" in set_aside
    # 26 responses, 10 of them only an attachment pointer, a test or in another language
    assert summary["Responses"] == "26"
    assert summary["Responses with any free text"] == "16"
    method = facts(reports["eu_have_your_say.csv"], "Method")
    assert "6 answers not in English" in method["Answers set aside"]
    assert "16 publish with name, 10 publish anonymously" in method["Publication consent"]
    assert "Personal columns in this export: 5." in method["Personal data"]
    book = openpyxl.load_workbook(reports["eu_have_your_say.csv"])
    by_group = " ".join(str(v) for row in book["By group"].iter_rows(values_only=True) for v in row)
    assert "Business association" in by_group and "EU citizen" in by_group
    assert "business_association" not in by_group


def test_set_aside_answers_are_listed_in_uncoded_with_why(reports: dict[str, Path]):
    book = openpyxl.load_workbook(reports["eu_have_your_say.csv"])
    uncoded = " ".join(str(v) for row in book["Uncoded"].iter_rows(values_only=True) for v in row)
    assert "feedback [points to an attachment]\nSee attached document." in uncoded
    assert "feedback [in French]" in uncoded and "feedback [test answer]" in uncoded
    book = openpyxl.load_workbook(reports["welsh_english.csv"])
    uncoded = " ".join(str(v) for row in book["Uncoded"].iter_rows(values_only=True) for v in row)
    assert uncoded.count("[in Welsh]") == 4


def test_welsh_answers_are_counted_and_can_be_included(reports: dict[str, Path], tmp_path: Path):
    summary = facts(reports["welsh_english.csv"], "Summary")
    assert "4 answers not in English: 4 Welsh" in summary_note(reports["welsh_english.csv"], SET_ASIDE)
    assert summary["Responses with any free text"] == "7"  # 12 less 4 Welsh, 1 attachment
    out = tmp_path / "included.xlsx"
    result = runner.invoke(
        app,
        ["analyse", str(EXPORTS / "welsh_english.csv"), "--out", str(out), "--no-cache",
         "--include-other-languages"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert facts(out, "Summary")["Responses with any free text"] == "11"


def test_citizen_space_consent_and_own_details_masked(reports: dict[str, Path]):
    method = facts(reports["citizen_space_about_you.csv"], "Method")
    assert "4 publish with name, 4 publish anonymously, 4 do not publish" in method[
        "Publication consent"
    ]
    survey = load_survey(EXPORTS / "citizen_space_about_you.csv")
    answers = survey.responses["Please tell us why you agree or disagree."]
    assert answers[1].startswith("At [ORGANISATION] we see")
    assert "[NAME] has cared" in answers[0]
    assert "[PERSONAL] if you want" in answers[11]


def test_a_respondent_leaves_the_denominator_only_when_all_answers_are_set_aside(write_csv):
    export = write_csv(
        [
            ["Response ID", "Your views", "Any other comments?"],
            ["R1", "See attached document.", "The taxi to school is always late for my son."],
            ["R2", "See attached document.", ""],
            ["R3", "Nous voulons plus de places dans les écoles spécialisées.", "Test."],
            ["R4", "More short breaks for families please, we are exhausted.", ""],
        ]
    )
    survey = load_survey(export)
    assert list(survey.has_any_text()) == [True, True, True, True]
    assert list(survey.has_text()) == [True, False, False, True]
    assert survey.set_aside_counts() == {"attachment": 2, "fr": 1, "test": 1}


def test_nothing_and_none_stay_non_answers_not_attachments(write_csv):
    export = write_csv(
        [
            ["Response ID", "Your views"],
            ["R1", "nothing"],
            ["R2", "None"],
            ["R3", "see attached"],
            ["R4", "The school bus leaves far too early for young children with SEND."],
            ["R5", "Respite has been cut twice and families are at breaking point now."],
        ]
    )
    survey = load_survey(export)
    assert list(survey.responses["Your views"])[:3] == [None, None, "see attached"]
    assert survey.set_aside_counts() == {"attachment": 1}


def test_id_header_with_spaced_values_is_the_id():
    survey = load_survey(EXPORTS / "type_of_org.csv")
    assert survey.id_column == "response_id"
    assert survey.responses["response_id"][0] == "NEAS 101 1648 - Q1"


def test_two_row_header_reads_question_texts_as_headings():
    survey = load_survey(EXPORTS / "two_row_ident.csv")
    assert list(survey.responses["source_row"])[:2] == [3, 4]
    assert "Please explain your answer." in survey.text_questions
    assert "Which of these best describes you?" not in set(survey.responses["response_id"])
    assert (
        "Row 1 holds numbered headings (Ident 1, Ident 2, Ident 3, ...) and row 2 the question "
        "texts, which were used as the headings; responses start at row 3."
    ) in survey.warnings


def test_cells_of_only_line_breaks_do_not_collapse_a_comma_csv(write_csv):
    rows = [["Response ID", "Who are you?", "Your views"]]
    rows += [[f"R{i}", "Parent", "\r\n" if i % 2 else "\t\n"] for i in range(8)]
    rows += [["R9", "Parent", "The bus is late every morning."]]
    survey = load_survey(write_csv(rows))
    assert survey.group_column == "Who are you?"
    assert survey.text_questions == ["Your views"]


def test_a_sendconsult_report_is_refused(reports: dict[str, Path]):
    result = runner.invoke(app, ["analyse", str(reports["type_of_org.csv"]), "--no-cache"])
    assert result.exit_code == 1
    assert "is a report made by sendconsult, not an export" in result.output
    assert "Traceback" not in result.output


def test_personal_column_options_and_config(tmp_path: Path):
    export = EXPORTS / "type_of_org.csv"
    survey = load_survey(export, IngestOptions(not_personal_columns=("Name of organisation",)))
    assert {c.name: c.role for c in survey.columns}["Name of organisation"] is Role.CLOSED
    survey = load_survey(export, IngestOptions(personal_columns=("Type of org",)))
    assert {c.name: c.role for c in survey.columns}["Type of org"] is Role.PERSONAL
    assert survey.group_column is None
    copy = tmp_path / "export.csv"
    copy.write_bytes(export.read_bytes())
    (tmp_path / "sendconsult.toml").write_text(
        '[columns]\npersonal = ["Q1 Do you support the proposed change?"]\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["inspect", str(copy)])
    assert result.exit_code == 0, result.output
    assert printed_roles(result.stdout)["Q1 Do you support the proposed change?"] == P


@pytest.mark.parametrize(
    "command",
    [["inspect"], ["analyse"], ["explain"], ["evaluate"], ["train"], ["themes", "check"],
     ["themes", "suggest"]],  # fmt: skip
)
def test_every_command_reading_an_export_has_the_same_column_options(command: list[str]):
    result = runner.invoke(
        app, [*command, "--help"], env={"TERMINAL_WIDTH": "250", "COLUMNS": "250"}
    )
    assert result.exit_code == 0
    for option in ("--id-column", "--group-column", "--text-column", "--personal-column",
                   "--not-personal-column", "--include-other-languages"):  # fmt: skip
        assert option in result.stdout, (command, option)


@pytest.mark.parametrize(
    ("value", "decision"),
    [("anonymous", Consent.ANONYMOUS), ("public", Consent.PUBLISH),
     ("with name", Consent.PUBLISH), ("withinfo", Consent.PUBLISH),
     ("Publish anonymously", Consent.ANONYMOUS), ("Do not publish", Consent.WITHHOLD),
     ("yes", Consent.PUBLISH), ("no", Consent.WITHHOLD)],  # fmt: skip
)
def test_consent_as_real_tools_write_it(value: str, decision: Consent):
    assert consent_of(value) is decision


KNOWN_NOT_ENGLISH = {"Diolch yn fawr am ddarllen", "Dziękuję", "આભાર", "بہت شکریہ"}


def test_no_english_answer_of_the_sample_is_taken_for_another_language():
    survey = load_survey(SAMPLE / "leicester_send_strategy_2019.csv")
    answers = [
        v for q in survey.text_questions for v in survey.responses[q] if isinstance(v, str)
    ]
    assert len(answers) > 500
    wrong = [
        a for a in answers if a not in KNOWN_NOT_ENGLISH and answer_language(a) not in (None, "en")
    ]
    assert wrong == []
    assert answer_language("Diolch yn fawr am ddarllen") == "cy"


@settings(max_examples=300, deadline=None)
@example(["the", "and", "of"], [",", ",", "."])  # found only once punctuation is taken off
@example(["taxi"] * 40 + ["the", "and", "of"], [" "] * 43)  # past the 160 characters read
@given(
    st.lists(
        st.sampled_from(["the", "and", "of", "we", "taxi", "le", "et", "y", "yn", "mae"]),
        max_size=80,
    ),
    st.lists(st.sampled_from([" ", ", ", ". ", "(", ")", '"', "-", "/", "!"]), min_size=80),
)
def test_the_quick_english_test_decides_as_the_full_one(words: list[str], gaps: list[str]):
    """_looks_english splits at spaces first and takes punctuation off only when that is not
    enough: it must decide every answer as splitting without punctuation does."""
    text = "".join(w + g for w, g in zip(words, gaps, strict=False))
    full = text[:160].lower().translate(languages._NO_PUNCTUATION).split()
    assert languages._looks_english(text) == languages._english_enough(full)


@pytest.mark.parametrize(
    ("values", "role"),
    [
        (["ann.k@example.org", "b.smith@example.net", "chen.l@example.com"] * 2, Role.PERSONAL),
        (["07700 900123", "+44 7700 900456", "0116 496 0789"] * 2, Role.PERSONAL),
        (["LE2 7QX", "LE4 9ZT", "CF10 1AA", "SA1 3SN"], Role.PERSONAL),
        (["Marjorie Fenwickton", "Delroy Ashworth", "Priya Holt", "Tomasz Wielgosz"],
         Role.PERSONAL),
        (["Acme Housing Trust", "Bright Futures Charity", "Example Borough Council",
          "Riverside Academy", "North Network CIC", "Example Ltd"], Role.PERSONAL),
        # group answers that end like organisations' names, but repeat
        (["Parish or town council", "Local Council", "Voluntary Group"] * 8, Role.CLOSED),
        (["The taxi is late every morning and my son misses registration at school.",
          "We need more short breaks; the respite unit has a waiting list of months.",
          "Nobody told us about the personal budget until the annual review meeting."] * 2,
         Role.TEXT),
    ],  # fmt: skip
)
def test_personal_details_found_by_their_values_whatever_the_header(values, role):
    from sendconsult.ingest.roles import column_stats, guess_role

    assert guess_role("Q7", column_stats(values, ", "), len(values))[0] is role


@pytest.mark.parametrize("placeholders", [["Q1", "Q2", "Q3"], ["Column1", "Column2", "Column3"],
                                          ["Unnamed: 0", "Unnamed: 1", "Unnamed: 2"]])  # fmt: skip
def test_placeholder_row_above_question_texts_is_a_two_row_header(placeholders: list[str]):
    from sendconsult.ingest.layouts import detect_layout

    rows = [
        placeholders,
        ["Response ID", "Are you a parent or carer?", "What would make the biggest difference?"],
        ["R1", "Yes", "More respite."],
        ["R2", "No", "Clearer information about the local offer."],
    ]
    layout = detect_layout(rows)
    assert layout.headers == rows[1]
    assert layout.first_data_row == 3 and layout.rows == rows[2:]


def test_numbered_headers_above_answers_stay_a_one_row_header():
    from sendconsult.ingest.layouts import detect_layout

    rows = [
        ["Q1", "Q2", "Q3"],
        ["R1", "Yes", "The taxi is late every morning and nobody tells us why."],
        ["R2", "No", "More respite."],
    ]
    layout = detect_layout(rows)
    assert layout.headers == ["Q1", "Q2", "Q3"] and layout.first_data_row == 2


def test_config_settings_for_personal_columns_attachments_and_languages(tmp_path: Path):
    from sendconsult.config import load_config
    from sendconsult.errors import ConfigError

    path = tmp_path / "sendconsult.toml"
    path.write_text(
        'attachment_answers = ["As per our letter"]\nlanguage = "cy"\n'
        "include_other_languages = true\n"
        '[columns]\npersonal = ["School"]\nnot_personal = ["Organisation type"]\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.attachment_answers == ("As per our letter",)
    assert (config.language, config.include_other_languages) == ("cy", True)
    assert config.columns.personal == ("School",)
    assert config.columns.not_personal == ("Organisation type",)
    path.write_text('language = "Welsh"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="language must be a two-letter language code"):
        load_config(path)


def test_configured_attachment_answers_replace_the_list(write_csv, tmp_path: Path):
    from sendconsult.config import load_config

    export = write_csv(
        [
            ["Response ID", "Your views"],
            ["R1", "As per our letter"],
            ["R2", "Test."],
            ["R3", "Please find our response attached"],
            ["R4", "The school bus leaves far too early for young children with SEND."],
            ["R5", "Respite has been cut twice and families are at breaking point now."],
        ]
    )
    path = tmp_path / "sendconsult.toml"
    path.write_text('attachment_answers = ["As per our letter"]\n', encoding="utf-8")
    survey = load_survey(export, IngestOptions(config=load_config(path)))
    # the listed answer and the pointer rule; "Test." is no longer on the list
    assert survey.set_aside == {("R1", "Your views"): "attachment", ("R3", "Your views"): "attachment"}


def test_own_name_organisation_and_contacts_are_masked_in_answers():
    from sendconsult.ingest.personal import mask_own_details

    columns = {
        "Your name": ["Marjorie Fenwickton", "Will Stone", "Ann Lee"],
        "Organisation": ["Northbrook Carers Trust", "", "Other"],
        "Views": [
            "Marjorie has cared for years; northbrook carers trust supports her.",
            "I will go if I can. Will Stone",
            "Other parents agree with Ann.",
        ],
    }
    assert mask_own_details(columns, ["Views"], ["Your name", "Organisation"]) == 3
    assert columns["Views"] == [
        "[NAME] has cared for years; [ORGANISATION] supports her.",
        "I will go if I can. [NAME]",
        "Other parents agree with [NAME].",  # "Other" says nothing about who someone is
    ]


WHITESPACE_CELLS = st.lists(
    st.sampled_from(["\r\n", "\t\n", "\t", " \n ", "\n\n", "", "ok", "No; never, not once.", "a|b"]),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=WHITESPACE_CELLS, delimiter=st.sampled_from([",", ";", "\t"]))
def test_csv_keeps_its_columns_whatever_the_answers_hold(answers: list[str], delimiter: str):
    import io

    from sendconsult.ingest.readers import sniff_delimiter

    rows = [["Response ID", "Who are you?", "Your views"]]
    rows += [[f"R{i}", "Parent", answer] for i, answer in enumerate(answers)]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    assert sniff_delimiter(buffer.getvalue()) == delimiter


def test_the_eu_export_saved_as_excel_reads_the_same(tmp_path: Path):
    with (EXPORTS / "eu_have_your_say.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append([int(c) if c.isdigit() else c for c in row])  # Excel keeps numbers
    book.save(tmp_path / "feedback.xlsx")
    result = runner.invoke(app, ["inspect", str(tmp_path / "feedback.xlsx")])
    assert result.exit_code == 0, result.output
    assert printed_roles(result.stdout) == EXPECTED_ROLES["eu_have_your_say.csv"]


def test_several_group_candidates_are_named_and_the_config_picks_one(write_csv, tmp_path: Path):
    from sendconsult.config import load_config

    capacity = ["Parent or carer", "Professional", "Parent or carer", "Young person"] * 4
    sector = ["Education", "Health", "Social care", "Education"] * 4
    views = [f"Answer {i}: the school bus was late again and nobody told us." for i in range(16)]
    export = write_csv(
        [["Response ID", "Sector", "In what capacity are you responding?", "Your views"]]
        + [[f"R{i}", sector[i], capacity[i], views[i]] for i in range(16)]
    )
    result = runner.invoke(app, ["inspect", str(export)])
    assert result.exit_code == 0, result.output
    roles = printed_roles(result.stdout)
    assert roles["In what capacity are you responding?"] == G and roles["Sector"] == C
    assert "other candidates: 'Sector'" in " ".join(result.stdout.split())
    (tmp_path / "sendconsult.toml").write_text('[columns]\ngroup = "Sector"\n', encoding="utf-8")
    survey = load_survey(export, IngestOptions(config=load_config(tmp_path / "sendconsult.toml")))
    assert survey.group_column == "Sector"


FRENCH_TRANSPORT = (
    "Le taxi est toujours en retard et le minibus ne vient jamais, c'est inacceptable pour "
    "les familles."
)


def coded_themes(report: Path, response_id: str) -> set[str]:
    book = openpyxl.load_workbook(report, read_only=True)
    rows = book["Coding"].iter_rows(values_only=True)
    header = list(next(rows))
    row = next(r for r in rows if r[0] == response_id)
    book.close()
    return {t for t in ("transport", "short_breaks") if row[header.index(t)] == 1}


def test_an_answer_set_aside_adds_to_no_theme(tmp_path: Path, write_csv):
    """A respondent's French answer is out of the denominators, so its words ('taxi',
    'minibus') must not code transport either; included on request, it does."""
    export = write_csv(
        [
            ["Response ID", "Why do you agree or disagree?", "Anything else?"],
            ["R1", "We need far more respite, we have not had a night off in two years.",
             FRENCH_TRANSPORT],
            ["R2", "The school bus has no escort and the driver changes every week.", ""],
        ]
    )  # fmt: skip
    left_out = tmp_path / "left_out.xlsx"
    result = runner.invoke(app, ["analyse", str(export), "--out", str(left_out), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "transport" not in coded_themes(left_out, "R1")
    assert "transport" in coded_themes(left_out, "R2")
    included = tmp_path / "included.xlsx"
    result = runner.invoke(
        app,
        ["analyse", str(export), "--out", str(included), "--no-cache",
         "--include-other-languages"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "transport" in coded_themes(included, "R1")


def test_a_language_with_few_answers_is_never_named_when_suppressing(tmp_path: Path):
    """A language is a respondent's characteristic: with small numbers suppressed (the
    default), 3 French, 2 German and 1 Polish answer are counted together, and the Uncoded
    sheet does not name their language either."""
    out = tmp_path / "report.xlsx"
    result = runner.invoke(
        app, ["analyse", str(EXPORTS / "eu_have_your_say.csv"), "--out", str(out), "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    note = summary_note(out, SET_ASIDE)
    assert "6 answers not in English: 6 in other languages" in note
    book = openpyxl.load_workbook(out)
    shown = " ".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row)
    assert "[in another language]" in shown
    assert not re.search(r"French|German|Polish", shown)


def test_an_answer_set_aside_beside_a_coded_one_is_listed_in_uncoded(tmp_path: Path):
    """The Summary says set-aside answers are listed in Uncoded: that must hold for a
    respondent whose other answer is coded too, or a Welsh answer would be shown nowhere."""
    export = tmp_path / "consultation.csv"
    welsh = "Mae angen mwy o ofal seibiant arnom ni yn yr ardal hon i'n plant ni i gyd."
    rows = [["Response ID", "Why do you say that?", "Anything else?"]]
    rows += [[f"R{i}", f"The school taxi was late {i} times this term and my son missed lessons.",
              ""] for i in range(1, 8)]  # fmt: skip
    rows[1][2] = welsh
    rows += [["R8", "Nothing more to say about the strategy from us at all today.", ""]]
    with export.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    out = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["analyse", str(export), "--out", str(out), "--no-cache",
                                 "--suppress", "0"])  # fmt: skip
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    cells = [str(v) for row in book["Uncoded"].iter_rows(values_only=True) for v in row if v]
    assert any(f"Anything else? [in Welsh]\n{welsh}" in c for c in cells)
    assert any("and 1 coded responses with an answer set aside (marked)" in c for c in cells)
    assert "R1" in cells and "R8" in cells and "R2" not in cells
