"""Splitting multi-select answers without breaking option labels that contain the separator."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendconsult.config import ProjectConfig
from sendconsult.ingest import IngestOptions, load_survey
from sendconsult.ingest.multiselect import learn_options, split_selection

OPTIONS = [
    "Parent or carer of a child or young person with SEND",
    "Young person with SEND (aged 11-25)",
    "Education professional (school, college or early years setting)",
    "Health professional (e.g. therapist, nurse, paediatrician)",
    "Social care professional",
    "Voluntary, community or charity organisation",
]
PARENT, YOUNG, EDU, HEALTH, SOCIAL, VOL = OPTIONS
SEPARATORS = {", ": ", ", ";": ";", ",": ","}


@settings(deadline=None)  # timing varies on shared CI machines
@given(
    st.lists(st.sampled_from(OPTIONS), min_size=1, max_size=6, unique=True),
    st.sampled_from(list(SEPARATORS)),
)
def test_known_options_always_come_out_whole(chosen: list[str], separator: str):
    value = SEPARATORS[separator].join(chosen) + (";" if separator == ";" else "")
    assert split_selection(value, separator, set(OPTIONS)).options == tuple(chosen)


@settings(deadline=None)  # timing varies on shared CI machines
@given(st.lists(st.sampled_from(OPTIONS), min_size=1, max_size=4, unique=True))
def test_options_are_learned_from_single_answers(chosen: list[str]):
    known = learn_options([*OPTIONS, ", ".join(chosen)], ", ")
    assert known == set(OPTIONS)
    assert split_selection(", ".join(chosen), ", ", known).options == tuple(chosen)


def test_unknown_options_with_commas_are_rejoined_without_knowing_them():
    assert split_selection(f"{VOL}, {EDU}, {HEALTH}", ", ", set()).options == (VOL, EDU, HEALTH)


@pytest.mark.parametrize(
    ("value", "options", "other"),
    [
        (
            "Other (please specify): grandparent, kinship carer",
            ("Other",),
            "grandparent, kinship carer",
        ),
        (f"{PARENT}, Other (please specify): foster carer", (PARENT, "Other"), "foster carer"),
        (f"Other (please specify): foster carer, {SOCIAL}", ("Other", SOCIAL), "foster carer"),
        ("Other", ("Other",), ""),
        ("aunt", ("Other",), "aunt"),
        (f"{PARENT}, my nephew", (PARENT, "Other"), "my nephew"),
        ("", (), ""),
    ],
)
def test_other_answers_fold_into_other(value: str, options: tuple[str, ...], other: str):
    selection = split_selection(value, ", ", set(OPTIONS))
    assert selection.options == options
    assert selection.other_text == other


def test_configured_options_make_anything_else_other_text():
    known = set(OPTIONS)
    selection = split_selection(f"{PARENT}, Grandmother", ", ", known, closed=True)
    assert selection.options == (PARENT, "Other")
    assert selection.other_text == "Grandmother"


def test_lower_case_vocabularies_are_not_mistaken_for_other_answers():
    values = ["parent", "teacher", "parent, teacher", "young person", "parent"]
    known = learn_options(values, ", ")
    assert {"parent", "teacher", "young person"} <= known
    assert split_selection("parent, teacher", ", ", known).options == ("parent", "teacher")


def test_a_lone_lower_case_answer_is_typed_other_text():
    known = learn_options([PARENT, EDU, "aunt", f"{PARENT}, {EDU}"], ", ")
    assert "aunt" not in known


def test_config_group_options_are_used(write_csv):
    rows = [["ID", "Who are you?", "Comments"]] + [
        [str(i), value, f"Comment {i} about respite care and short breaks"]
        for i, value in enumerate(
            [f"{VOL}, {PARENT}", f"{PARENT}, Childminder", VOL, f"{EDU}, {HEALTH}"]
        )
    ]
    config = ProjectConfig(group_options=tuple(OPTIONS))
    survey = load_survey(write_csv(rows), IngestOptions(config=config))
    assert list(survey.responses["groups"]) == [
        [VOL, PARENT],
        [PARENT, "Other"],
        [VOL],
        [EDU, HEALTH],
    ]
    assert survey.other_texts == {"1": "Childminder"}
    assert survey.group_options == [PARENT, EDU, HEALTH, VOL, "Other"]  # config order first
    assert list(survey.responses["groups_raw"])[0] == f"{VOL}, {PARENT}"


def test_blank_group_answers_give_empty_lists(write_csv):
    rows = [["ID", "Are you a...", "Comments"]] + [
        [str(i), ["Parent", "", "Teacher"][i % 3], f"Comment {i} on the EHCP process"]
        for i in range(6)
    ]
    survey = load_survey(write_csv(rows))
    assert list(survey.responses["groups"]) == [["Parent"], [], ["Teacher"]] * 2
