"""Broken and hostile exports, run through the command as an officer would: a clear message and a
non-zero exit, or a correct report with warnings. Never a traceback; the export never changes."""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sendconsult.cli import app

BROKEN = Path(__file__).parent / "fixtures" / "broken"
runner = CliRunner()


def analyse(tmp_path: Path, source: Path) -> tuple[int, str, Path]:
    export = tmp_path / source.name
    shutil.copy(source, export)
    before = hashlib.sha256(export.read_bytes()).hexdigest()
    out = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["analyse", str(export), "--out", str(out)])
    assert hashlib.sha256(export.read_bytes()).hexdigest() == before, "the export must never change"
    assert "Traceback" not in result.output
    return result.exit_code, " ".join(result.output.split()), out


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "Error: empty.csv is empty; download the export again from the survey tool."),
        ("header_only.csv", "Error: header_only.csv has column headings but no responses"),
        ("binary.csv", "Error: binary.csv is not a spreadsheet (it holds binary data)"),
        ("truncated.xlsx", "Error: truncated.xlsx is damaged or cut short"),
        (
            "not_a_spreadsheet.pdf.csv",
            "Error: not_a_spreadsheet.pdf.csv is a PDF, not a spreadsheet",
        ),
    ],
)
def test_unreadable_exports_fail_with_one_line(tmp_path: Path, name: str, message: str):
    code, output, out = analyse(tmp_path, BROKEN / name)
    assert code == 1
    assert output.startswith(message)
    assert output.count("Error:") == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "warning", "responses"),
    [
        ("duplicate_ids.csv", "1 response ID appears more than once: R1 (row 3)", 3),
        ("ragged.csv", "1 row has more cells than there are column headings (row 4)", 4),
        (
            "unterminated_quote.csv",
            "A quote mark opened in row 2 of unterminated_quote.csv is never closed",
            1,
        ),
        ("mixed_encodings.csv", None, 3),
        ("csv_named.xlsx", None, 3),
        ("xlsx_named.csv", None, 3),
    ],
)
def test_damaged_but_readable_exports_give_a_report_with_warnings(
    tmp_path: Path, name: str, warning, responses: int
):
    code, output, out = analyse(tmp_path, BROKEN / name)
    assert code == 0, output
    if warning:
        assert f"Warning: {warning}" in output
    book = openpyxl.load_workbook(out)
    coding = list(book["Coding"].iter_rows(min_row=2, values_only=True))
    assert len(coding) == responses


def test_mixed_encodings_are_repaired(tmp_path: Path):
    code, _, out = analyse(tmp_path, BROKEN / "mixed_encodings.csv")
    assert code == 0
    uncoded_and_themes = " ".join(
        str(c)
        for sheet in openpyxl.load_workbook(out).worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c
    )
    assert "Café staff said the taxi was late – again" in uncoded_and_themes
    assert "We can’t get respite, it’s awful" in uncoded_and_themes


@pytest.mark.slow
def test_ten_megabyte_single_cell(tmp_path: Path):
    source = tmp_path / "src" / "big_cell.csv"
    source.parent.mkdir()
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Response ID", "Your comments"])
        writer.writerow(
            [
                "R1",
                ("We waited forty weeks for the plan and nobody called back. " * 180_000)[
                    :10_000_000
                ],
            ]
        )
        for i in range(2, 8):
            writer.writerow([f"R{i}", f"The taxi to school was late {i} times this term."])
    code, output, out = analyse(tmp_path, source)
    assert code == 0, output
    book = openpyxl.load_workbook(out)
    assert all(
        len(str(c)) <= 32_767
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c
    )
    header = [c.value for c in book["Coding"][1]]
    coding = {r[0]: r for r in book["Coding"].iter_rows(min_row=2, values_only=True)}
    assert coding["R1"][header.index("ehcp_process")] == 1
    assert coding["R2"][header.index("transport")] == 1


@pytest.mark.slow
def test_hundred_thousand_column_header(tmp_path: Path):
    source = tmp_path / "src" / "wide.csv"
    source.parent.mkdir()
    header = ["Response ID", "Your comments", *[f"Q{i}" for i in range(100_000)]]
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        answers = [
            "We need respite and short breaks in the holidays, please.",
            "The taxi to school is late most mornings and nobody tells us why.",
            "Our EHCP review was cancelled twice this year without any explanation.",
        ]
        for i, answer in enumerate(answers):
            writer.writerow([f"R{i}", answer])
    code, output, out = analyse(tmp_path, source)
    assert code == 0, output
    coding = openpyxl.load_workbook(out, read_only=True)["Coding"]
    header = [c.value for c in next(coding.iter_rows(max_row=1))]
    rows = {r[0]: r for r in coding.iter_rows(min_row=2, values_only=True)}
    assert rows["R0"][header.index("short_breaks")] == 1
    assert rows["R1"][header.index("transport")] == 1


def test_real_subprocess_broken_file_has_no_traceback(tmp_path: Path):
    export = tmp_path / "truncated.xlsx"
    shutil.copy(BROKEN / "truncated.xlsx", export)
    completed = subprocess.run(
        [sys.executable, "-m", "sendconsult", "analyse", str(export)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr + completed.stdout
    assert completed.stderr.startswith("Error: truncated.xlsx is damaged")
