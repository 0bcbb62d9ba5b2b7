"""Redactions kept between runs: a re-run redacts exactly as a fresh run, looking only at new
texts, and the file it keeps holds no respondent's words."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sendconsult.caches import redactions
from sendconsult.caches.redactions import RedactionCache
from sendconsult.cli import app
from sendconsult.privacy import Redaction, Redactor
from sendconsult.resources import PACKAGE_DIR, source_digest

SAMPLE = Path(__file__).parent.parent / "sample_responses" / "leicester_send_strategy_2019.csv"
TEXTS = [
    "My son Jack has waited two years for his EHCP; call me on 07700 900123.",
    "Mrs Patel at the school was brilliant. Email jo.bloggs@example.org if you need more.",
    "The taxi is late every morning and nobody tells us why.",
]
runner = CliRunner()


class Counting(Redactor):
    """A redactor that counts the texts it really searches."""

    searched = 0

    def _find(self, text: str) -> list[Redaction]:
        type(self).searched += 1
        return super()._find(text)


@pytest.fixture(autouse=True)
def fresh_count():
    Counting.searched = 0


def test_a_second_redactor_reads_back_what_the_first_found(tmp_path: Path) -> None:
    first = Counting()
    cache = RedactionCache(tmp_path, "export.csv", first)
    cache.load()
    expected = [first.redact(t) for t in TEXTS]
    cache.save()
    assert Counting.searched == len(TEXTS)

    second = Counting()
    RedactionCache(tmp_path, "export.csv", second).load()
    assert [second.redact(t) for t in TEXTS] == expected
    assert Counting.searched == len(TEXTS)  # none searched again
    assert "[NAME]" in expected[0] and "[PHONE]" in expected[0] and "[EMAIL]" in expected[1]


def test_the_file_holds_hashes_and_offsets_never_the_words(tmp_path: Path) -> None:
    redactor = Redactor()
    cache = RedactionCache(tmp_path, "export.csv", redactor)
    for text in TEXTS:
        redactor.redact(text)
    cache.save()
    stored = cache.path.read_text(encoding="utf-8")
    for words in ("Jack", "Patel", "07700", "bloggs", "taxi"):
        assert words not in stored
    assert len(json.loads(stored)["texts"]) == len(TEXTS)


def saved_then_edited(tmp_path: Path, text: str, edit: Callable[[dict], None]) -> str:
    """Redact `text` and save the file, then change the file with `edit` (as a damaged file or
    another version would); returns the redacted text."""
    first = Redactor()
    cache = RedactionCache(tmp_path, "export.csv", first)
    redacted = first.redact(text)
    cache.save()
    data = json.loads(cache.path.read_text(encoding="utf-8"))
    edit(data)
    cache.path.write_text(json.dumps(data), encoding="utf-8")
    return redacted


def reloaded(tmp_path: Path) -> Counting:
    """A redactor given what the file remembers, counting the texts it searches itself."""
    redactor = Counting()
    RedactionCache(tmp_path, "export.csv", redactor).load()
    return redactor


def test_a_file_made_under_other_rules_is_ignored(tmp_path: Path) -> None:
    def other_rules(data: dict) -> None:
        data["rules"] = "0" * 32  # as if privacy.py or its names lists had changed

    saved_then_edited(tmp_path, TEXTS[0], other_rules)
    reloaded(tmp_path).redact(TEXTS[0])
    assert Counting.searched == 1


def test_a_change_to_the_lemma_code_makes_the_file_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved_then_edited(tmp_path, TEXTS[0], lambda data: None)
    reloaded(tmp_path).redact(TEXTS[0])
    assert Counting.searched == 0  # same code: read back
    changed = tmp_path / "changed"
    changed.mkdir()
    for name in redactions.RULES_SOURCES:
        source = (PACKAGE_DIR / name).read_text(encoding="utf-8")
        (changed / name).parent.mkdir(parents=True, exist_ok=True)
        (changed / name).write_text(source + "\n# changed\n", encoding="utf-8")
    monkeypatch.setattr(
        redactions, "source_digest", lambda names: source_digest(names, changed)
    )
    reloaded(tmp_path).redact(TEXTS[0])
    assert Counting.searched == 1


@pytest.mark.parametrize(
    "spans",
    [
        [[0, 4, "NAME"], [2, 6, "NAME"]],  # overlapping
        [[5, 5, "NAME"]],  # empty
        [[0, 4, "SECRET"]],  # not a kind redaction makes
        [[0, 4]],  # damaged
    ],
)
def test_unsound_spans_are_refused_and_found_afresh(tmp_path: Path, spans: list) -> None:
    def unsound(data: dict) -> None:
        data["texts"] = {digest: spans for digest in data["texts"]}

    expected = saved_then_edited(tmp_path, TEXTS[0], unsound)
    assert reloaded(tmp_path).redact(TEXTS[0]) == expected
    assert Counting.searched == 1


def test_spans_longer_than_their_text_are_found_afresh(tmp_path: Path) -> None:
    def too_long(data: dict) -> None:
        data["texts"] = {digest: [[0, 500, "NAME"]] for digest in data["texts"]}

    saved_then_edited(tmp_path, TEXTS[2], too_long)
    assert reloaded(tmp_path).redact(TEXTS[2]) == TEXTS[2]
    assert Counting.searched == 1


def test_a_damaged_file_or_a_read_only_folder_only_costs_time(tmp_path: Path) -> None:
    redactor = Counting()
    cache = RedactionCache(tmp_path, "export.csv", redactor)
    cache.path.write_text("{not json", encoding="utf-8")
    cache.load()
    assert redactor.redact(TEXTS[0]).count("[") == 2
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    RedactionCache(blocked / "cache", "export.csv", redactor).save()  # cannot make the folder


def test_the_fingerprint_follows_the_ner_pipeline() -> None:
    class Pipeline:  # what Redactor asks of an NER pipeline
        meta = {"name": "core_web_sm", "version": "3.8.0"}

        def has_pipe(self, name: str) -> bool:
            return name == "ner"

    assert Redactor().pipeline == "patterns"
    assert Redactor(Pipeline()).pipeline.startswith("core_web_sm-3.8.0")  # type: ignore[arg-type]
    assert Redactor(Pipeline()).fingerprint != Redactor().fingerprint  # type: ignore[arg-type]


def contents(report: Path) -> dict[str, list[tuple]]:
    """Every sheet's values, read back, but the Method sheet's record of when and how."""
    book = openpyxl.load_workbook(report, read_only=True)
    made = ("sendconsult analyse", "20")  # the command line, the date and time
    return {
        sheet.title: [
            tuple(None if sheet.title == "Method" and str(v).startswith(made) else v for v in row)
            for row in sheet.iter_rows(values_only=True)
        ]
        for sheet in book.worksheets
    }


def test_a_cli_re_run_redacts_as_a_fresh_run_and_searches_only_new_texts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, export)
    monkeypatch.setattr("sendconsult.analysis.Redactor", Counting)

    def analyse(out: str, *options: str) -> Path:
        result = runner.invoke(
            app, ["analyse", str(export), "--out", str(tmp_path / out), *options]
        )
        assert result.exit_code == 0, result.output
        return tmp_path / out

    analyse("first.xlsx")
    searched_first = Counting.searched
    assert searched_first > 50
    assert list((tmp_path / ".sendconsult-cache").glob("*.redactions.json"))

    Counting.searched = 0
    again = analyse("again.xlsx")
    assert Counting.searched == 0  # every quote was redacted in the first run
    fresh = analyse("fresh.xlsx", "--no-cache")
    assert Counting.searched == searched_first
    assert contents(again) == contents(fresh)


def test_the_fingerprint_changes_with_the_names_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib import resources

    from sendconsult import privacy

    shipped = resources.files("sendconsult") / "data"
    data = tmp_path / "data"
    data.mkdir()
    for name in ("first_names.txt", "name_words.txt", "not_personal.txt"):
        (data / name).write_bytes((shipped / name).read_bytes())
    monkeypatch.setattr(privacy.resources, "files", lambda package: tmp_path)
    privacy._rules_fingerprint.cache_clear()
    before = privacy._rules_fingerprint("patterns")
    with (data / "first_names.txt").open("a", encoding="utf-8") as names:
        names.write("Zebedee\n")  # a names list revised in a later version
    privacy._rules_fingerprint.cache_clear()
    assert privacy._rules_fingerprint("patterns") != before
    privacy._rules_fingerprint.cache_clear()
