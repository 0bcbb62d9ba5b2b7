"""Shared test helpers: fixture paths and writers for small exports made on the fly."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl
import pytest

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


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
