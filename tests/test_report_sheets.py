"""The report's sheets read back with openpyxl: publication consent, quotes, closed questions,
highlights, the Uncoded sheet and formatting, each against an independent reading of the export.

Each report is built once per module: producing one takes several seconds.
"""

from __future__ import annotations

import csv
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import spacy
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.utils import get_column_letter, range_boundaries
from typer.testing import CliRunner

import sendconsult
from sendconsult.cli import app
from sendconsult.ingest import load_survey
from sendconsult.nlp.engine import ThemeClassifier
from sendconsult.privacy import Redactor
from sendconsult.resources import default_dictionary
from sendconsult.themes.loader import load_dictionary

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_responses" / "leicester_send_strategy_2019.csv"
CONSULTATION = "Draft SEND Strategy 2019-2022"
ID = "Response ID"
GROUP_Q = "In what capacity are you responding? (tick all that apply)"
CONSENT_Q = "May we publish your response?"
WITHHOLD = "Do not publish response"
ANONYMOUS = "Publish response anonymously"
TEXT_QS = [
    "Please tell us why you agree or disagree with the priorities in the draft strategy.",
    "What one thing would make the biggest difference to children and young people with SEND and their families?",
    "Do you have any other comments on the draft SEND strategy?",
]
CLOSED_QS = [
    "To what extent do you agree or disagree with Priority 1: Improving the range of local specialist provision and placements?",
    "To what extent do you agree or disagree with Priority 2: Improving preparation for adulthood and post-16 pathways?",
    "To what extent do you agree or disagree with Priority 3: Working together across education, health and care?",
]
OPTIONS = [
    "Parent or carer of a child or young person with SEND",
    "Young person with SEND (aged 11-25)",
    "Education professional (school, college or early years setting)",
    "Health professional (e.g. therapist, nurse, paediatrician)",
    "Social care professional",
    "Voluntary, community or charity organisation",
]
SCALE = [
    "Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree",
    "Don't know",
]  # fmt: skip
NON_ANSWERS = {
    "n/a", "na", "-", ".", "none", "no comment", "no comments", "not provided", "nothing", "no",
    "nil",
}  # fmt: skip
FIXED_SHEETS = {
    "Summary", "By group", "Closed questions", "Crosstabs", "Uncoded", "Coding", "Method",
}  # fmt: skip
INTERNAL = "Withheld (internal)"
RED = "C00000"
runner = CliRunner()


# -- fixtures: each report built once ----------------------------------------------------------


