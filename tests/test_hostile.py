"""Hostile input and faults: characters XML forbids, formula-leading cells in CSV output, odd
encodings, oversized and bomb-like files, killed runs, damaged caches and failing writes. Each
case is run as an officer runs it and the output read back."""

from __future__ import annotations

import contextlib
import csv
import errno
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sendconsult.cli import app
from sendconsult.report import workbook
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
        str(c)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
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


def test_clean_text_checks_every_character_it_could_replace():
    """clean_text skips printable strings unsearched, so every character its patterns flag
    must be non-printable, and is then replaced wherever it stands."""
    flagged = [
        chr(c)
        for c in range(0x110000)
        if workbook._UNSAFE.match(chr(c)) or workbook._WORD_BREAKS.match(chr(c))
    ]
    assert len(flagged) > 2000  # controls, surrogates and noncharacters
    assert [c for c in flagged if c.isprintable()] == []
    assert [c for c in flagged if clean_text(f"plain {c} text") == f"plain {c} text"] == []


# -- CSV output: formula injection -----------------------------------------------------------

FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x.example","click")', "+44 7700", "@id", "-1+2",
            "\t=1", "\r=1"]  # fmt: skip


def test_diff_csv_escapes_formula_leading_cells(tmp_path: Path):
    from sendconsult.cli.diff_cmd import write_changes
    from sendconsult.compare import ADDED, Changes, ResponseChange

    changes = Changes(
        before="old.xlsx",
        after="new.xlsx",
        themes=[],
        responses=[ResponseChange(rid, "transport", ADDED, "matched: =taxi") for rid in FORMULAS],
    )
    out = tmp_path / "changes.csv"
    write_changes(changes, out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [r[0] for r in rows[1:]] == ["'" + rid for rid in FORMULAS]
    assert {r[3] for r in rows[1:]} == {"matched: =taxi"}  # not at the start: left as it is
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)


def test_every_csv_writer_uses_the_shared_formula_guard():
    package = Path(__file__).parent.parent / "sendconsult"
    writers = [
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if re.search(r"csv\.writer|DictWriter|\.to_csv\(", p.read_text(encoding="utf-8"))
    ]
    assert writers == ["writing.py"]  # write_csv_atomic, which applies csv_safe to every cell


# -- faults: failing writes, fsync, stale temporary files, damaged caches --------------------

ANSWERS = [
    "The taxi to school is late most mornings and nobody tells us why.",
    "We need respite and short breaks in the holidays, please.",
    "Our EHCP review was cancelled twice this year without any explanation.",
    "There are not enough special school places near us.",
    "Direct payments are hard to use and the personal budget is too small.",
    "Post-16 options for my daughter are very limited at college.",
]


def _small_export(write_csv) -> Path:
    rows = [["Response ID", "Capacity", "Your comments"]]
    rows += [[f"R{i}", "Parent", f"{a} ({i})"] for i, a in enumerate(ANSWERS * 2)]
    return write_csv(rows)


def _raise(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(args[0]) if args else None)

    return fail


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (errno.EACCES, "could not be written (permission denied); close it if it is open in Excel"),
        (errno.EROFS, "is on a read-only drive; choose another folder with --out."),
        (errno.ENOSPC, "the drive holding"),
    ],
)
def test_report_write_failures_are_one_sentence(
    tmp_path: Path, write_csv, monkeypatch, code: int, says: str
):
    export = _small_export(write_csv)
    out = tmp_path / "report.xlsx"
    monkeypatch.setattr("sendconsult.writing.os.replace", _raise(code))
    result = runner.invoke(app, ["analyse", str(export), "--out", str(out), "--no-cache"])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and str(out) in " ".join(result.output.split())
    assert says in " ".join(result.output.split())
    assert "maintainers" not in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]  # no temporary left


def test_an_over_long_report_name_is_one_sentence(tmp_path: Path, write_csv):
    export = _small_export(write_csv)
    out = tmp_path / ("r" * 300 + ".xlsx")
    result = runner.invoke(app, ["analyse", str(export), "--out", str(out), "--no-cache"])
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert said.startswith("Error: ") and "is too long a file name" in said
    assert "choose a shorter name with --out" in said and "maintainers" not in said


