"""`sendconsult --help` is instant: the CLI imports the core (spaCy, pandas, scipy, openpyxl)
only when a command runs, never to print a usage message."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["spacy", "pandas", "scipy", "openpyxl", "numpy"]

# Runs the console-script entry point with the given arguments in a fresh interpreter, then
# prints which of the heavy libraries were imported.
PROBE = """
import json, sys
heavy = json.loads(sys.argv[2])
sys.argv = ["sendconsult", *json.loads(sys.argv[1])]
from sendconsult.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""


def heavy_imports(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(args)), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "args",
    [["--help"], ["analyse", "--help"], ["themes", "check", "--help"], ["explain", "--help"]],
    ids=" ".join,
)
def test_help_imports_no_heavy_library(args: list[str]):
    assert heavy_imports(*args) == []


def test_the_probe_sees_a_heavy_import_when_a_command_runs(tmp_path):
    # The same probe, on a command that parses text, does see spaCy: the check above can fail.
    assert "spacy" in heavy_imports("explain", "We need respite")