def _analyse(folder: Path, *args: str, config: str | None = None) -> Path:
    export = folder / SAMPLE.name
    shutil.copy(SAMPLE, export)
    if config is not None:
        (folder / "sendconsult.toml").write_text(config, encoding="utf-8")
    out = folder / "report.xlsx"
    result = runner.invoke(app, ["analyse", str(export), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The sample with a project config naming the consultation, redacted, with --internal."""
    folder = tmp_path_factory.mktemp("sheets")
    return _analyse(folder, "--internal", config=f'consultation_name = "{CONSULTATION}"\n')


@pytest.fixture(scope="module")
def book(report: Path):
    return openpyxl.load_workbook(report, rich_text=True)


@pytest.fixture(scope="module")
def raw_book(tmp_path_factory):
    """The sample with --no-redact: an internal working copy."""
    folder = tmp_path_factory.mktemp("unredacted")
    return openpyxl.load_workbook(_analyse(folder, "--no-redact"), rich_text=True)


@pytest.fixture(scope="module")
def export_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def explained(report: Path, nlp):  # noqa: ANN001
    """Every answer of the sample matched the way `sendconsult explain` does, one at a time."""
    survey = load_survey(report.parent / SAMPLE.name)
    dictionary = load_dictionary(default_dictionary())
    classifier = ThemeClassifier(dictionary, nlp)
    matches = {}
    for rid in survey.responses["response_id"]:
        for question, answer in survey.texts(rid).items():
            matches[(rid, question)] = (answer, classifier.match_doc(nlp(answer), question))
    return dictionary, matches


# -- helpers -----------------------------------------------------------------------------------


def is_answer(value: str) -> bool:
    return bool(value.strip()) and " ".join(value.lower().split()) not in NON_ANSWERS


def has_text(row: dict[str, str]) -> bool:
    return any(is_answer(row[q]) for q in TEXT_QS)


def groups_of(row: dict[str, str]) -> list[str]:
    """The respondent's groups read from the raw multi-select answer."""
    raw = row[GROUP_Q]
    found = [o for o in OPTIONS if o in raw]
    if "Other (please specify)" in raw:
        found.append("Other")
    return found or ["Not stated"]


def table_cells(sheet, header_first: str, occurrence: int = 1):
    """Header values and body cells of the (nth) table whose first header cell is `header_first`."""
    rows = list(sheet.iter_rows())
    starts = [i for i, r in enumerate(rows) if r and r[0].value == header_first]
    start = starts[occurrence - 1]
    header = [c.value for c in rows[start]]
    body = []
    for r in rows[start + 1 :]:
        if r[0].value is None:
            break
        body.append(list(r))
    return header, body, start + 1  # the header's row number


def table_rows(sheet, header_first: str, occurrence: int = 1):
    header, body, _ = table_cells(sheet, header_first, occurrence)
    return header, [[c.value for c in r] for r in body]


def theme_sheets(book) -> list[str]:
    return [n for n in book.sheetnames if n not in FIXED_SHEETS | {INTERNAL}]


def coding(book) -> dict[str, dict[str, object]]:
    header, body = table_rows(book["Coding"], "response_id")
    return {r[0]: dict(zip(header, r, strict=False)) for r in body}


def sheet_text(sheet) -> str:
    """Every value of a sheet as one string, whitespace normalised."""
    values = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    return " ".join(" ".join(values).split())


def mentions(text: str, rid: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(rid)}(?![\w-])", text) is not None


def summary_quotes(sheet) -> list[tuple[str, str, str]]:
    """(theme label, quote, response ID) for every quote on the Summary."""
    rows = [str(r[0]) if r[0] is not None else None for r in sheet.iter_rows(values_only=True)]
    start = rows.index("What respondents said: the top themes in their words")
    found, theme = [], None
    for value in rows[start + 1 :]:
        if value is None:
            continue
        said, _, by = value.rpartition("\n")  # a quote's cell ends with who said it
        attribution = re.fullmatch(r".* \(([^()\s]+)\)", by)
        if said.startswith("“") and attribution:
            found.append((theme, said.strip("“”"), attribution.group(1)))
        elif not value.startswith("“"):
            theme = value
    return found


def _method_fact(book, label: str) -> str:
    return {r[0]: r[1] for r in book["Method"].iter_rows(values_only=True) if r[0]}[label]


def _width(header: list[object]) -> int:
    """How many columns a table has: its header cells up to the first empty one."""
    return next((i for i, v in enumerate(header) if v is None), len(header))


def plain(value: object) -> str:
    return str(value) if value is not None else ""


# -- 1. publication consent: anonymous ---------------------------------------------------------


def _secrets(export_rows, consent: str) -> dict[str, set[str]]:
    """Personal details the redaction patterns find in each response with this consent."""
    redactor = Redactor()
    found: dict[str, set[str]] = {}
    for row in export_rows:
        if row[CONSENT_Q] != consent:
            continue
        for q in TEXT_QS:
            text = row[q]
            spans = {text[s.start : s.end] for s in redactor.find(text)}
            if spans:
                found.setdefault(row[ID], set()).update(spans)
    return found


def test_anonymous_responses_are_redacted_even_with_no_redact(raw_book, export_rows):
    anonymous = _secrets(export_rows, ANONYMOUS)
    published = _secrets(export_rows, "Publish response in full")
    others = " ".join(row[q] for row in export_rows if row[CONSENT_Q] != ANONYMOUS for q in TEXT_QS)
    assert len(anonymous) >= 5 and published
    everything = {name: sheet_text(raw_book[name]) for name in raw_book.sheetnames}
    workbook = " ".join(everything.values())
    # --no-redact really is off for respondents who agreed to publication in full ...
    assert any(s in workbook for secrets in published.values() for s in secrets)
    # ... but anonymous respondents' details appear nowhere, though their answers are quoted.
    for rid, secrets in anonymous.items():
        for secret in secrets:
            if secret not in others:
                assert secret not in workbook, (rid, secret)
    quoted = [
        rid
        for rid in anonymous
        if any(mentions(everything[n], rid) for n in [*theme_sheets(raw_book), "Uncoded"])
    ]
    assert len(quoted) >= 5
    tagged = 0  # their answers are shown, with tags where the details were
    for name in [*theme_sheets(raw_book), "Uncoded"]:
        for row in raw_book[name].iter_rows(min_row=5, values_only=True):
            if row[0] in anonymous and re.search(
                r"\[(NAME|EMAIL|PHONE|NHS_NUMBER)\]", plain(row[3])
            ):
                tagged += 1
    assert tagged >= 5
    for _, quote, rid in summary_quotes(raw_book["Summary"]):
        for secret in anonymous.get(rid, ()):
            assert secret not in quote


EXPORT_WITH_DETAILS = [
    [ID, "What is your name?", "Organisation name", "Email address",
     "In what capacity are you responding?", "Please tell us your views on the draft strategy.",
     CONSENT_Q],
    ["R01", "Alice Whitcombe", "Whitcombe Parent Forum", "alice.w@example.org", "Parent or carer",
     "Our son Jack waited two years for respite and the short breaks were cancelled twice.",
     "Publish response only (without name)"],
    ["R02", "Brian Okonkwo", "Okonkwo Tutoring Ltd", "brian.o@example.org", "Education professional",
     "My daughter Amira has been on the taxi for ninety minutes each way to school, call 07700 900456.",
     "Publish response only (without name)"],
    ["R03", "Carys Pemberton", "Pemberton Youth Trust", "carys.p@example.org", "Parent or carer",
     "Our daughter Poppy needs an EHCP and the assessment has taken forty weeks so far.",
     "Publish response with name"],
    ["R04", "Dev Raghunathan", "Raghunathan Therapy", "dev.r@example.org", "Health professional",
     "My son Teodor is doing well but the parks near us need better benches and lighting.",
     "Publish response only (without name)"],
    ["R05", "Efua Mensah-Bonsu", "Mensah-Bonsu Care", "efua.m@example.org", "Parent or carer",
     "My son Kwame was refused respite and I was told to ring back next year for short breaks.",
     "Do not publish response"],
    ["R06", "Fergus Lindqvist", "Lindqvist Lettings", "fergus.l@example.org", "Parent or carer",
     "Our son Rowan needs transport to his special school and the minibus keeps arriving late.",
     "Publish response with name"],
    ["R07", "Gwen Abernethy", "Abernethy Youth Club", "gwen.a@example.org", "Parent or carer",
     "The local offer website is impossible to use and nobody tells parents what is available.",
     "Publish response only (without name)"],
    ["R08", "Hamid Farouk", "Farouk Pharmacy", "hamid.f@example.org", "Education professional",
     "Mainstream schools need more training so that children with autism are included in class.",
     "Publish response with name"],
]  # fmt: skip
DETAILS = [v for row in EXPORT_WITH_DETAILS[1:] for v in row[1:4]]


@pytest.fixture(scope="module")
def details_book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("details")
    export = folder / "with_details.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(EXPORT_WITH_DETAILS)
    out = folder / "report.xlsx"
    result = runner.invoke(
        app,
        ["analyse", str(export), "--out", str(out), "--no-redact", "--internal", "--suppress", "0"],
    )
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(out, rich_text=True)


def test_identifying_columns_never_appear_in_any_sheet(details_book):
    for sheet in details_book.worksheets:
        text = sheet_text(sheet)
        for detail in DETAILS:
            assert detail not in text, (sheet.title, detail)
    roles = {r[0]: r[1] for r in table_rows(details_book["Method"], "Column")[1]}
    assert roles["What is your name?"] == "personal"
    assert roles["Organisation name"] == "personal"
    assert roles["Email address"] == "personal"
    assert roles[CONSENT_Q] == "consent"


def test_anonymous_quoted_without_identifying_details_published_as_written(details_book):
    cells: dict[str, list[str]] = {}
    for name in [*theme_sheets(details_book), "Uncoded"]:
        header, body = table_rows(details_book[name], "Response ID")
        assert header[:2] == ["Response ID", "Respondent group(s)"]  # no name or organisation
        for row in body:
            cells.setdefault(row[0], []).append(plain(row[3]))
    for _, quote, rid in summary_quotes(details_book["Summary"]):
        cells.setdefault(rid, []).append(quote)
    anonymous = {"R01": ["Jack"], "R02": ["Amira", "07700 900456"], "R04": ["Teodor"],
                 "R07": []}  # fmt: skip
    assert set(anonymous) <= set(cells)  # every anonymous respondent is quoted ...
    for rid, secrets in anonymous.items():
        for shown in cells[rid]:
            for secret in secrets:  # ... with no name or number, even with --no-redact
                assert secret not in shown, (rid, shown)
            if secrets:
                assert "[NAME]" in shown
    for rid, name in (("R03", "Poppy"), ("R06", "Rowan")):  # published in full, --no-redact
        assert cells[rid] and all(name in shown for shown in cells[rid])
    assert "R05" not in cells  # withheld: counted, not quoted
    assert "Kwame" in sheet_text(details_book[INTERNAL])  # the internal copy is not redacted


# -- 2. withheld responses ---------------------------------------------------------------------


def test_withheld_ids_and_text_appear_only_in_coding_and_internal(book, export_rows):
    withheld = [row for row in export_rows if row[CONSENT_Q] == WITHHOLD]
    assert len(withheld) >= 10
    others = " ".join(
        " ".join(row[q].split())
        for row in export_rows
        if row[CONSENT_Q] != WITHHOLD
        for q in TEXT_QS
    )
    chunks = set()
    for row in withheld:
        for q in TEXT_QS:
            answer = " ".join(row[q].split())
            if not is_answer(answer):
                continue
            for at in range(0, max(1, len(answer) - 30), 15):
                chunk = answer[at : at + 30]
                if len(chunk) >= 20 and chunk not in others:  # not also a campaign letter's
                    chunks.add(chunk)
    assert len(chunks) > 100
    texts = {name: sheet_text(book[name]) for name in book.sheetnames}
    assert INTERNAL in texts
    for name, text in texts.items():
        if name in ("Coding", INTERNAL):
            continue
        ids_text = text
        if name == "Method":  # its warnings name empty responses by ID: nothing quoted
            warnings = _method_fact(book, "Warnings when reading the export")
            assert warnings.count("have no answers at all") == 1
            ids_text = text.replace(" ".join(warnings.split()), "")
        for row in withheld:
            assert not mentions(ids_text, row[ID]), (name, row[ID])
        leaked = [c for c in chunks if c in text]
        assert not leaked, (name, leaked[:3])
    # The checks can see IDs and text: both are there in the internal sheet, and the Summary
    # attributes its quotes by ID.
    for row in withheld:
        assert mentions(texts["Coding"], row[ID]) and mentions(texts[INTERNAL], row[ID])
    assert sum(c in texts[INTERNAL] for c in chunks) > 0.9 * len(chunks)
    published = [r[ID] for r in export_rows if r[CONSENT_Q] != WITHHOLD]
    assert any(mentions(texts["Summary"], rid) for rid in published)


# -- 3. quotes on the Summary -------------------------------------------------------------------


def test_summary_quotes(book, export_rows):
    quotes = summary_quotes(book["Summary"])
    codes = coding(book)
    by_id = {row[ID]: row for row in export_rows}
    labels = {book[n]["A1"].value: n for n in theme_sheets(book)}
    per_theme: dict[str, list[tuple[str, str]]] = {}
    for theme, quote, rid in quotes:
        per_theme.setdefault(theme, []).append((quote, rid))
    # The Summary is a briefing: 3 quotes for each of the 3 themes raised most (every answer
    # is on the theme's own sheet).
    top = [r[0] for r in table_rows(book["Summary"], "Theme")[1][:3]]
    assert list(per_theme) == top and set(top) <= set(labels)
    ids_of = {}
    for name in theme_sheets(book):
        _, body = table_rows(book[name], "Response ID")
        ids_of[book[name]["A1"].value] = {r[0] for r in body}
    for theme, chosen in per_theme.items():
        assert 1 <= len(chosen) <= 3
        groups = {groups_of(by_id[rid])[0] for _, rid in chosen}
        assert len(groups) >= min(4, len(chosen))
        for quote, rid in chosen:
            assert rid in ids_of[theme]  # coded to the theme, and shown on its sheet
            assert by_id[rid][CONSENT_Q] != WITHHOLD
            assert Redactor().find(quote) == []  # nothing left to redact
    assert sum(len(c) for c in per_theme.values()) == 9
    assert len(codes) == len(export_rows)


# -- 5. closed questions ------------------------------------------------------------------------


def test_closed_questions_counts_and_shares_by_group(book, export_rows):
    sheet = book["Closed questions"]
    questions = [
        r[0]
        for r in sheet.iter_rows(values_only=True)
        if isinstance(r[0], str) and r[0] in CLOSED_QS
    ]
    assert questions == CLOSED_QS
    for number, question in enumerate(CLOSED_QS, start=1):
        counts_header, counts = table_rows(sheet, "Answer", occurrence=number)
        shares_header, shares = table_rows(sheet, "Answer (%)", occurrence=number)
        assert counts_header[1:] == shares_header[1:]
        columns = {}
        for column, name in enumerate(counts_header[1:], start=1):
            group, n = re.fullmatch(r"(.*) \(n=([\d,]+)\)", name).groups()
            columns[group] = (column, int(n.replace(",", "")))
        # "Other" (25) and "Not stated" (2 with free text) are pooled: no group under 5 shown.
        assert set(columns) == {"All", *OPTIONS, "Other groups"}
        answers = [r[0] for r in counts]
        assert answers == [r[0] for r in shares]
        present = {row[question] or "No answer" for row in export_rows}
        assert answers == [a for a in [*SCALE, "No answer"] if a in present]  # Likert order
        for group, (column, n) in columns.items():
            pooled = {"Other", "Not stated"} if group == "Other groups" else {group}
            members = [r for r in export_rows if group == "All" or pooled & set(groups_of(r))]
            assert n == len(members), group
            hidden = 0
            for count_row, share_row in zip(counts, shares, strict=True):
                answer = count_row[0]
                expected = sum((r[question] or "No answer") == answer for r in members)
                shown, share = count_row[column], share_row[column]
                if 1 <= expected < 5:
                    assert shown == "<5" and share == "<5", (question, group, answer)
                    hidden += 1
                elif shown == "[c]":  # secondary suppression: a total would reveal a cell
                    assert share == "[c]" and (expected >= 5 or expected == 0)
                    hidden += 1
                else:
                    assert shown == expected, (question, group, answer)
                    assert share == pytest.approx(expected / n)
            assert hidden != 1, (question, group)  # one hidden cell could be worked out


def test_closed_questions_have_a_stacked_bar_chart_of_published_percentages_each(book):
    sheet = book["Closed questions"]
    charts = sheet._charts
    assert len(charts) == len(CLOSED_QS)
    for number, chart in enumerate(charts, start=1):
        shares_header, shares, _ = table_cells(sheet, "Answer (%)", occurrence=number)
        header, body, header_row = table_cells(sheet, "Answer (% charted)", occurrence=number)
        assert chart.tagname == "barChart" and chart.type == "bar"
        assert chart.grouping == "stacked" and chart.overlap == 100  # of %, not of counts
        assert len(chart.series) == len(body)  # one segment per answer
        last = get_column_letter(_width(header))
        published = {
            (row[0].value, shares_header[i]): c.value
            for row in shares
            for i, c in enumerate(row[: _width(shares_header)])
            if i
        }
        for series, row in zip(chart.series, body, strict=True):
            r = row[0].row
            assert series.val.numRef.f == f"'Closed questions'!$B${r}:${last}${r}"
            assert series.tx.strRef.f == f"'Closed questions'!A{r}"
            categories = series.cat.strRef or series.cat.numRef  # openpyxl writes numRef
            assert categories.f == f"'Closed questions'!$B${header_row}:${last}${header_row}"
            for i, cell in enumerate(row[1 : _width(header)], start=1):
                assert published[(row[0].value, header[i])] == cell.value  # as the table says
        # the whole question is the title (wrapped), never cut
        title = " ".join("".join(run.t for run in (p.r or [])) for p in chart.title.tx.rich.p)
        assert " ".join(title.split()) == CLOSED_QS[number - 1]


def test_every_chart_plots_only_numbers(book):
    """Acceptance: read every chart's series references; every referenced cell is a number
    (never a suppression mark, never blank)."""
    charted = 0
    for sheet in book.worksheets:
        for chart in sheet._charts:
            for series in chart.series:
                ref = series.val.numRef.f
                name, _, cells = ref.rpartition("!")
                target = book[name.strip("'")]
                min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
                for row in target.iter_rows(
                    min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col
                ):
                    for cell in row:
                        assert isinstance(cell.value, int | float), (ref, cell.coordinate, cell.value)
                        charted += 1
    assert charted > 50


# -- 6. highlights on the theme sheets ---------------------------------------------------------


def _runs(rich: CellRichText) -> list[tuple[int, int, TextBlock | str]]:
    found, at = [], 0
    for block in rich:
        text = block.text if isinstance(block, TextBlock) else str(block)
        found.append((at, at + len(text), block))
        at += len(text)
    return found


def test_highlights_are_exactly_the_matched_words(book, explained):
    dictionary, matches = explained
    theme_of = {dictionary.label(t): t for t in dictionary.theme_ids}
    checked = 0
    for name in theme_sheets(book):
        theme = theme_of[book[name]["A1"].value]
        header, body = table_rows(book[name], "Response ID")
        assert header[3] == "Answer" and header[4] == "Matched terms"
        for rid, _, question, answer, terms in (r[:5] for r in body):
            original, found = matches[(rid, question)]
            counting = [m for m in found if m.counts and m.theme_id == theme]
            assert counting, (name, rid, question)
            assert set(terms.split(", ")) == {m.term for m in counting}
            assert isinstance(answer, CellRichText)
            bold: set[int] = set()
            for start, end, block in _runs(answer):
                assert isinstance(block, TextBlock)
                if block.font.b:
                    assert block.font.color is not None and block.font.color.rgb.endswith(RED)
                    bold.update(range(start, end))
                else:
                    assert block.font.color is None or not block.font.color.rgb.endswith(RED)
            if str(answer) != original:  # redacted: positions shift; checked elsewhere
                continue
            expected = {i for m in counting for i in range(m.start, m.end)}
            assert bold == expected, (name, rid, question)
            for m in counting:
                assert original[m.start : m.end] == m.matched
            checked += 1
    assert checked > 300


def test_highlight_follows_redaction(book, explained):
    """Where redaction shortens an answer, the red words are still the matched words."""
    dictionary, matches = explained
    theme_of = {dictionary.label(t): t for t in dictionary.theme_ids}
    checked = 0
    for name in theme_sheets(book):
        theme = theme_of[book[name]["A1"].value]
        _, body = table_rows(book[name], "Response ID")
        for rid, _, question, answer, _ in (r[:5] for r in body):
            original, found = matches[(rid, question)]
            if str(answer) == original:
                continue
            bold = [b.text for b in answer if isinstance(b, TextBlock) and b.font.b]
            words = sorted(m.matched for m in found if m.counts and m.theme_id == theme)
            assert "".join(bold).replace(" ", "") and all(
                any(w in b or b in w for w in words) for b in bold
            ), (rid, bold, words)
            checked += 1
    assert checked >= 3


# -- 7. the Uncoded sheet -----------------------------------------------------------------------


def test_uncoded_rows_are_the_publishable_free_text_no_theme_caught(book, export_rows):
    codes = coding(book)
    theme_columns = [
        c for c in next(iter(codes.values())) if c not in (
            "response_id", "respondent_groups", "themes", "campaign", "matched_terms", "overrides"
        )
    ]  # fmt: skip
    # and coded responses with an answer set aside (another language): no theme sheet shows it
    set_aside = {rid for rid, _ in load_survey(SAMPLE).set_aside}
    expected = {
        row[ID]
        for row in export_rows
        if has_text(row)
        and (not any(codes[row[ID]][t] for t in theme_columns) or row[ID] in set_aside)
        and row[CONSENT_Q] != WITHHOLD
    }
    assert len(expected) >= 10
    assert any(any(codes[rid][t] for t in theme_columns) for rid in set_aside & expected)
    header, body = table_rows(book["Uncoded"], "Response ID")
    assert header == ["Response ID", "Respondent group(s)", "Words", "Answers"]
    assert [r[0] for r in body if r[0] in expected] == [r[0] for r in body]
    assert {r[0] for r in body} == expected
    words = [r[2] for r in body]
    assert words == sorted(words, reverse=True)  # longest first
    by_id = {row[ID]: row for row in export_rows}
    for rid, _, count, answers in body:
        row = by_id[rid]
        assert count == sum(len(row[q].split()) for q in TEXT_QS if is_answer(row[q]))
        for q in TEXT_QS:
            assert (q in answers) == is_answer(row[q])
    withheld_uncoded = [
        row[ID]
        for row in export_rows
        if has_text(row) and row[CONSENT_Q] == WITHHOLD
        and not any(codes[row[ID]][t] for t in theme_columns)
    ]  # fmt: skip
    note = book["Uncoded"]["A2"].value
    coded_listed = [rid for rid in expected if any(codes[rid][t] for t in theme_columns)]
    uncoded = len(expected) - len(coded_listed) + len(withheld_uncoded)
    assert note.startswith(
        f"{uncoded:,} responses have free text but no theme, and {len(coded_listed)} coded "
        "responses with an answer set aside (marked)"
    )
    if withheld_uncoded:
        assert f"{len(withheld_uncoded)} whose authors asked not to be published" in note


# -- 8. formatting, Method and Summary ---------------------------------------------------------


def test_frozen_headers(book):
    for name in [*theme_sheets(book), "Uncoded"]:
        assert book[name].freeze_panes == "A5", name  # header on row 4
        assert table_cells(book[name], "Response ID")[2] == 4
    assert book["Coding"].freeze_panes == "A2"
    _, _, shares_header = table_cells(book["By group"], "Theme")
    assert book["By group"].freeze_panes == f"B{shares_header + 1}"  # header and theme names
    assert book["Closed questions"].freeze_panes == "A4"  # the title; a table per question
    assert book[INTERNAL].freeze_panes == "A5"


def test_every_table_is_an_excel_table_with_set_widths(book):
    for sheet in book.worksheets:
        assert sheet.tables, sheet.title
        for table in sheet.tables.values():
            min_col, min_row, max_col, _ = range_boundaries(table.ref)
            assert table.autoFilter is not None or table.tableStyleInfo is not None
            header = [sheet.cell(row=min_row, column=c).value for c in range(min_col, max_col + 1)]
            assert [c.name for c in table.tableColumns] == [str(h) for h in header]
            for column in range(min_col, max_col + 1):
                dimension = sheet.column_dimensions[get_column_letter(column)]
                assert dimension.customWidth and dimension.width >= 8, (sheet.title, column)


PERCENT_CHECKS = [  # sheet, first header of the table, occurrence, columns (1-based), is a %
    ("Summary", "Theme", 1, [3], True),
    ("Summary", "Theme", 1, [2], False),
    ("By group", "Theme", 1, None, True),
    ("By group", "Theme (respondents)", 1, None, False),
    *[("Closed questions", "Answer (%)", n, None, True) for n in (1, 2, 3)],
    *[("Closed questions", "Answer", n, None, False) for n in (1, 2, 3)],
]


@pytest.mark.parametrize(("name", "first", "occurrence", "columns", "percent"), PERCENT_CHECKS)
def test_percentages_are_numbers_formatted_as_percent(
    book, name: str, first: str, occurrence: int, columns: list[int] | None, percent: bool
):
    header, body, _ = table_cells(book[name], first, occurrence)
    width = _width(header)
    numbers = [
        cell
        for row in body
        for i, cell in enumerate(row[:width], start=1)
        if i > 1 and (columns is None or i in columns)
    ]
    assert numbers
    for cell in numbers:
        if cell.value in ("<5", "[c]"):
            continue
        assert isinstance(cell.value, int | float), cell.coordinate
        assert ("%" in cell.number_format) == percent, (cell.coordinate, cell.number_format)
        if percent:
            assert 0 <= cell.value <= 1


def test_answer_columns_wrap(book):
    for name in [*theme_sheets(book), "Uncoded", INTERNAL]:
        _, body, _ = table_cells(book[name], "Response ID")
        assert body
        for row in body:
            if row[3].value is not None:  # a response with no answers at all has none
                assert row[3].alignment.wrap_text, (name, row[3].coordinate)  # the answer
            assert row[1].alignment.wrap_text  # the groups
        answer_width = book[name].column_dimensions["D"].width
        assert answer_width >= 80, name


def test_method_sheet_versions_and_column_roles(book, export_rows):
    values = {r[0]: r[1] for r in book["Method"].iter_rows(values_only=True) if r[0]}
    assert values["sendconsult version"] == sendconsult.__version__
    assert values["spaCy version and pipeline"].startswith(f"{spacy.__version__}; ")
    header, body = table_rows(book["Method"], "Column")
    assert header[:3] == ["Column", "Role", "Why"]
    roles = {r[0]: r[1] for r in body}
    expected = {ID: "id", GROUP_Q: "group", CONSENT_Q: "consent", "Started on": "metadata",
                "Completed on": "metadata"}  # fmt: skip
    expected |= {q: "text" for q in TEXT_QS} | {q: "closed" for q in CLOSED_QS}
    assert roles == expected
    assert list(roles) == list(export_rows[0])  # every column, in the export's order
    assert all(r[2] for r in body)  # and why


def test_summary_names_the_consultation_and_the_run(book, report: Path):
    summary = book["Summary"]
    assert summary["A1"].value == CONSULTATION
    assert book.properties.title.startswith(CONSULTATION)
    facts = {r[0]: r[1] for r in summary.iter_rows(min_row=4, max_row=12, values_only=True) if r[0]}
    assert facts["Export file"] == SAMPLE.name
    run = facts["Report run on"]  # a date, formatted, not text
    assert isinstance(run, datetime) and "yyyy" in summary["B5"].number_format
    assert abs(datetime.now() - run) < timedelta(hours=2)
    method_run = dict(r[:2] for r in book["Method"].iter_rows(values_only=True) if r[0])["Run on"]
    assert datetime.fromisoformat(method_run).replace(second=0) == run
    assert report.exists()
