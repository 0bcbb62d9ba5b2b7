"""Importing other tools' dictionaries, writing our YAML, and `themes check` / `themes import`."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sendconsult.cli import app
from sendconsult.themes.importers import import_dictionary
from sendconsult.themes.loader import load_dictionary
from sendconsult.themes.model import Term, Theme, ThemeDictionary
from sendconsult.themes.terms import parse_term
from sendconsult.themes.validate import check_dictionary
from sendconsult.themes.writer import dump_yaml

FIXTURES = Path(__file__).parent / "fixtures" / "dictionaries"
ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def summary(d: ThemeDictionary) -> list[tuple[str, str | None, list[str]]]:
    return [(t.id, t.parent, [x.text for x in t.terms]) for t in d.themes]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "send.dic",
            [
                ("transport", None, ["taxi*", "minibus", "escort"]),
                ("respite", None, ["respite", "short break*"]),
            ],
        ),
        (
            "send.dicx",
            [("transport", None, ["taxi*"]), ("respite", None, ["respite", "short break*"])],
        ),
        (
            "send.cat",
            [
                ("services", None, []),
                ("transport", "services", ["taxi*", "home to school"]),
                ("respite", "services", ["short break*", "respite"]),
                ("process", None, ["ehcp*", "tribunal"]),
            ],
        ),
        (
            "quanteda.yml",
            [
                ("services", None, []),
                ("transport", "services", ["taxi*", "minibus"]),
                ("respite", "services", ["respite", "short break*"]),
                ("process", None, ["ehcp*", "tribunal"]),
            ],
        ),
    ],
)
def test_import_formats_and_round_trip(tmp_path: Path, name: str, expected):
    dictionary, _ = import_dictionary(FIXTURES / name)
    assert summary(dictionary) == expected
    written = tmp_path / "imported.yaml"
    written.write_text(dump_yaml(dictionary), encoding="utf-8")
    assert summary(load_dictionary(written)) == expected


def test_unsupported_entries_are_reported_not_changed():
    dictionary, issues = import_dictionary(FIXTURES / "quanteda.yml")
    assert [i.term for i in issues] == ["^regex$", "ta?i"]
    assert "pattern characters" in issues[0].message
    assert all("?" not in t.text for theme in dictionary.themes for t in theme.terms)


def test_duplicates_across_themes_are_flagged():
    dictionary = ThemeDictionary(
        themes=[
            Theme("transport", "Transport", terms=[parse_term("bus", 3), parse_term("car*", 4)]),
            Theme(
                "post_16",
                "Post-16",
                terms=[parse_term("bus", 9), parse_term("college", 10), parse_term("college", 11)],
            ),
        ]
    )
    messages = [i.message for i in check_dictionary(dictionary)]
    assert any(
        "'bus' is in several themes" in m and "line 3" in m and "line 9" in m for m in messages
    )
    assert any("'college' is listed twice" in m for m in messages)
    assert any("'car*' has a short stem" in m for m in messages)


def test_themes_import_command(tmp_path: Path):
    out = tmp_path / "themes.yaml"
    result = runner.invoke(
        app, ["themes", "import", str(FIXTURES / "quanteda.yml"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Skipped" in result.output and "ta?i" in result.output
    assert load_dictionary(out).theme_ids == ["services", "process"]
    again = runner.invoke(
        app, ["themes", "import", str(FIXTURES / "quanteda.yml"), "--out", str(out)]
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_themes_check_with_export_shows_top_and_dead_terms():
    result = runner.invoke(
        app,
        ["themes", "check", str(ROOT / "models" / "send_strategy_themes.yaml"),
         str(ROOT / "sample_responses" / "leicester_send_strategy_2019.csv")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "10 themes" in out and "What the terms catch (340 responses)" in out
    assert "dead terms" in out


def test_themes_check_kwic():
    result = runner.invoke(
        app,
        ["themes", "check", str(ROOT / "models" / "send_strategy_themes.yaml"),
         str(ROOT / "sample_responses" / "leicester_send_strategy_2019.csv"), "--kwic", "taxi"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "'taxi' in context" in result.output


def test_themes_check_names_the_bad_line():
    result = runner.invoke(app, ["themes", "check", str(FIXTURES / "bad_key.yaml")])
    assert result.exit_code == 1
    assert "bad_key.yaml line 4: unknown key 'term'" in " ".join(result.output.split())


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(words, st.booleans(), st.integers(0, 2)), min_size=1, max_size=8))
def test_random_terms_survive_dump_and_load(tmp_path_factory, specs):
    terms: list[Term] = []
    for word, wildcard, extra in specs:
        text = " ".join([word] * (extra + 1))
        if wildcard:
            text += "*"
        terms.append(parse_term(text))
    dictionary = ThemeDictionary(themes=[Theme("random_theme", "Random theme", terms=terms)])
    path = tmp_path_factory.mktemp("dump") / "themes.yaml"
    path.write_text(dump_yaml(dictionary), encoding="utf-8")
    loaded = load_dictionary(path)
    assert [t.text for t in loaded.theme("random_theme").terms] == [t.text for t in terms]
    assert [t.kind for t in loaded.theme("random_theme").terms] == [t.kind for t in terms]


def test_wildcards_that_can_never_match_are_errors(nlp):
    from sendconsult.nlp.pipeline import tokens
    from sendconsult.themes.validate import unmatchable_terms

    dictionary = ThemeDictionary(
        themes=[
            Theme(
                "a",
                "A",
                terms=[parse_term("20-week*", 2), parse_term("post-*", 3), parse_term("child*", 4)],
            )
        ]
    )
    issues = unmatchable_terms(dictionary, lambda t: tokens(nlp, t))
    assert [(i.level, i.line, i.term) for i in issues] == [("error", 3, "post-*")]
