"""Streamed rows: a column's repeated values are rendered once, yet each cell keeps its own type."""

from __future__ import annotations

from xml.etree import ElementTree

from sendconsult.report.bulk_rows import BulkRows, Marked, _rows_xml

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def cells(values: list) -> list[tuple[str, str | None, str | None, str]]:
    rows = [[v, v] for v in values]
    bulk = BulkRows("Sheet", 5, len(rows), iter(rows), [3, 0], {2: 10})
    found = []
    for xml in _rows_xml(bulk):
        row = ElementTree.fromstring(xml.replace("<row ", f'<row xmlns="{MAIN[1:-1]}" ', 1))
        for cell in row.iter(f"{MAIN}c"):
            text = "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
            value = cell.find(f"{MAIN}v")
            found.append((cell.get("r"), cell.get("t"), cell.get("s"), text or value.text))
    return found


def test_equal_values_of_other_types_stay_apart_in_a_column():
    found = cells([1, 1.0, "1", True, 1, "1"])
    assert [c for c in found if c[0].startswith("A")] == [
        ("A5", "n", "3", "1"),
        ("A6", "n", "3", "1.0"),
        ("A7", "inlineStr", "3", "1"),
        ("A8", "n", "3", "1"),
        ("A9", "n", "3", "1"),
        ("A10", "inlineStr", "3", "1"),
    ]
    assert ("B6", "n", None, "1.0") in found  # the second column's own style (none)


def test_repeated_text_is_escaped_cleaned_and_never_a_formula():
    text = '=HYPERLINK("x") a & b < c \x07'
    found = cells([text, text, "", None, Marked("=1", 9)])
    assert found[:4] == [
        ("A5", "inlineStr", "3", '=HYPERLINK("x") a & b < c \ufffd'),
        ("B5", "inlineStr", None, '=HYPERLINK("x") a & b < c \ufffd'),
        ("A6", "inlineStr", "3", '=HYPERLINK("x") a & b < c \ufffd'),
        ("B6", "inlineStr", None, '=HYPERLINK("x") a & b < c \ufffd'),
    ]
    assert found[4:] == [("A9", "inlineStr", "9", "=1"), ("B9", "inlineStr", "9", "=1")]


def test_row_heights_measure_each_row_of_a_repeated_text():
    bulk = BulkRows(
        "Sheet", 2, 3, iter([["a", "x" * 30], ["b", "x" * 30], ["c", "x"]]), [0, 0], {2: 10}
    )
    heights = [xml.split(">", 1)[0] for xml in _rows_xml(bulk)]
    assert heights == [
        '<row r="2" ht="41.0" customHeight="1"',
        '<row r="3" ht="41.0" customHeight="1"',
        '<row r="4"',
    ]


def test_a_marked_text_is_as_tall_as_the_same_text_unmarked():
    rows = [["x" * 30, "short"], [Marked("x" * 30, 7), Marked("short", 7)]]
    bulk = BulkRows("Sheet", 2, 2, iter(rows), [0, 0], {1: 10, 2: 10})
    heights = [xml.split(">", 1)[0].split(" ", 2)[-1] for xml in _rows_xml(bulk)]
    assert heights == ['ht="41.0" customHeight="1"'] * 2
    short = BulkRows("Sheet", 2, 1, iter([[Marked("short", 7)]]), [0], {1: 10})
    assert next(_rows_xml(short)).startswith('<row r="2">')  # one line: Excel's own height
