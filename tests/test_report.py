"""The workbook `analyse` writes, read back with openpyxl and checked against independent counts."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml
from openpyxl.cell.rich_text import CellRichText, TextBlock
from typer.testing import CliRunner

from sendconsult.cli import app
from sendconsult.report.workbook import safe_sheet_name

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_responses" / "leicester_send_strategy_2019.csv"
DICTIONARY = ROOT / "models" / "send_strategy_themes.yaml"
THEMES = [
    "placements", "post_16", "personal_budgets", "joint_commissioning", "domiciliary_support",
    "short_breaks", "information_advice", "ehcp_process", "transport", "mainstream_inclusion",
]  # fmt: skip
TEXT_QS = [
    "Please tell us why you agree or disagree with the priorities in the draft strategy.",
    "What one thing would make the biggest difference to children and young people with SEND and their families?",
    "Do you have any other comments on the draft SEND strategy?",
]
OPTIONS = [
    "Parent or carer of a child or young person with SEND",
    "Young person with SEND (aged 11-25)",
    "Education professional (school, college or early years setting)",
    "Health professional (e.g. therapist, nurse, paediatrician)",
    "Social care professional",
    "Voluntary, community or charity organisation",
]
NON_ANSWERS = {
    "n/a",
    "na",
    "-",
    ".",
    "none",
    "no comment",
    "no comments",
    "not provided",
    "nothing",
    "no",
    "nil",
}
runner = CliRunner()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    export = folder / SAMPLE.name
    shutil.copy(SAMPLE, export)
    result = runner.invoke(app, ["analyse", str(export)])
    assert result.exit_code == 0, result.output
    path = folder / "leicester_send_strategy_2019_report.xlsx"
    assert path.exists()
    return path


@pytest.fixture(scope="module")
def book(report: Path):
    return openpyxl.load_workbook(report, rich_text=True)


@pytest.fixture(scope="module")
def export_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def has_text(row: dict[str, str]) -> bool:
    return any(
        row[q].strip() and " ".join(row[q].lower().split()) not in NON_ANSWERS for q in TEXT_QS
    )


def table_rows(
    sheet, header_first: str, occurrence: int = 1
) -> tuple[list[str], list[list[object]]]:
    """The header and body of the (nth) table whose first header cell is `header_first`."""
    rows = list(sheet.iter_rows(values_only=True))
    starts = [i for i, r in enumerate(rows) if r and r[0] == header_first]
    start = starts[occurrence - 1]
    header = [str(c) if c is not None else "" for c in rows[start]]
    body: list[list[object]] = []
    for r in rows[start + 1 :]:
        if r[0] is None:
            break
        body.append(list(r))
    return header, body


def coding(book) -> list[dict[str, object]]:
    header, body = table_rows(book["Coding"], "response_id")
    return [dict(zip(header, r, strict=False)) for r in body]


def test_sheets_in_order(book):
    names = book.sheetnames
    assert names[:4] == ["Summary", "By group", "Closed questions", "Crosstabs"]
    assert names[-3:] == ["Uncoded", "Coding", "Method"]
    assert len(names) == 7 + len(THEMES)


def test_coding_sheet_is_machine_readable(book, export_rows):
    header, body = table_rows(book["Coding"], "response_id")
    assert header == [
        "response_id", "respondent_groups", *THEMES, "themes", "campaign", "matched_terms",
        "overrides",
    ]  # fmt: skip
    assert [r[0] for r in body] == [row["Response ID"] for row in export_rows]
    dictionary = yaml.safe_load(DICTIONARY.read_text(encoding="utf-8"))
    terms_of = {t["id"]: _all_terms(t) for t in dictionary["themes"]}
    for r in body:
        codes = r[2 : 2 + len(THEMES)]
        assert set(codes) <= {0, 1}
        coded = [t for t, c in zip(THEMES, codes, strict=True) if c]
        assert (r[2 + len(THEMES)] or "") == ",".join(coded)
        matched = dict(
            part.split(": ", 1) for part in (r[4 + len(THEMES)] or "").split("; ") if part
        )
        assert sorted(matched) == sorted(coded)  # every code has its terms, and only codes
        for theme, found in matched.items():
            assert set(found.split(" | ")) <= terms_of[theme]
        assert r[5 + len(THEMES)] is None  # no overrides in this run


def _all_terms(theme: dict) -> set[str]:
    listed = [*theme.get("terms", []), *theme.get("weak", [])]
    found = {str(t) if not isinstance(t, dict) else "" for t in listed}
    for sub in theme.get("subthemes", []) or []:
        found |= _all_terms(sub)
    return found


def test_summary_figures_match_independent_counts(book, export_rows):
    rows = coding(book)
    with_text = sum(has_text(r) for r in export_rows)
    values = {
        r[0]: r[1]
        for r in book["Summary"].iter_rows(min_row=4, max_row=12, values_only=True)
        if r[0]
    }
    # Numbers are stored as numbers (formatted), not as text such as "302 (90.4% ...)".
    assert values["Responses"] == len(export_rows)
    assert values["Responses with any free text"] == with_text
    coded = sum(any(r[t] for t in THEMES) for r in rows)
    assert values["Coded to at least one theme"] == coded
    assert values["% of those with free text"] == pytest.approx(coded / with_text)
    header, body = table_rows(book["Summary"], "Theme")
    labels = {}
    for sheet_name in book.sheetnames[4:-3]:
        labels[book[sheet_name]["A1"].value] = sheet_name
    counts = {row[0]: (row[1], row[2]) for row in body}
    assert len(counts) == len(THEMES)
    expected = {t: sum(int(r[t]) for r in rows) for t in THEMES}
    assert sorted((c for c, _ in counts.values()), reverse=True) == [c for c, _ in counts.values()]
    assert sorted(c for c, _ in counts.values()) == sorted(expected.values())
    for count, share in counts.values():
        assert share == pytest.approx(count / with_text)


def test_by_group_counts_and_percentages(book, export_rows):
    rows = {r["response_id"]: r for r in coding(book)}
    share_header, shares = table_rows(book["By group"], "Theme")
    count_header, counts = table_rows(book["By group"], "Theme (respondents)")
    group_of = {
        row["Response ID"]: row["In what capacity are you responding? (tick all that apply)"]
        for row in export_rows
    }
    texted = {row["Response ID"] for row in export_rows if has_text(row)}
    label_to_id = {book[name]["A1"].value: None for name in book.sheetnames[4:-3]}
    assert len(label_to_id) == len(THEMES)
    assert [r[0] for r in shares] == [r[0] for r in counts]  # same themes, same order
    for option in OPTIONS:
        members = [rid for rid, raw in group_of.items() if option in raw and rid in texted]
        name = f"{option} (n={len(members):,})"
        column = share_header.index(name)
        assert count_header.index(name) == column
        for share_row, count_row in zip(shares, counts, strict=True):
            theme_id = _theme_id(book, share_row[0])
            count = sum(int(rows[rid][theme_id]) for rid in members)
            shown_count, shown_share = count_row[column], share_row[column]
            if 1 <= count < 5:
                assert shown_count == "<5" and shown_share == "<5"
            else:
                assert shown_count == count
                assert shown_share == pytest.approx(count / len(members))
    test_header, tests = table_rows(book["By group"], "Theme", occurrence=2)
    assert test_header[:3] == ["Theme", "Indicative test", "p-value"]
    assert [r[0] for r in tests] == [r[0] for r in shares]


def _theme_id(book, label: str) -> str:
    header, body = table_rows(book["Method"], "Theme")
    method_labels = {row[0] for row in body}
    assert label in method_labels
    # The Coding sheet column order is the dictionary order; the Method term list is too.
    ordered_labels = list(dict.fromkeys(row[0] for row in body))
    return THEMES[ordered_labels.index(label)]


def test_closed_question_counts(book, export_rows):
    sheet = book["Closed questions"]
    rows = list(sheet.iter_rows(values_only=True))
    question = "To what extent do you agree or disagree with Priority 1: Improving the range of local specialist provision and placements?"
    start = next(i for i, r in enumerate(rows) if r[0] == question)
    header = rows[start + 1]
    assert header[0] == "Answer" and header[1] == f"All (n={len(export_rows)})"
    answers = [row[question] or "No answer" for row in export_rows]
    body = rows[start + 2 : start + 2 + len(set(answers))]
    shown = {r[0]: r[1] for r in body}
    for answer in set(answers):
        expected = answers.count(answer)
        assert shown[answer] == (expected if not 1 <= expected < 5 else "<5")
    likert = [r[0] for r in body]
    assert (
        likert.index("Strongly agree")
        < likert.index("Agree")
        < likert.index("Disagree")
        < likert.index("Strongly disagree")
    )


def test_theme_sheet_highlights_matched_words(book):
    sheet = book[book.sheetnames[4]]
    header, body = table_rows(sheet, "Response ID")
    assert header == ["Response ID", "Respondent group(s)", "Question", "Answer", "Matched terms"]
    checked = 0
    for row in body:
        answer = row[3]
        assert isinstance(answer, CellRichText)
        bold = [part.text for part in answer if isinstance(part, TextBlock) and part.font.b]
        assert bold, "every coded answer shows at least one highlighted match"
        terms = [t.strip().rstrip("*").lower() for t in str(row[4]).split(",")]
        for words in bold:
            first = words.lower().split()[0] if words.split() else words.lower()
            assert any(
                first[:3] == t.split()[0][:3] or t.split()[-1][:3] in words.lower()
                for t in terms
                if t
            ), (words, terms)
        checked += 1
    assert checked > 10


def test_respondent_text_never_becomes_a_formula(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
    starts = [
        str(cell.value) for sheet in book.worksheets[3:-3] for row in sheet.iter_rows() for cell in row
        if isinstance(cell.value, str | CellRichText) and str(cell.value)[:1] in "=+-@"
    ]  # fmt: skip
    assert starts, "the sample has answers starting with = + - @; they must be kept as text"


def test_withheld_responses_never_quoted(book, export_rows):
    withheld = {
        row["Response ID"]
        for row in export_rows
        if row["May we publish your response?"] == "Do not publish response"
    }
    assert withheld
    for sheet in [book["Summary"], book["Uncoded"], *[book[n] for n in book.sheetnames[4:-3]]]:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert not any(value.startswith(rid) for rid in withheld), (sheet.title, value)


def test_quotes_are_redacted(book, export_rows):
    text = " ".join(row[q] for row in export_rows for q in TEXT_QS)
    emails = set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text))
    phones = set(re.findall(r"\b0\d{3,4}[ ]?\d{3}[ ]?\d{3,4}\b", text))
    postcodes = set(re.findall(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b", text))
    assert emails and phones and postcodes
    for sheet in [book["Summary"], book["Uncoded"], *[book[n] for n in book.sheetnames[4:-3]]]:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                shown = str(value) if value is not None else ""
                for secret in emails | phones | postcodes:
                    assert secret not in shown, (sheet.title, secret)


def test_method_sheet_records_the_run(book):
    values = {r[0]: r[1] for r in book["Method"].iter_rows(values_only=True) if r[0]}
    assert re.fullmatch(r"[0-9a-f]{64}", values["Dictionary SHA-256"])
    assert values["Theme dictionary"] == "send_strategy_themes.yaml"
    assert values["Command"]  # the command line as typed (under pytest: pytest's own)
    assert values["Negation rule"].startswith("A dictionary match does not count")


def test_every_table_has_a_frozen_header_or_is_a_table(book):
    for sheet in book.worksheets:
        assert sheet.tables, f"{sheet.title} has no Excel table"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Post-16 / preparing for adulthood", "Post-16 - preparing"),
        ("Information, advice and communication", "Information, advice"),
        ("EHC [plans]: delays?", "EHC -plans-- delays-"),
        ("'Quoted'", "Quoted"),
        ("Summary", "Summary (2)"),
        ("a" * 40, "a" * 31),
    ],
)
def test_safe_sheet_names(label: str, expected: str):
    taken = {"Summary"}
    name = safe_sheet_name(label, taken)
    assert name == expected
    assert len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)


def test_sheet_names_unique_case_insensitively():
    taken: set[str] = set()
    first = safe_sheet_name("Transport", taken)
    second = safe_sheet_name("TRANSPORT", taken)
    assert first == "Transport" and second == "TRANSPORT (2)"


def test_refuses_to_overwrite_without_force(report: Path):
    export = report.parent / SAMPLE.name
    before = report.stat().st_mtime_ns
    result = runner.invoke(app, ["analyse", str(export)])
    assert result.exit_code == 1
    assert "already exists; add --force" in result.output
    assert report.stat().st_mtime_ns == before


def test_never_writes_over_the_export(tmp_path: Path):
    export = tmp_path / "export.xlsx"
    shutil.copy(ROOT / "sample_responses" / "leicester_send_strategy_2019.xlsx", export)
    before = export.read_bytes()
    result = runner.invoke(app, ["analyse", str(export), "--out", str(export), "--force"])
    assert result.exit_code == 1
    assert "is the export itself" in result.output
    assert export.read_bytes() == before


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch):
    import openpyxl.workbook.workbook as wb

    export = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, export)

    def boom(self, filename):  # noqa: ANN001
        Path(filename).write_bytes(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(wb.Workbook, "save", boom)
    result = runner.invoke(app, ["analyse", str(export)])
    assert result.exit_code == 130
    # Only the export and the parse cache (kept on purpose): no report, no temporary file.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".sendconsult-cache", SAMPLE.name]
    assert not [p for p in (tmp_path / ".sendconsult-cache").iterdir() if p.suffix == ".tmp"]


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_report_converts_in_libreoffice(report: Path, tmp_path: Path):
    completed = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(report)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    pdf = tmp_path / (report.stem + ".pdf")
    assert completed.returncode == 0, completed.stderr
    assert pdf.exists() and pdf.stat().st_size > 50_000
    if shutil.which("pdftotext") is None:
        return
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]
    # Printed, the report is a readable document: every sheet one page wide, each page headed
    # by the consultation's name and its sheet (the print header), numbered in the footer.
    assert len(pages) < 110
    per_sheet: dict[str, int] = {}
    blank = 0
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if not lines:  # LibreOffice can end a long sheet with an empty page, headers and all
            blank += 1
            continue
        assert lines[0].startswith("leicester send strategy 2019") or lines[0].startswith(
            "INTERNAL - NOT FOR PUBLICATION: leicester send strategy 2019"
        ), lines[0]
        sheet = lines[0].split("  ")[-1].strip()
        per_sheet[sheet] = per_sheet.get(sheet, 0) + 1
        assert lines[-1] == f"Page {number} of {len(pages)}", lines[-1]
    assert set(per_sheet) >= {"Summary", "By group", "Closed questions", "Coding", "Method"}
    assert per_sheet["Summary"] <= 2  # a two-page briefing
    assert 1 <= per_sheet["Coding"] <= 4  # 340 responses: a few pages, not dozens across
    assert blank <= 1
    assert per_sheet["Method"] <= 8  # about 750 terms, one row per theme
    assert "Respondents raising each theme" in pages[0]  # the chart sits under the table


def test_every_sheet_prints_one_page_wide(book):
    for sheet in book.worksheets:
        assert sheet.page_setup.fitToWidth == 1, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title


def test_print_orientation_and_page_breaks_as_the_readme_says(book):
    for sheet in book.worksheets:
        expected = "portrait" if sheet.title == "Summary" else "landscape"
        assert sheet.page_setup.orientation == expected, sheet.title
    closed = book["Closed questions"]
    questions = len(closed._charts)  # one stacked chart per question
    assert questions >= 2
    # each question after the first starts a page, and each question's chart (with the block
    # of published % it plots) has a page: a break after the question's % table, before it
    assert len(closed.row_breaks.brk) == 2 * questions - 1
    chart_rows = sorted(c.anchor._from.row + 1 for c in closed._charts)
    breaks = sorted(b.id for b in closed.row_breaks.brk)
    shares_tables = [
        i for i, row in enumerate(closed.iter_rows(values_only=True), 1) if row[0] == "Answer (%)"
    ]
    for chart_row, table_row in zip(chart_rows, shares_tables, strict=True):
        assert any(table_row < b < chart_row - 1 for b in breaks), (chart_row, breaks)


def test_charts_sit_below_their_tables_and_sections_have_no_repeated_headers(book):
    summary = book["Summary"]
    _, body = table_rows(summary, "Theme")
    table_end = next(
        i for i, row in enumerate(summary.iter_rows(values_only=True), 1) if row[0] == body[-1][0]
    )
    (chart,) = summary._charts
    assert chart.anchor._from.col == 0 and chart.anchor._from.row + 1 > table_end
    assert summary.page_setup.orientation == "portrait"
    page_two = next(
        i for i, row in enumerate(summary.iter_rows(values_only=True), 1)
        if row[0] == "Closed questions: agreement"
    )  # fmt: skip
    assert [b.id for b in summary.row_breaks.brk] == [page_two - 1]  # headline and quotes: p. 2
    by_group = book["By group"]
    footnote = next(
        i for i, row in enumerate(by_group.iter_rows(values_only=True), 1)
        if str(row[0]).startswith("Indicative only")
    )  # fmt: skip
    assert len(by_group._charts) == len(body)  # one chart per theme, under the tables
    assert all(chart.anchor._from.row + 1 > footnote for chart in by_group._charts)
    for name in ("Summary", "By group", "Closed questions", "Crosstabs", "Method"):
        assert book[name].print_title_rows is None, name
    for name in (book.sheetnames[4], "Uncoded", "Coding"):
        assert book[name].print_title_rows is not None, name


PROBES = [
    "=SUM(A1:A9) the taxi never came",
    "+44 7700 900123 call me about respite",
    "-transport is awful\n-no respite",
    "@council the EHCP took 40 weeks",
    "\tTab first: short breaks matter",
    '=HYPERLINK("http://example.com","click") personal budget',
]


def test_hostile_text_stays_text_everywhere(tmp_path: Path):
    export = tmp_path / "probes.csv"
    rows = [["Response ID", "Who are you?", "Your comments"]]
    rows += [[f"P{i}", "Parent", text] for i, text in enumerate(PROBES, start=1)]
    rows += [["P90", "Parent", "Control \x07 characters \x1b in the taxi answer"]]
    rows += [["P91", "Parent", "respite " * 5000]]  # 40,000 characters: over Excel's cell limit
    rows += [
        [f"Q{i}", "Teacher", f"Our SENCO needs training number {i} for mainstream inclusion."]
        for i in range(8)
    ]
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = runner.invoke(app, ["analyse", str(export), "--no-redact"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "probes_report.xlsx", rich_text=True)
    seen: list[str] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}"
                if cell.value is not None:
                    seen.append(str(cell.value))
                    assert len(str(cell.value)) <= 32_767
    joined = "\n".join(seen)
    for probe in PROBES:
        assert probe.strip() in joined
    assert "Control \ufffd characters \ufffd in the taxi answer" in joined  # shown replaced
    assert re.search(
        r"\[truncated: 39,999 characters in full\]", joined
    )  # stripped of its last space


def _run(tmp_path: Path, *args: str):
    export = tmp_path / SAMPLE.name
    if not export.exists():
        shutil.copy(SAMPLE, export)
    out = tmp_path / f"report{len(list(tmp_path.glob('report*.xlsx')))}.xlsx"
    result = runner.invoke(app, ["analyse", str(export), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(out, rich_text=True), result.output


def test_suppression_can_be_turned_off(tmp_path: Path):
    book, _ = _run(tmp_path, "--suppress", "0")
    values = [v for row in book["By group"].iter_rows(values_only=True) for v in row]
    assert "<5" not in values
    assert (
        "Off"
        in {r[0]: r[1] for r in book["Method"].iter_rows(values_only=True) if r[0]}[
            "Small-number suppression"
        ]
    )


def test_exclude_campaigns_counts_each_campaign_once(tmp_path: Path):
    normal, _ = _run(tmp_path)
    once, _ = _run(tmp_path, "--exclude-campaigns")
    campaign_members = [r for r in coding(normal) if r["campaign"]]
    assert len(campaign_members) >= 10
    facts = {
        r[0]: r[1]
        for r in once["Summary"].iter_rows(min_row=4, max_row=12, values_only=True)
        if r[0]
    }
    notes = {
        r[0]: r[2]
        for r in once["Summary"].iter_rows(min_row=4, max_row=12, values_only=True)
        if r[0]
    }
    assert facts["Responses"] == 340 - len(campaign_members) + 1
    assert "each counted once" in notes["Campaigns (identical or near-identical letters)"]


def test_internal_sheet_lists_withheld(tmp_path: Path, export_rows):
    book, _ = _run(tmp_path, "--internal")
    assert book.sheetnames[-1] == "Withheld (internal)"
    withheld = {
        row["Response ID"]
        for row in export_rows
        if row["May we publish your response?"] == "Do not publish response"
    }
    header, body = table_rows(book["Withheld (internal)"], "Response ID")
    assert {r[0] for r in body} == withheld


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_report_gets_the_permissions_of_a_normally_saved_file(report: Path):
    umask = os.umask(0)
    os.umask(umask)
    assert report.stat().st_mode & 0o777 == 0o666 & ~umask


def test_no_command_line_advice_in_any_sheet(book):
    """The report speaks to its readers, not to whoever ran it: no '--flag' anywhere but the
    Method sheet's record of the command that made it."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            if sheet.title == "Method" and row[0] == "Command":
                continue
            for value in row:
                assert not re.search(r"(^|\s)--[a-z]", str(value or "")), (sheet.title, value)
