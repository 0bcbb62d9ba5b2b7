"""Disclosure control tried as an attacker would: from every figure the workbook shows, work out
what each hidden count can be, and fail if any small one is pinned down.

The attacker reads the By group tables, the closed-question tables, the Summary's headline
agreement, the group sizes in every header and the answers listed on each theme sheet (each
with the groups shown for it), and narrows each hidden cell by interval propagation over every
sum a reader knows: a line adding up to its total, groups adding up to All (or at least to All
when they overlap), agree answers adding up to the headline %, and listed answers with no group
shown adding up to at most the row's hidden cells. A small export with tiny groups, overlapping
groups and a lone answer is made here so that every channel is exercised.
"""

from __future__ import annotations

import csv
import random
import re
from itertools import product
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sendconsult.cli import app
from sendconsult.stats import compare_groups

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parent.parent / "sample_responses" / "leicester_send_strategy_2019.csv"
THRESHOLD = 5
SMALL, SECONDARY = "<5", "[c]"
PARENT = "Parent or carer of a child or young person with SEND"
YOUNG = "Young person with SEND (aged 11-25)"
EDUCATION = "Education professional (school, college or early years setting)"
HEALTH = "Health professional (e.g. therapist, nurse, paediatrician)"
SOCIAL = "Social care professional"
VOLUNTARY = "Voluntary, community or charity organisation"
COUNCILLOR = "Other (please specify): ward councillor"
# (groups, how many): two groups too small to show alone, a lone councillor, and overlaps
PEOPLE = [
    ((PARENT,), 34),
    ((YOUNG,), 9),
    ((EDUCATION,), 8),
    ((PARENT, EDUCATION), 4),
    ((HEALTH,), 3),
    ((SOCIAL,), 2),
    ((PARENT, VOLUNTARY), 3),
    ((VOLUNTARY,), 3),
    ((COUNCILLOR,), 1),
    ((), 2),
]
SENTENCES = [
    "We waited nearly a year for the EHC plan to be finalised.",
    "There are not enough short breaks and respite for families like ours.",
    "The school transport is unreliable and the taxi is often late.",
    "A personal budget would let us choose support that works for him.",
    "There are not enough special school places in the city.",
    "Nobody tells parents what support is available or who to contact.",
]
RARE = "He starts college in September and we worry about what happens after."
SCALE = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"]


def _export(folder: Path) -> Path:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    rng = random.Random(22)
    rows = []
    number = 0
    for groups, count in PEOPLE:
        for _ in range(count):
            number += 1
            said = rng.sample(SENTENCES, rng.choice([1, 1, 2, 3]))
            if number in (3, 40):  # a theme raised by two respondents only
                said.append(RARE)
            answers = [rng.choice(SCALE[:2] * 4 + SCALE) for _ in range(3)]
            if number == 7:
                answers[0] = "Strongly disagree"  # a lone answer beside zeros
            elif answers[0] == "Strongly disagree":
                answers[0] = "Agree"
            rows.append(
                [
                    f"ANON-TEST-{number:04d}",
                    "2019-05-20 10:00:00",
                    "2019-05-20 10:10:00",
                    ", ".join(groups),
                    *answers,
                    " ".join(said),
                    "",
                    "",
                    "Publish response in full",
                ]
            )
    path = folder / "small_consultation.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("disclosure")
    export = _export(folder)
    made = {}
    for kind, extra in (("working", []), ("publish", ["--publish"])):
        out = folder / f"{kind}.xlsx"
        result = runner.invoke(app, ["analyse", str(export), "--out", str(out), *extra])
        assert result.exit_code == 0, result.output
        made[kind] = out
    return made


@pytest.fixture(scope="module", params=["working", "publish"])
def book(request, reports):
    return openpyxl.load_workbook(reports[request.param])


# -- reading the workbook as a reader would ------------------------------------------------------


def tables(sheet, first: str) -> list[tuple[list[str], list[list[object]]]]:
    """Every table whose header row starts with `first`: (header, body rows)."""
    return [(header, body) for _, header, body in titled_tables(sheet, first)]


