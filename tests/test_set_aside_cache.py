"""What reading set aside is kept between runs: a re-run reads the verdicts back instead of
judging every answer's language again, and never serves a verdict made under other rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sendconsult.caches.set_aside import SetAsideCache
from sendconsult.config import ProjectConfig
from sendconsult.ingest import IngestOptions, build, load_survey

ROWS = [
    ["Response ID", "I am responding as", "Please tell us why"],
    ["R1", "Parent or carer", "The taxi to school is late most mornings and nobody tells us why."],
    ["R2", "Parent or carer", "Rydym angen mwy o ofal seibiant yn yr ardal hon i'n plant ni."],
    ["R3", "Young person", "Please see attached document."],
    ["R4", "Professional", "Respite has a waiting list of months for families like ours."],
    ["R5", "Parent or carer", "Rydym angen mwy o ofal seibiant yn yr ardal hon i'n plant ni."],
]
EXPECTED = {
    ("R2", "Please tell us why"): "cy",
    ("R3", "Please tell us why"): "attachment",
    ("R5", "Please tell us why"): "cy",
}


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The answers whose language reading decided (not read back from the cache)."""
    calls: list[str] = []
    decide = build.language_without_model

    def counting(text: str, expected: str = "en") -> str | None:
        calls.append(text)
        return decide(text, expected)

    monkeypatch.setattr(build, "language_without_model", counting)
    return calls


def read(path: Path, cache: Path, config: ProjectConfig | None = None):
    return load_survey(path, IngestOptions(cache_dir=cache, config=config))


def test_a_rerun_reads_the_verdicts_back(
    tmp_path: Path, write_csv: Callable[..., Path], judged: list[str]
):
    path, cache = write_csv(ROWS), tmp_path / "cache"
    first = read(path, cache)
    assert first.set_aside == EXPECTED
    assert len(judged) == 3  # the distinct answers that are not attachment pointers
    judged.clear()
    again = read(path, cache)
    assert again.set_aside == EXPECTED
    assert judged == []
    # a revised answer is judged afresh; the others are still read back
    rows = [row[:] for row in ROWS]
    rows[4][2] = "Mae'r cludiant i'r ysgol yn hwyr bob bore ac nid oes neb yn dweud wrthym."
    revised = read(write_csv(rows, name="export.csv"), cache)
    assert judged == [rows[4][2]]
    assert revised.set_aside[("R4", "Please tell us why")] == "cy"


def test_verdicts_made_under_other_settings_are_not_used(
    tmp_path: Path, write_csv: Callable[..., Path], judged: list[str]
):
    path, cache = write_csv(ROWS), tmp_path / "cache"
    read(path, cache)
    judged.clear()
    welsh = read(path, cache, ProjectConfig(language="cy"))
    assert len(judged) == 3
    assert ("R2", "Please tell us why") not in welsh.set_aside  # Welsh is the language now
    judged.clear()
    listed = read(path, cache, ProjectConfig(attachment_answers=("see our response",)))
    assert len(judged) == 3  # judged again, not read back
    assert listed.set_aside[("R3", "Please tell us why")] == "attachment"  # by the pointer rule


def test_a_damaged_file_is_judged_again_and_rewritten(
    tmp_path: Path, write_csv: Callable[..., Path], judged: list[str]
):
    path, cache = write_csv(ROWS), tmp_path / "cache"
    read(path, cache)
    (kept,) = cache.glob("*.set-aside.npz")
    kept.write_bytes(b"not a cache file")
    judged.clear()
    assert read(path, cache).set_aside == EXPECTED
    assert len(judged) == 3
    judged.clear()
    read(path, cache)
    assert judged == []


def test_digests_keep_their_trailing_zero_bytes(tmp_path: Path):
    cache = SetAsideCache(tmp_path, "export.csv", "en")
    verdicts = {bytes(15) + b"\x00": "", b"\x01" * 15 + b"\x00": "cy", b"\x02" * 16: "test"}
    cache.save(verdicts)
    assert cache.load() == verdicts
    assert SetAsideCache(tmp_path, "export.csv", "cy").load() == {}  # other settings
