"""Column roles from values, officer overrides (flags > config > detection), consent answers."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendconsult.cli.advice import error_text
from sendconsult.config import ColumnSettings, ProjectConfig
from sendconsult.errors import ColumnError, ExportError
from sendconsult.ingest import IngestOptions, load_survey
from sendconsult.ingest.consent import consent_of
from sendconsult.ingest.roles import (
    _ASCII_SPACE,
    _WIDE_SPACES,
    column_stats,
    guess_role,
    word_counts,
)
from sendconsult.survey import Consent, Role

LIKERT = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"]
WHO = ["Parent or carer", "Teacher", "Young person", "Health professional"]


def survey_rows(n: int = 30) -> list[list[str]]:
    """A header-less-looking survey: roles must come from the values."""
    header = ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
    rows = [
        [
            f"R{i:03d}",
            WHO[i % len(WHO)],
            LIKERT[i % len(LIKERT)],
            f"Answer {i}: the school transport has been unreliable for {i} weeks and nobody calls.",
            "",
            ["Publish response in full", "Publish anonymously", "Do not publish"][i % 3],
        ]
        for i in range(n)
    ]
    return [header, *rows]


def role_of(survey, name: str) -> tuple[Role, str]:
    info = next(c for c in survey.columns if c.name == name)
    return info.role, info.reason


def test_roles_come_from_values_not_headers(write_csv):
    survey = load_survey(write_csv(survey_rows()))
    assert role_of(survey, "Q1")[0] is Role.ID
    assert role_of(survey, "Q2")[0] is Role.GROUP
    assert role_of(survey, "Q3")[0] is Role.CLOSED
    assert role_of(survey, "Q4")[0] is Role.TEXT
    assert role_of(survey, "Q5") == (Role.IGNORED, "detected: empty")
    assert role_of(survey, "Q6")[0] is Role.CONSENT
    assert role_of(survey, "Q4")[1] == "detected: free text, 100% filled, mean 14 words"
    info = next(c for c in survey.columns if c.name == "Q4")
    assert info.fill_rate == 1.0 and info.distinct == 30


@pytest.mark.parametrize(
    ("header", "values", "role"),
    [
        ("Timestamp", ["2019/06/14 9:31:07 am GMT+1"] * 3, Role.METADATA),
        ("Contact", ["a@example.org", "b@example.org", "c@example.org"], Role.PERSONAL),
        ("Your name", ["Ann Jones", "Bob Smith", "Chen Li"], Role.PERSONAL),
        ("Status", ["Complete", "Complete", "Partial"], Role.METADATA),
        ("Are you a...", ["Parent", "Teacher", "Parent"], Role.GROUP),
        ("Which best describes you?", ["Parent", "Teacher", "Parent"], Role.GROUP),
        ("Are you happy for your response to be published?", ["Yes", "No", "Yes"], Role.CONSENT),
        ("How satisfied are you?", ["Very", "Not at all", "Very", "Quite"], Role.CLOSED),
        (
            "Do you have comments on the published strategy?",
            [
                f"Comment {i}: the published strategy ignores post-16 transport costs"
                for i in range(8)
            ],
            Role.TEXT,
        ),
    ],
)
def test_guess_role(header: str, values: list[str], role: Role):
    assert guess_role(header, column_stats(values, ", "), len(values))[0] is role


@pytest.mark.parametrize(
    ("answer", "consent"),
    [
        ("Publish response in full", Consent.PUBLISH),
        ("Publish response with name", Consent.PUBLISH),
        ("Publish anonymously", Consent.ANONYMOUS),
        ("Publish response only (without name)", Consent.ANONYMOUS),
        ("Yes, but not my name", Consent.ANONYMOUS),
        ("Do not publish", Consent.WITHHOLD),
        ("Do not publish response", Consent.WITHHOLD),
        ("Yes", Consent.PUBLISH),
        ("No", Consent.WITHHOLD),
        ("No - keep it confidential", Consent.WITHHOLD),
        ("", Consent.UNKNOWN),
        ("Not sure", Consent.UNKNOWN),
    ],
)
def test_consent_answers(answer: str, consent: Consent):
    assert consent_of(answer) is consent


def test_no_consent_column_means_unknown(write_csv):
    rows = [r[:5] for r in survey_rows()]
    survey = load_survey(write_csv(rows))
    assert survey.consent_column is None
    assert set(survey.responses["consent"]) == {Consent.UNKNOWN}


def test_flags_beat_config_which_beats_detection(write_csv):
    path = write_csv(survey_rows())
    config = ProjectConfig(columns=ColumnSettings(text=("Q3",), group="Q3", id="Q1"))
    survey = load_survey(
        path, IngestOptions(text_columns=("Q4",), group_column="Q2", config=config)
    )
    assert survey.text_questions == ["Q4"]
    assert role_of(survey, "Q4") == (Role.TEXT, "--text-column")
    assert role_of(survey, "Q2") == (Role.GROUP, "--group-column")
    assert role_of(survey, "Q1") == (Role.ID, "config")
    assert survey.group_column == "Q2"


def test_the_group_flag_beats_the_configs_group_whichever_column_comes_first(write_csv):
    """The config names Q2 (first in the export) as the groups; --group-column names Q3 for
    this run: Q3 is the group column, and Q2 is decided as if nothing had named it."""
    path = write_csv(survey_rows())
    config = ProjectConfig(columns=ColumnSettings(group="Q2", id="Q1"))
    survey = load_survey(path, IngestOptions(group_column="Q3", config=config))
    assert survey.group_column == "Q3"
    assert role_of(survey, "Q3") == (Role.GROUP, "--group-column")
    assert role_of(survey, "Q2")[0] is Role.CLOSED


def test_config_names_the_text_columns_and_others_are_not_analysed(write_csv):
    rows = [
        [*r, f"Extra remark {i} about the local offer website and SENDIASS"]
        for i, r in enumerate(survey_rows())
    ]
    rows[0][-1] = "Q7"
    config = ProjectConfig(columns=ColumnSettings(text=("Q7",), ignore=("Q3",), closed=("Q2",)))
    survey = load_survey(write_csv(rows), IngestOptions(config=config))
    assert survey.text_questions == ["Q7"]
    assert role_of(survey, "Q4") == (Role.IGNORED, "not analysed: config names the text columns")
    assert role_of(survey, "Q3") == (Role.IGNORED, "config")
    assert role_of(survey, "Q2") == (Role.CLOSED, "config")


def test_named_columns_match_without_case_or_spacing(write_csv):
    survey = load_survey(write_csv(survey_rows()), IngestOptions(text_columns=(" q4 ",)))
    assert survey.text_questions == ["Q4"]


def test_unknown_column_suggests_the_closest_names(write_csv):
    rows = survey_rows()
    rows[0][0] = "Response ID"
    with pytest.raises(ColumnError) as caught:
        load_survey(write_csv(rows), IngestOptions(id_column="Respnse ID"))
    message = str(caught.value)
    assert message.startswith(
        "Column 'Respnse ID' (given with --id-column) was not found in export.csv"
    )
    assert (
        "did you mean 'Response ID'?" in message and "Columns are: 'Response ID', 'Q2'" in message
    )


def test_unknown_config_column_says_config(write_csv):
    config = ProjectConfig(columns=ColumnSettings(group="Who"))
    with pytest.raises(ColumnError, match=r"'Who' \(given in the config file\)"):
        load_survey(write_csv(survey_rows()), IngestOptions(config=config))


def test_no_free_text_column_says_what_to_do(write_csv):
    rows = [[r[0], r[2]] for r in survey_rows()]
    with pytest.raises(ExportError, match=r"No free-text column was found in export.csv") as e:
        load_survey(write_csv(rows))
    assert error_text(e.value).startswith(
        "No free-text column was found in export.csv (columns are: "
    )
    assert error_text(e.value).endswith("; name one with --text-column.")


def test_only_one_group_column_is_used(write_csv):
    rows = [["ID", "Are you a...", "Who are you responding as?", "Comments"]] + [
        [str(i), WHO[i % 4], WHO[(i + 1) % 4], f"Comment number {i} about the transport service and respite"]
        for i in range(10)
    ]  # fmt: skip
    survey = load_survey(write_csv(rows))
    assert survey.group_column == "Are you a..."
    assert role_of(survey, "Who are you responding as?")[0] is Role.CLOSED


def test_id_header_with_repeats_is_still_the_id(write_csv):
    rows = [["ID", "Comments"]] + [
        [str(i // 2), f"Comment {i} about short breaks and respite"] for i in range(6)
    ]
    survey = load_survey(write_csv(rows))
    assert survey.id_column == "ID"
    assert list(survey.responses["response_id"]) == ["0", "0#2", "1", "1#2", "2", "2#2"]
    assert any("3 response IDs appear more than once: 0 (row 3)" in w for w in survey.warnings)


WORDY = [
    "",
    " ",
    "one",
    "  two  words ",
    "tab\tand\nnew line",
    "\x1c\x1d\x1e\x1f separators",
    "\x00\x07 controls are letters",
    "nbsp\u00a0joins no\u2028more",
    "zero\u200bwidth is not a space",
    "emoji 👍 counts",
    "ideographic\u3000space",
    "x" * 300,
]


@pytest.mark.parametrize("start", range(len(WORDY)))
def test_word_counts_match_str_split(start: int):
    values = (WORDY * 2)[start : start + 5]
    assert word_counts(values) == [len(v.split()) for v in values]


@settings(deadline=None)  # timing varies on shared CI machines
@given(
    st.lists(st.text(alphabet=" \t\n\x0b\x1f\x85\u00a0\u2000\u3000\u3001ab.é👍\x00"), max_size=8)
)
def test_word_counts_of_any_text(values: list[str]):
    assert word_counts(values) == [len(v.split()) for v in values]


def test_every_whitespace_character_is_known_to_word_counts():
    spaces = [c for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    known = [c for c in range(128) if _ASCII_SPACE[c]] + _WIDE_SPACES.tolist()
    assert spaces == known
    assert all(c <= 32 for c in spaces if c < 128)


def test_column_stats_weights_repeated_answers():
    values = ["one two", "one two", "three", "", "  ", "a b c d"]
    stats = column_stats(values, ", ")
    assert (stats.fill_rate, stats.distinct, stats.max_words) == (4 / 6, 3, 4)
    assert stats.mean_words == (2 + 2 + 1 + 4) / 4