def titled_tables(sheet, first: str) -> list[tuple[object, list[str], list[list[object]]]]:
    """Every table whose header row starts with `first`, with the cell above it (its title)."""
    rows = list(sheet.iter_rows(values_only=True))
    found = []
    for i, row in enumerate(rows):
        if row and row[0] == first:
            body = []
            for r in rows[i + 1 :]:
                if r[0] is None:
                    break
                body.append(list(r))
            width = max(j for j, v in enumerate(row) if v is not None) + 1
            title = rows[i - 1][0] if i else None
            found.append((title, [str(v) for v in row[:width]], [r[:width] for r in body]))
    return found


def size_of(header: str) -> int:
    match = re.search(r"\(n=([\d,]+)\)$", header)
    assert match, f"no group size in {header!r}"
    return int(match.group(1).replace(",", ""))


def group_of(header: str) -> str:
    return re.sub(r" \(n=[\d,]+\)$", "", header)


class Attacker:
    """Interval propagation over what a reader knows: each cell lies in [lo, hi]."""

    def __init__(self) -> None:
        self.bounds: dict[tuple, list[int]] = {}
        self.small: set[tuple] = set()
        self.equal: list[tuple[list[tuple], int]] = []
        self.at_least: list[tuple[list[tuple], int]] = []

    def cell(self, key: tuple, value: object, ceiling: int) -> None:
        if value == SMALL:
            self.bounds[key] = [1, THRESHOLD - 1]
            self.small.add(key)
        elif value == SECONDARY:
            self.bounds[key] = [0, ceiling]  # any number, zero included
        else:
            assert isinstance(value, int), (key, value)
            self.bounds[key] = [value, value]

    def solve(self) -> None:
        for _ in range(200):
            changed = False
            for keys, total in self.equal + self.at_least:
                exact = (keys, total) in self.equal
                for key in keys:
                    others = [self.bounds[k] for k in keys if k != key]
                    low = total - sum(b[1] for b in others)
                    bound = self.bounds[key]
                    if low > bound[0]:
                        bound[0], changed = low, True
                    if exact:
                        high = total - sum(b[0] for b in others)
                        if high < bound[1]:
                            bound[1], changed = high, True
            if not changed:
                return

    def pinned(self) -> dict[tuple, list[int]]:
        return {k: self.bounds[k] for k in self.small if self.bounds[k][0] >= self.bounds[k][1]}


