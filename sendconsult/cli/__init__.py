"""The command line: the only place that prints, shows progress and exits.

Each command lives in its own module and registers itself on `app` when imported.
"""

from __future__ import annotations

import sys

from sendconsult.cli import (  # noqa: F401 - imported for their commands
    analyse_cmd,
    diff_cmd,
    evaluate_cmd,
    explain_cmd,
    inspect_cmd,
    themes_cmd,
    train_cmd,
)
from sendconsult.cli.app import app


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - Ctrl-C outside a guarded command
        sys.stderr.write("Interrupted: nothing was written.\n")
        sys.exit(130)
