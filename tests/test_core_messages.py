"""No core message names a command-line option: the core says what is wrong and which choice
would fix it (an error's `fix`), and only sendconsult/cli/ words that choice as an option
(sendconsult/cli/advice.py), so another interface never tells an officer to type a flag."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sendconsult.cli.advice import ADVICE, error_text, warning_text, with_advice
from sendconsult.errors import Caveat, ReportError, SendconsultError

PACKAGE = Path(__file__).resolve().parent.parent / "sendconsult"
OPTION = re.compile(r"--[a-z]")

# Modules whose strings name options, with how many: the counts are exact, so a new option
# named in one of them, or in any other core module, fails. ingest/assign.py records which
# option named a column (the reason `inspect` and the Method sheet show, such as
# "--text-column"): that is what the officer typed, not advice.
NOT_YET_CONVERTED = {
    "ingest/assign.py": 6,
}


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of docstring nodes: they document the code for developers, not officers."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def strings_naming_options(source: str) -> list[str]:
    """Every string constant (f-string parts too) of a module, docstrings apart, that names
    an option such as --out."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and OPTION.search(node.value)
    ]


def core_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "cli" not in p.relative_to(PACKAGE).parts)


def test_no_core_message_names_a_command_line_option():
    found = {}
    for path in core_modules():
        named = strings_naming_options(path.read_text(encoding="utf-8"))
        if named:
            found[path.relative_to(PACKAGE).as_posix()] = named
    counts = {name: len(strings) for name, strings in found.items()}
    assert counts == NOT_YET_CONVERTED, found


def test_the_scan_finds_an_option_in_a_message_and_not_in_a_docstring():
    source = '''
"""Reads the file given by --export."""
def f(path):
    """Called for --out."""
    raise ValueError(f"{path} exists; choose another --out.")
NAME = "--config"
DASHES = "a value -- or none; -5 degrees"
'''
    assert sorted(strings_naming_options(source)) == [" exists; choose another --out.", "--config"]


def test_the_scan_reads_the_cli_apart():
    scanned = {p.relative_to(PACKAGE).parts[0] for p in core_modules()}
    assert "cli" not in scanned and {"writing.py", "analysis.py", "nlp"} <= scanned


def test_every_fix_the_core_names_has_advice_here():
    # A fix the CLI has no words for would print the core's message without the option.
    named = set()
    for path in core_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # fix="..." in a call, or fix = "..." / FIX = "..." kept for one
            in_call = isinstance(node, ast.keyword) and node.arg == "fix"
            kept = isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id.lower() == "fix" for t in node.targets
            )
            if not (in_call or kept):
                continue
            value = node.value  # type: ignore[union-attr]
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                named.add(value.value)
            elif isinstance(value, ast.JoinedStr):  # writing.missing_folder: f"{fix}-folder"
                named |= {"output-folder", "cache-folder"}
    named.add("output")  # writing.atomic_path's default
    assert named <= set(ADVICE), named - set(ADVICE)
    assert "model-or-default" in named  # the scan sees the core's fixes


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            ReportError("The report name r.csv must end in .xlsx.", fix="output-name"),
            "The report name r.csv must end in .xlsx; choose another --out.",
        ),
        (
            ReportError("x.xlsx already exists; choose another name.", fix="report-exists", path="x.xlsx"),
            "x.xlsx already exists; add --force to replace it, or choose another name with --out.",
        ),
        (ReportError("Something else went wrong."), "Something else went wrong."),
    ],
)
def test_the_cli_adds_the_option_to_the_core_message(error: SendconsultError, said: str):
    assert error_text(error) == said
    assert "--" not in str(error)


def test_a_warning_an_error_caused_gets_its_advice():
    error = ReportError("c.npz could not be written; choose another folder.", fix="cache")
    warning = Caveat("The parse cache could not be saved: ", error)
    assert warning == "The parse cache could not be saved: " + str(error)  # still a str
    assert warning_text(warning) == (
        "The parse cache could not be saved: c.npz could not be written; choose another folder "
        "with --cache-dir (or --no-cache)."
    )
    assert warning_text("A plain warning.") == "A plain warning."
    assert with_advice("A term is short.", None) == "A term is short."