def test_an_unwritable_cache_folder_is_a_warning_not_a_failure(
    tmp_path: Path, write_csv, monkeypatch
):
    export = _small_export(write_csv)
    real_mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if ".sendconsult-cache" in str(self):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    out = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["analyse", str(export), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists()


def test_files_are_flushed_to_disk_before_the_rename(tmp_path: Path, monkeypatch):
    from sendconsult.writing import write_text_atomic

    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1]
    )
    write_text_atomic(tmp_path / "cache.json", "{}")
    assert events[:2] == ["fsync", "replace"]
    assert (tmp_path / "cache.json").read_text() == "{}"


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_temporary_files_left_by_a_killed_run_are_removed(tmp_path: Path):
    from sendconsult.writing import write_text_atomic

    dead, alive = _dead_pid(), os.getppid()
    stale = tmp_path / f".report.xlsx.{dead}-0badcafe.tmp"
    stale_draft = tmp_path / f".report.xlsx.{dead}-0badcafe.draft.tmp"
    running = tmp_path / f".report.xlsx.{alive}-12345678.tmp"  # another run, still saving
    just_made = tmp_path / f".other.csv.{dead}-87654321.tmp"  # too recent to be sure
    theirs = tmp_path / ".someone_elses.tmp"
    for path in (stale, stale_draft, running, just_made, theirs):
        path.write_text("partial")
    for path in (stale, stale_draft, running, theirs):
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    write_text_atomic(tmp_path / "campaigns.json", "{}")
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {running.name, just_made.name, theirs.name, "campaigns.json"}


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage"])
def test_a_damaged_cache_is_rebuilt_with_a_warning(tmp_path: Path, write_csv, damage: str):
    export = _small_export(write_csv)
    out = tmp_path / "report.xlsx"
    first = runner.invoke(app, ["analyse", str(export), "--out", str(out)])
    assert first.exit_code == 0, first.output
    cache = tmp_path / ".sendconsult-cache"
    files = [p for p in cache.iterdir() if p.is_file()]
    assert any(p.suffix == ".npz" for p in files)
    for path in files:
        data = path.read_bytes()
        path.write_bytes(
            {"empty": b"", "truncated": data[: len(data) // 2], "garbage": b"\x00\xff" * 40}[damage]
        )
    again = runner.invoke(app, ["analyse", str(export), "--out", str(out), "--force"])
    assert again.exit_code == 0, again.output
    said = " ".join(again.output.split())
    assert "The parse cache" in said and "could not be read" in said and "rebuilt" in said
    third = runner.invoke(app, ["analyse", str(export), "--out", str(out), "--force"])
    assert third.exit_code == 0 and "could not be read" not in third.output


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_parsing_processes_end_when_the_main_process_is_killed(tmp_path: Path, write_csv):
    rows = [["Response ID", "Capacity", "Your comments"]]
    # enough answers that parsing lasts seconds: workers that start as copies of the main
    # process parse 4,000 answers in well under a second, too short to be seen reliably
    rows += [[f"R{i}", "Parent", f"{ANSWERS[i % 6]} Week {i} of waiting."] for i in range(20_000)]
    export = write_csv(rows)
    main = subprocess.Popen(
        [sys.executable, "-m", "sendconsult", "analyse", str(export), "--jobs", "2",
         "--no-cache", "--out", str(tmp_path / "report.xlsx")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(workers) < 2 and main.poll() is None:
            time.sleep(0.05)
            workers = [p for p in _children(main.pid) if _alive(p)]
        assert len(workers) == 2, "the run should parse on two processes"
        time.sleep(1)
        main.kill()
        main.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(map(_alive, workers)):
            time.sleep(0.2)
        assert not any(map(_alive, workers)), "parsing processes outlived the killed run"
    finally:
        if main.poll() is None:
            main.kill()
        for pid in filter(_alive, workers):  # only when the test fails: none is left to end
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


# -- encodings --------------------------------------------------------------------------------


def test_utf8_with_one_stray_windows_1252_byte_stays_utf8(tmp_path: Path):
    lines = ["Response ID,Capacity,Your comments"]
    lines += [
        f"R{i},Parent,\u201cThe taxi doesn\u2019t come \u2013 we\u2019ve waited {i} weeks.\u201d"
        for i in range(1, 9)
    ]
    raw = "\r\n".join(lines).encode("utf-8")
    raw = raw.replace(b"waited 5 weeks", b"waited 5 weeks \x96 again")  # one cp1252 dash
    export = tmp_path / "export.csv"
    export.write_bytes(raw)
    out = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["analyse", str(export), "--out", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "Warning: export.csv is UTF-8 text but line 6 holds characters saved in another" in said
    texts = _all_text(out)
    assert "\u201cThe taxi doesn\u2019t come \u2013 we\u2019ve waited 3 weeks.\u201d" in texts
    assert "waited 5 weeks \u2013 again" in texts
    assert "\u201a\u00c4\u00f4" not in texts and "don\u201a" not in texts  # no mac_iceland garbling


def test_decoding_lists_each_line_with_stray_bytes():
    from sendconsult.ingest.encoding import decode_bytes

    raw = "a\u2019b\nok \u00e9\n".encode() + b"x\x92y\nz\n\x93q\x94\n" + "\u2013".encode()
    decoded = decode_bytes(raw)
    assert decoded.encoding == "utf-8" and decoded.bad_lines == [3, 5]
    assert decoded.text == "a\u2019b\nok \u00e9\nx\u2019y\nz\n\u201cq\u201d\n\u2013"
    plain_cp1252 = "Caf\u00e9 \u2018respite\u2019 \u2013 now\n".encode("cp1252") * 20
    assert decode_bytes(plain_cp1252).text.startswith("Caf\u00e9 \u2018respite\u2019 \u2013")
    assert decode_bytes(plain_cp1252).bad_lines == []


# -- limits and sizes -------------------------------------------------------------------------


def test_a_million_tiny_answers_are_still_free_text():
    from sendconsult.ingest.roles import column_stats, guess_role
    from sendconsult.survey import Role

    rng = random.Random(3)
    words = ["more", "money", "please", "transport", "taxi", "late", "good", "fine", "ok",
             "thanks", "respite", "help", "staff", "school", "place", "support", "plan", "wait",
             "review", "bus", "need", "now", "kids", "care"]  # fmt: skip
    answers = [" ".join(rng.choices(words, k=rng.randint(1, 3))) for _ in range(1_000_000)]
    stats = column_stats(answers, ",")
    assert stats.mean_words < 2.5 and stats.distinct_ratio < 0.05  # short and much repeated
    assert guess_role("Any other comments?", stats, len(answers))[0] is Role.TEXT
    likert = [rng.choice(["Agree", "Disagree", "Neither agree nor disagree"]) for _ in answers]
    assert guess_role("Do you agree?", column_stats(likert, ","), len(likert))[0] is Role.CLOSED


def _rebuilt_xlsx(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    """A copy of the workbook `source` with some parts replaced or added, packed hard."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in replace:
                zout.writestr(info, zin.read(info))
        for name, data in replace.items():
            zout.writestr(name, data, compresslevel=9)
    return target


def _refusal(export: Path) -> tuple[str, float]:
    started = time.monotonic()
    result = runner.invoke(app, ["analyse", str(export), "--no-cache"])
    took = time.monotonic() - started
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    return " ".join(result.output.split()), took


def _small_xlsx(write_xlsx) -> Path:
    return write_xlsx(
        [["Response ID", "Your comments"]] + [[f"R{i}", a] for i, a in enumerate(ANSWERS)]
    )


def test_an_xlsx_with_a_huge_shared_strings_part_is_refused_in_seconds(tmp_path, write_xlsx):
    strings = b"<si><t>respite</t></si>" * 3_000_000  # 69 MB unpacked, a few hundred KB packed
    shared = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main">' + strings + b"</sst>"
    )
    bomb = _rebuilt_xlsx(
        _small_xlsx(write_xlsx), tmp_path / "bomb.xlsx", {"xl/sharedStrings.xml": shared}
    )
    assert bomb.stat().st_size < 1_000_000
    said, took = _refusal(bomb)
    assert said.startswith("Error: bomb.xlsx holds a part (xl/sharedStrings.xml) that unpacks to")
    assert took < 10


def test_an_xlsx_of_millions_of_empty_rows_is_refused_in_seconds(tmp_path, write_xlsx):
    rows = b"".join(b'<row r="%d"/>' % i for i in range(1, 3_000_000))
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        b'.org/spreadsheetml/2006/main"><sheetData>' + rows + b"</sheetData></worksheet>"
    )
    bomb = _rebuilt_xlsx(
        _small_xlsx(write_xlsx), tmp_path / "rows.xlsx", {"xl/worksheets/sheet1.xml": sheet}
    )
    said, took = _refusal(bomb)
    assert said.startswith("Error: rows.xlsx has more than 1,048,576 rows (empty ones included)")
    assert took < 30


def test_an_xlsx_whose_rows_run_past_the_limit_is_refused_while_reading(tmp_path, write_xlsx):
    last = b'<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>R9</t></is></c></row>'  # one cell two million rows down: a tiny part, so only reading it shows its size
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        b'.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        b"Your comments</t></is></c></row>" + last + b"</sheetData></worksheet>"
    )
    tall = _rebuilt_xlsx(
        _small_xlsx(write_xlsx), tmp_path / "tall.xlsx", {"xl/worksheets/sheet1.xml": sheet}
    )
    said, took = _refusal(tall)
    assert said.startswith("Error: tall.xlsx has more than 1,048,576 rows (empty ones included)")
    assert "raise max_rows under [limits] in sendconsult.toml" in said
    assert took < 30


def test_ten_thousand_columns_are_refused_with_one_sentence(tmp_path: Path, write_csv):
    rng = random.Random(5)
    header = ["Response ID", "Your comments", *[f"Q{i}" for i in range(10_000)]]
    rows = [header] + [
        [f"R{r}", f"{ANSWERS[r % 6]} ({r})", *rng.choices(["Agree", "Disagree"], k=10_000)]
        for r in range(30)
    ]
    said, took = _refusal(write_csv(rows))
    assert said == (
        "Error: export.csv has 10,002 columns with answers, more than the 2,000 sendconsult "
        "reads; remove the columns you do not need, or if the export really is this large, "
        "raise max_columns under [limits] in sendconsult.toml beside it."
    )
    assert took < 20


def test_limits_are_set_in_the_config(tmp_path: Path, write_csv):
    rows = [["Response ID", "Your comments"]] + [[f"R{i}", a] for i, a in enumerate(ANSWERS)]
    rows[3][1] = "We waited and waited. " * 100
    export = write_csv(rows)
    (tmp_path / "sendconsult.toml").write_text("[limits]\nmax_cell_characters = 1000\n")
    said, _ = _refusal(export)
    assert said.startswith(
        "Error: A cell near line 4 of export.csv holds more than 1,000 characters"
    )
    (tmp_path / "sendconsult.toml").write_text("[limits]\nmax_cells = 10\n")
    said, _ = _refusal(export)
    assert "sendconsult.toml: [limits] unknown setting 'max_cells'" in said
    (tmp_path / "sendconsult.toml").write_text("[limits]\nmax_rows = 3\n")
    said, _ = _refusal(export)
    assert said.startswith("Error: export.csv has 6 rows, more than the 3 sendconsult reads;")


def test_closed_question_sheet_work_is_linear_in_questions():
    """Tables, merged titles and page breaks: each added without comparing with all before."""
    from openpyxl import Workbook

    from sendconsult.report.workbook import add_table, merge_title

    def build(n: int) -> float:
        sheet = Workbook().active
        started = time.perf_counter()
        for i in range(n):
            sheet.cell(row=3 * i + 2, column=1).value = "Answer"
            sheet.cell(row=3 * i + 2, column=2).value = "All"
            merge_title(sheet, 3 * i + 1, 8)
            add_table(sheet, f"Closed{i}", 3 * i + 2, 3 * i + 3, 2, repeat_header=False)
        return time.perf_counter() - started

    small, large = build(300), build(3_000)
    assert large < 25 * small  # ten times the questions: about ten times the time, not a hundred
