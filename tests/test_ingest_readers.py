"""Reading files: encodings, delimiters, Excel cells, broken and disguised files."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendconsult.cli.advice import error_text
from sendconsult.errors import ExportError
from sendconsult.ingest import IngestOptions, load_survey
from sendconsult.ingest.encoding import decode_bytes
from sendconsult.ingest.readers import cell_text, read_grid, sniff_delimiter

ROWS = [
    ["Ref", "Do you agree?", "Your comments"],
    ["007", "Agree", "The taxi is late every single day and nobody tells us why."],
    ["008", "Disagree", "Our SENCO has no time for anything; we need more TAs please."],
    ["009", "Agree", "College is fine but what happens when my son turns 19?"],
]
TEXT = "Ash Field’s taxi – late again… café, naïve, £40"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"])
def test_common_encodings_are_read(write_csv, encoding: str):
    rows = [r[:] for r in ROWS]
    rows[1][2] = TEXT if encoding != "latin-1" else "café, naïve, £40 and déjà vu"
    survey = load_survey(write_csv(rows, encoding=encoding))
    assert survey.responses["Your comments"][0] == rows[1][2]


def test_other_encodings_are_detected(write_csv):
    rows = [r[:] for r in ROWS]
    rows[1][2] = "Zażółć gęślą jaźń: brak miejsc w szkołach specjalnych w naszym mieście."
    survey = load_survey(write_csv(rows, encoding="cp1250"))
    assert "szkołach" in survey.responses["Your comments"][0]


@settings(deadline=None)  # timing varies on shared CI machines
@given(st.binary(max_size=400))
def test_decoding_never_raises(raw: bytes):
    assert isinstance(decode_bytes(raw).text, str)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(write_csv, delimiter: str):
    survey = load_survey(write_csv(ROWS, delimiter=delimiter))
    assert survey.text_questions == ["Your comments"]
    assert survey.closed_questions == ["Do you agree?"]


def test_excel_sep_line_names_the_delimiter(tmp_path: Path):
    path = tmp_path / "export.csv"
    path.write_text("sep=;\r\n" + "".join(";".join(r) + "\r\n" for r in ROWS), encoding="utf-8")
    survey = load_survey(path)
    assert survey.text_questions == ["Your comments"]
    assert list(survey.responses["source_row"]) == [2, 3, 4]  # as Excel shows it


def test_single_column_csv_has_a_delimiter():
    assert sniff_delimiter("Comments\nOne answer\nAnother answer\n") == ","


def test_ids_keep_leading_zeros_and_cells_stay_text(write_csv):
    survey = load_survey(write_csv(ROWS))
    assert list(survey.responses["response_id"]) == ["007", "008", "009"]


def test_quoted_line_breaks_stay_in_one_cell_and_rows_count_as_excel_shows(write_csv):
    rows = [r[:] for r in ROWS]
    rows[1][2] = "First line.\r\nSecond line.\rThird line."
    survey = load_survey(write_csv(rows))
    assert survey.responses["Your comments"][0] == "First line.\nSecond line.\nThird line."
    assert list(survey.responses["source_row"]) == [2, 3, 4]


def test_ragged_rows_are_padded_and_long_rows_reported(tmp_path: Path):
    path = tmp_path / "export.csv"
    path.write_text(
        "Ref,Do you agree?,Your comments\r\n"
        "1,Agree\r\n"
        "2,Disagree,We need more specialist places in the city,stray,cells\r\n"
        "3,Agree,The taxi is late every single day\r\n",
        encoding="utf-8",
    )
    survey = load_survey(path)
    assert survey.responses["Your comments"][0] is None
    assert survey.responses["Your comments"][1] == "We need more specialist places in the city"
    assert any("more cells than there are column headings (row 3)" in w for w in survey.warnings)


def test_excel_padding_columns_and_trailing_blank_rows_are_dropped_silently(tmp_path: Path):
    path = tmp_path / "export.csv"
    body = "".join(f"{r[0]},{r[1]},{r[2]},,\r\n" for r in ROWS) + ",,,,\r\n" * 3
    path.write_text(body, encoding="utf-8")
    survey = load_survey(path)
    assert [c.name for c in survey.columns] == ROWS[0]
    assert survey.n_responses == 3 and survey.warnings == []


def test_leading_blank_rows_keep_spreadsheet_row_numbers(tmp_path: Path):
    path = tmp_path / "export.csv"
    path.write_text(",,\r\n" + "".join(",".join(r) + "\r\n" for r in ROWS), encoding="utf-8")
    assert list(load_survey(path).responses["source_row"]) == [3, 4, 5]


def test_excel_values_become_text_as_excel_shows_them():
    assert cell_text(12.0) == "12"
    assert cell_text(0.1 + 0.2) == "0.3"
    assert cell_text(7) == "7"
    assert cell_text(True) == "TRUE"
    assert cell_text(None) == ""
    assert cell_text(datetime(2019, 6, 14, 9, 31, 7)) == "2019-06-14 09:31:07"
    assert cell_text(datetime(2019, 6, 14)) == "2019-06-14"
    assert cell_text(date(2019, 6, 14)) == "2019-06-14"
    assert cell_text(time(9, 30)) == "09:30:00"


def test_xlsx_first_sheet_or_named_sheet(write_xlsx):
    path = write_xlsx(ROWS, sheets=("Responses", "Summary"))
    assert load_survey(path).sheet == "Responses"
    assert load_survey(path, IngestOptions(sheet="responses")).sheet == "Responses"
    with pytest.raises(
        ExportError, match="no sheet 'Answers'; its sheets are 'Responses', 'Summary'"
    ):
        load_survey(path, IngestOptions(sheet="Answers"))


def test_an_empty_first_sheet_is_passed_over(tmp_path: Path):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Cover"
    data = workbook.create_sheet("Responses")
    for row in ROWS:
        data.append(row)
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    survey = load_survey(path)
    assert survey.sheet == "Responses" and survey.n_responses == 3


def test_sheet_option_on_a_csv_is_refused(write_csv):
    with pytest.raises(ExportError, match="CSV file, which has no sheets") as e:
        load_survey(write_csv(ROWS), IngestOptions(sheet="Sheet1"))
    assert error_text(e.value) == "export.csv is a CSV file, which has no sheets; leave out --sheet."


def test_xlsx_with_a_wrong_size_record_is_read_in_full(write_xlsx, tmp_path: Path):
    path = write_xlsx(ROWS)
    broken = tmp_path / "dimension.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            target.writestr(item, data)
    survey = load_survey(broken)
    assert survey.n_responses == 3 and survey.text_questions == ["Your comments"]


def test_xlsx_named_csv_and_csv_named_xlsx_are_read_by_content(write_xlsx, write_csv):
    xlsx = write_xlsx(ROWS)
    disguised = xlsx.with_name("export.csv")
    disguised.write_bytes(xlsx.read_bytes())
    assert load_survey(disguised).n_responses == 3
    csv_named_xlsx = write_csv(ROWS, name="export.xlsx")
    assert load_survey(csv_named_xlsx).n_responses == 3


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("encrypted.xlsx", "looks password-protected or is an old Excel 97-2003"),
        ("truncated.xlsx", "is damaged or cut short"),
        ("responses.docx", "is a Word document, not an Excel workbook"),
    ],
)
def test_broken_fixture_files_give_one_sentence(exports_dir: Path, name: str, message: str):
    with pytest.raises(ExportError, match=message) as caught:
        load_survey(exports_dir / name)
    assert name in str(caught.value) and str(caught.value).count(". ") == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"  \r\n\r\n", "is empty"),
        (b"%PDF-1.7\n%binary", "is a PDF"),
        (b"{\\rtf1\\ansi Hello}", "RTF"),
        (b"<!DOCTYPE html><html><table></table></html>", "web page"),
        (b"\x00\x01\x02binary\x00data", "not a spreadsheet"),
        (b"Ref,Your comments\r\n", "no responses"),
    ],
)
def test_unreadable_content_gives_one_clear_error(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(ExportError, match=message):
        load_survey(path)


def test_zip_that_is_not_a_workbook(tmp_path: Path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("export.csv", "Ref,Comments\r\n1,Hello there\r\n")
    path = tmp_path / "export.xlsx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ExportError, match="zip archive, not an Excel workbook; unzip it"):
        load_survey(path)


def test_missing_file_and_folder(tmp_path: Path):
    with pytest.raises(ExportError, match="nope.csv was not found"):
        load_survey(tmp_path / "nope.csv")
    with pytest.raises(ExportError, match="is a folder, not a file"):
        load_survey(tmp_path)


def test_defusedxml_guards_openpyxl():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_is_never_modified(write_csv, write_xlsx, kind: str):
    path = write_csv(ROWS) if kind == "csv" else write_xlsx(ROWS)
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    load_survey(path)
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before


def test_read_grid_reports_how_the_file_was_read(write_csv):
    rows = [*ROWS, ["010", "Agree", "Meetings at the café – every week."]]
    grid = read_grid(write_csv(rows, encoding="cp1252", delimiter=";"))
    assert (grid.kind, grid.encoding, grid.delimiter) == ("csv", "cp1252", ";")
