"""`sendconsult --help` is instant: the CLI imports the core (spaCy, pandas, scipy, openpyxl)
only when a command runs, never to print a usage message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ["spacy", "pandas", "scipy", "openpyxl", "numpy"]

# Runs the console-script entry point once for each argument list, in one fresh interpreter,
# then prints which of the heavy libraries were imported.
PROBE = """
import json, sys
runs, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
from sendconsult.cli import main
for args in runs:
    sys.argv = ["sendconsult", *args]
    try:
        main()
    except SystemExit:
        pass
print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""


def heavy_imports(*runs: list[str]) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(runs)), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_help_imports_no_heavy_library():
    helps = [["--help"], ["analyse", "--help"], ["themes", "check", "--help"], ["explain", "--help"]]
    helps += [[command, "--help"] for command in ("inspect", "evaluate", "train", "diff")]
    assert heavy_imports(*helps) == []


def test_the_probe_sees_a_heavy_import_when_a_command_runs(tmp_path: Path):
    # The same probe, on a command that reads an export, does see pandas: the check can fail.
    export = tmp_path / "export.csv"
    export.write_text("Response ID,Your comments\nR1,We need respite.\n", encoding="utf-8")
    assert "pandas" in heavy_imports(["inspect", str(export)])
