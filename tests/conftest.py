"""Shared test helpers: one spaCy pipeline for the whole run, fixture paths, writers for small
exports made on the fly, and the Hypothesis settings every property test runs under."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

EXPORTS = Path(__file__).parent / "fixtures" / "exports"

# Hypothesis keeps failing examples (replayed first on the next run) and its caches outside the
# source tree, so a run leaves a clone clean. A generous per-example deadline flags a
# pathologically slow input without failing on a busy machine; tests that analyse a whole
# export set their own.
HYPOTHESIS_HOME = Path(tempfile.gettempdir()) / "sendconsult-hypothesis"
set_hypothesis_home_dir(HYPOTHESIS_HOME)
settings.register_profile(
    "sendconsult",
    database=DirectoryBasedExampleDatabase(HYPOTHESIS_HOME / "examples"),
    deadline=timedelta(seconds=2),
    max_examples=100,
)
settings.load_profile("sendconsult")


@pytest.fixture(scope="session")
def nlp():  # noqa: ANN201 - a spaCy Language
    """The built-in parsing pipeline, built once for the whole run (tests never change it)."""
    from sendconsult.nlp.pipeline import build_pipeline

    return build_pipeline()


@pytest.fixture
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI tables as on a wide screen (a phrase is never split across wrapped lines), and no
    --debug left over from another test."""
    from sendconsult.cli import common

    monkeypatch.setattr(common.out, "width", 250)
    monkeypatch.setattr(common.err, "width", 250)
    monkeypatch.delenv("SENDCONSULT_DEBUG", raising=False)


def flat(text: str) -> str:
    """CLI output with table borders and wrapping undone, so phrases can be found."""
    return " ".join(text.replace("│", " ").split())


@pytest.fixture
def exports_dir() -> Path:
    """Folder of small, hand-made exports in each tool's layout (tests/fixtures/exports)."""
    return EXPORTS


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write rows as a CSV export the way survey tools do (quoted as needed, CRLF row ends)."""

    def write(
        rows: Sequence[Sequence[object]],
        name: str = "export.csv",
        encoding: str = "utf-8",
        delimiter: str = ",",
    ) -> Path:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
        path = tmp_path / name
        path.write_bytes(buffer.getvalue().encode(encoding))
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Write rows to one or more sheets of an .xlsx export."""

    def write(
        rows: Sequence[Sequence[object]],
        name: str = "export.xlsx",
        sheets: Sequence[str] = ("Sheet1",),
    ) -> Path:
        workbook = openpyxl.Workbook()
        workbook.active.title = sheets[0]
        for extra in sheets[1:]:
            workbook.create_sheet(extra)
        for row in rows:
            workbook[sheets[0]].append(list(row))
        path = tmp_path / name
        workbook.save(path)
        return path

    return write