def attack(book) -> Attacker:
    spy = Attacker()
    # By group: one row per theme, All then groups, each group's n in its header.
    ((header, body),) = tables(book["By group"], "Theme (respondents)")
    columns = [group_of(h) for h in header[1:]]
    sizes = {group_of(h): size_of(h) for h in header[1:]}
    exclusive = sum(sizes[c] for c in columns[1:]) == sizes[columns[0]]
    for row in body:
        theme = row[0]
        for column, value in zip(columns, row[1:], strict=True):
            spy.cell(("group", theme, column), value, sizes[column])
        keys = [("group", theme, c) for c in columns[1:]]
        if isinstance(row[1], int):  # a hidden All bounds nothing the groups do not
            (spy.equal if exclusive else spy.at_least).append((keys, row[1]))
    # Crosstabs: by question (answers overlap: at least the total), by closed answer (each
    # respondent gives one: exactly the total); their first column is the theme's count.
    for number, (header, body) in enumerate(tables(book["Crosstabs"], "Theme (respondents)"), 1):
        cols = [group_of(h) for h in header[1:]]
        sizes_x = {group_of(h): size_of(h) for h in header[1:]}
        exclusive_x = sum(sizes_x[c] for c in cols[1:]) == sizes_x[cols[0]]
        for row in body:
            theme = row[0]
            total = ("group", theme, "All")  # the same count as By group's All
            if total not in spy.bounds:
                spy.cell(total, row[1], sizes_x[cols[0]])
            for column, value in zip(cols[1:], row[2:], strict=True):
                spy.cell(("x", number, theme, column), value, sizes_x[column])
            keys = [("x", number, theme, c) for c in cols[1:]]
            if spy.bounds[total][0] == spy.bounds[total][1]:
                (spy.equal if exclusive_x else spy.at_least).append((keys, spy.bounds[total][0]))
    # Theme sheets: answers listed with the groups shown for them.
    for sheet in book.worksheets[3:]:
        if sheet.title in ("Uncoded", "Coding", "Changes", "Method"):
            continue
        theme = sheet["A1"].value
        listed = tables(sheet, "Response ID")
        if not listed:
            continue
        ids_by_label: dict[str, set[str]] = {}
        for row in listed[0][1]:
            for label in [g.strip() for g in split_groups(str(row[1]), columns)]:
                ids_by_label.setdefault(label, set()).add(row[0])
        for label, ids in ids_by_label.items():
            if label.startswith("Group not shown"):
                hidden = [
                    ("group", theme, c)
                    for c in columns[1:]
                    if spy.bounds[("group", theme, c)][0] != spy.bounds[("group", theme, c)][1]
                ]
                spy.at_least.append((hidden, len(ids)))
            else:
                assert label in columns, f"{sheet.title}: a group not in By group: {label!r}"
                spy.at_least.append(([("group", theme, label)], len(ids)))
    # Closed questions: answers add up to each column's n; groups to All if exclusive.
    headline = {
        re.sub(r" \(([\d,]+) answered\)$", "", r[0]): r
        for _, rows in tables(book["Summary"], "Question")
        for r in rows
    }
    closed = titled_tables(book["Closed questions"], "Answer")
    for number, (title, header, body) in enumerate(closed, 1):
        columns_q = [group_of(h) for h in header[1:]]
        sizes_q = {group_of(h): size_of(h) for h in header[1:]}
        exclusive_q = sum(sizes_q[c] for c in columns_q[1:]) == sizes_q[columns_q[0]]
        for row in body:
            for column, value in zip(columns_q, row[1:], strict=True):
                spy.cell(("closed", number, row[0], column), value, sizes_q[column])
            keys = [("closed", number, row[0], c) for c in columns_q[1:]]
            total = ("closed", number, row[0], columns_q[0])
            if spy.bounds[total][0] == spy.bounds[total][1]:
                (spy.equal if exclusive_q else spy.at_least).append((keys, spy.bounds[total][0]))
        for column in columns_q:
            keys = [("closed", number, row[0], column) for row in body]
            spy.equal.append((keys, sizes_q[column]))
        # The Summary's headline: agree and disagree as % of those who answered.
        if title in headline:
            question, agree, disagree = headline[title][:3]
            answered = int(re.search(r"\(([\d,]+) answered\)$", question).group(1).replace(",", ""))
            answers = [row[0] for row in body]
            for share, side in ((agree, "agree"), (disagree, "disagree")):
                keys = [
                    ("closed", number, a, columns_q[0])
                    for a in answers
                    if "neither" not in a.lower()
                    and "agree" in a.lower()
                    and ("disagree" in a.lower()) == (side == "disagree")
                ]
                spy.equal.append((keys, round(share * answered)))
    spy.solve()
    return spy


def split_groups(label: str, columns: list[str]) -> list[str]:
    """A listed answer's groups: group names contain commas, so match the known columns."""
    if label.startswith("Group not shown"):
        return [label]
    found, rest = [], label
    while rest:
        match = next((c for c in columns if rest == c or rest.startswith(c + ", ")), None)
        assert match, f"unknown group in {label!r}"
        found.append(match)
        rest = rest[len(match) + 2 :]
    return found


# -- the tests ---------------------------------------------------------------------------------


def test_no_hidden_count_can_be_pinned_down_from_the_workbook(book):
    spy = attack(book)
    assert spy.small, "the export should produce small counts to protect"
    assert spy.pinned() == {}


