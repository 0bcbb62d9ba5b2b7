"""Hostile input and faults: characters XML forbids, formula-leading cells in CSV output, odd
encodings, oversized and bomb-like files, killed runs, damaged caches and failing writes. Each
case is run as an officer runs it and the output read back."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sendconsult.cli import app
from sendconsult.report.workbook import clean_text

runner = CliRunner()

UNSAFE_ANSWERS = [
    "The taxi\uffffis late every morning and nobody rings us.",
    "We need respite\ufffe in the holidays, short breaks are gone.",
    "Our EHCP review\x01 was cancelled twice with no\ufdd0 reason.",
    "The school\vsaid\fthe plan was not followed.",
]


def _all_text(path: Path) -> str:
    book = openpyxl.load_workbook(path)  # the full reader: it parses every sheet's XML
    return " ".join(
        str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
    )


def _unsafe_export(write_csv) -> Path:
    rows = [["Response ID", "Capacity", "Do you agree?\uffff", "Your comments"]]
    for i, answer in enumerate(UNSAFE_ANSWERS * 3):
        group = "Parent\ufffe" if i % 2 else "Teacher"
        rows.append([f"R{i}", group, ["Agree", "Disagree"][i % 2], f"{answer} ({i})"])
    return write_csv(rows)


def test_xml_illegal_characters_give_a_report_that_opens(tmp_path: Path, write_csv):
    export = _unsafe_export(write_csv)
    out = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["analyse", str(export), "--out", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    text = _all_text(out)
    assert "The taxi\ufffdis late" in text
    assert "respite\ufffd in the holidays" in text
    assert "The school said the plan" in text  # vertical tab and form feed become spaces
    assert "\uffff" not in text and "\ufffe" not in text and "\x01" not in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_xml_illegal_characters_report_opens_in_libreoffice(tmp_path: Path, write_csv):
    export = _unsafe_export(write_csv)
    out = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["analyse", str(export), "--out", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    converted = tmp_path / "pdf"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(converted), str(out)],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    pdf = converted / "report.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\uffffb", "a\ufffdb"),
        ("a\ufffeb", "a\ufffdb"),
        ("a\ud800b", "a\ufffdb"),  # a lone surrogate
        ("a\U0010fffeb", "a\ufffdb"),
        ("a\x00b\x1fc", "a\ufffdb\ufffdc"),
        ("a\vb\fc", "a b c"),
        ("tab\tline\ncr\r", "tab\tline\ncr\r"),
        ("é 😀 ‘quoted’", "é 😀 ‘quoted’"),
    ],
)
def test_clean_text_replaces_what_xml_forbids(raw: str, clean: str):
    assert clean_text(raw) == clean
