"""How to fix a core error with this command line's options.

The core says what is wrong and where, and names the choice that would fix it (an error's or a
dictionary issue's `fix`); only here is that choice worded as an option. `{message}` is the
core's message without its full stop; other fields are the error's `details`.
"""

from __future__ import annotations

from sendconsult.errors import Caveat, SendconsultError

ELSEWHERE_OUT = "--out"
ELSEWHERE_CACHE = "--cache-dir (or --no-cache)"
BUILT_IN_MODEL = "leave out --model to use the built-in English pipeline"

ADVICE: dict[str, str] = {
    # a file that could not be written: where else to write it
    "output": f"{{message}} with {ELSEWHERE_OUT}.",
    "cache": f"{{message}} with {ELSEWHERE_CACHE}.",
    "output-folder": f"The folder {{folder}} does not exist; create it or choose another {ELSEWHERE_OUT}.",
    "cache-folder": f"The folder {{folder}} does not exist; create it or choose another {ELSEWHERE_CACHE}.",
    # analyse's report
    "output-name": "{message}; choose another --out.",
    "report-is-export": "--out {name} is the export itself; choose another name for the report.",
    "report-exists": "{path} already exists; add --force to replace it, or choose another name with --out.",
    "publish-internal": (
        "--publish makes a report for publication, which cannot hold the internal sheet of "
        "--internal; leave out one of them."
    ),
    "publish-redact": (
        "--publish needs quotes redacted; leave out --no-redact (or set redact = true in the "
        "project config)."
    ),
    "publish-suppress": (
        "--publish needs small numbers suppressed; use --suppress 5 or more (or set "
        "suppression_threshold in the project config)."
    ),
    "not-a-report": (
        "{name} has no Coding sheet, so it is not a sendconsult report (or was made with "
        "--publish, which leaves it out); give a report made by sendconsult analyse without "
        "--publish."
    ),
    # files named by an option
    "config-path": "{message} given to --config.",
    "gold-path": "{message} given to --gold.",
    "themes-path": "{message} given to --themes.",
    "import-dictionary": (
        "{name} is not a theme dictionary sendconsult reads directly (YAML, CSV or XLSX); "
        "convert it with: sendconsult themes import {name} --out themes.yaml"
    ),
    # reading the export
    "no-sheet": "{message}; leave out --sheet.",
    "text-column": "{message}; name one with --text-column.",
    # a trained classifier
    "classifier-missing": (
        "{message}; give the folder sendconsult train wrote (--out), e.g. "
        "models/send_strategy_classifier."
    ),
    "classifier-file": "{message}; give that folder to --classifier.",
    "model-exists": "{message}; add --force to replace it, or choose another --out.",
    "model-is-file": "{message}; choose a folder name for --out.",
    "model-foreign": "{message}; choose another --out so nothing in it is lost.",
    # parsing
    "model-or-default": f"{{message}}, or {BUILT_IN_MODEL}.",
    "model-install": f"{{message}} or {BUILT_IN_MODEL}.",
    "model-version": "{message} or leave out --model.",
    "jobs": "{message}; run again with --jobs 1 to parse in one process.",
    # dictionary issues (themes check)
    "kwic-short": "{message} (use 'themes check DICT EXPORT --kwic').",
    "kwic": "{message}, and check with --kwic.",
}


def with_advice(message: str, fix: str | None, details: dict[str, str] | None = None) -> str:
    """The core's message with how to fix it in this command line's terms, if it has a fix."""
    template = ADVICE.get(fix) if fix is not None else None
    if template is None:
        return message
    return template.format(message=message.removesuffix("."), **(details or {}))


def error_text(exc: SendconsultError) -> str:
    """What the officer reads for a core error."""
    return with_advice(str(exc), exc.fix, exc.details)


def warning_text(warning: str) -> str:
    """What the officer reads for a warning; one an error caused gets that error's advice."""
    if isinstance(warning, Caveat):
        return warning.prefix + error_text(warning.error)
    return warning