def test_no_group_size_under_the_threshold_is_printed(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                for n in re.findall(r"\(n=([\d,]+)\)", str(value)):
                    assert int(n.replace(",", "")) >= THRESHOLD, (sheet.title, value)
    summary = [r for r in tables(book["Summary"], "Respondent group")[0][1] if r[1] is not None]
    assert summary and all(isinstance(r[1], int) and r[1] >= THRESHOLD for r in summary)


def test_tiny_groups_never_named_outside_the_internal_sheets(book):
    """The lone councillor and the two social-care professionals are pooled as Other groups:
    no column of theirs, no answer labelled with their group (notes may say what is pooled)."""
    for sheet in book.worksheets:
        if sheet.title in ("Coding", "Method"):
            continue
        text = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
        assert "councillor" not in text.lower(), sheet.title
        assert SOCIAL + " (n=" not in text, sheet.title
        for _, body in tables(sheet, "Response ID"):
            assert all(SOCIAL not in str(row[1]) for row in body), sheet.title


def test_p_values_never_reveal_a_hidden_count(book):
    """An exact p-value is a function of the cells: trying every value the hidden cells may
    take must leave more than one that gives it."""
    ((header, body),) = tables(book["By group"], "Theme (respondents)")
    columns = [group_of(h) for h in header[1:]]
    (_, tests_body) = tables(book["By group"], "Theme")[-1]
    p_values = {r[0]: r[2] for r in tests_body}
    checked = 0
    for row in body:
        cells = dict(zip(columns[1:], row[2:], strict=True))
        hidden = [c for c, v in cells.items() if v in (SMALL, SECONDARY)]
        if not hidden:
            continue
        p = p_values[row[0]]
        assert not isinstance(p, float | int), (row[0], p)
        checked += 1
    assert checked


def test_p_value_attack_recovers_a_cell_when_exact_p_values_are_shown():
    """The attack above is real: with one hidden cell and an exact p-value, one candidate fits."""
    counts = {"A": 20, "B": 9, "C": 3}
    sizes = {"A": 60, "B": 30, "C": 10}
    shown = round(compare_groups(counts, sizes).p_value, 4)
    fits = [
        h
        for (h,) in product(range(1, THRESHOLD), repeat=1)
        if round(compare_groups({**counts, "C": h}, sizes).p_value, 4) == shown
    ]
    assert fits == [3]


def test_coding_sheet_is_marked_internal_and_left_out_of_a_report_for_publication(reports):
    working = openpyxl.load_workbook(reports["working"])
    coding = working["Coding"]
    assert "NOT FOR PUBLICATION" in coding.oddHeader.left.text
    assert coding.sheet_properties.tabColor.rgb.endswith("C00000")
    published = openpyxl.load_workbook(reports["publish"])
    assert "Coding" not in published.sheetnames
    for sheet in published.worksheets:
        assert "NOT FOR PUBLICATION" not in (sheet.oddHeader.left.text or ""), sheet.title


def test_every_sheet_prints_the_consultation_name_and_page_numbers(book):
    for sheet in book.worksheets:
        assert sheet.oddHeader.left.text, sheet.title
        assert sheet.oddFooter.center.text == "Page &P of &N", sheet.title


def test_publish_refuses_internal_or_unredacted_or_unsuppressed(tmp_path: Path):
    export = _export(tmp_path)
    for extra in (["--internal"], ["--no-redact"], ["--suppress", "0"]):
        result = runner.invoke(
            app, ["analyse", str(export), "--publish", "--out", str(tmp_path / "r.xlsx"), *extra]
        )
        assert result.exit_code == 1, (extra, result.output)
        assert "--publish" in result.output
        assert not (tmp_path / "r.xlsx").exists()


def test_a_report_for_publication_lists_no_answers_of_a_theme_too_small_to_count(reports):
    working = openpyxl.load_workbook(reports["working"])
    published = openpyxl.load_workbook(reports["publish"])
    small = [
        name
        for name in published.sheetnames
        if "Fewer than 5 respondents raised" in str(published[name]["A2"].value or "")
    ]
    assert small, "the export has a theme raised by two respondents"
    for name in small:
        assert tables(published[name], "Response ID")[0][1] == []
        assert len(tables(working[name], "Response ID")[0][1]) == 2  # the working copy lists them
