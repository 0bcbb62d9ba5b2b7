"""Errors the core raises. Each message is one sentence for an officer: what is wrong and what to do.

Only the CLI turns these into printed messages and exit codes; the core never prints or exits.
"""

from __future__ import annotations


class SendconsultError(Exception):
    """Base of every error an officer can fix; the message says what is wrong and where.

    When a choice the officer makes would fix it (another output file, the config's path, a
    pipeline), `fix` names that choice and `details` hold what its advice needs, so an
    interface can say how in its own terms: the command line names its option
    (sendconsult/cli/advice.py). A core message never names a command-line option.
    """

    def __init__(self, message: str, *, fix: str | None = None, **details: str) -> None:
        super().__init__(message)
        self.fix = fix
        self.details = details


class Caveat(str):
    """A warning that an error caused, e.g. a cache that could not be saved: its text (a str
    wherever warnings are listed) is `prefix` and the error's message; the error is kept so an
    interface can add how to fix it."""

    prefix: str
    error: SendconsultError

    def __new__(cls, prefix: str, error: SendconsultError) -> Caveat:
        text = super().__new__(cls, prefix + str(error))
        text.prefix = prefix
        text.error = error
        return text

    def __reduce__(self) -> tuple[type[Caveat], tuple[str, SendconsultError]]:
        return (Caveat, (self.prefix, self.error))


class ExportError(SendconsultError):
    """The export file cannot be read or understood."""


class ColumnError(SendconsultError):
    """A column named by the officer (flag or config) does not exist or has the wrong content."""


class ConfigError(SendconsultError):
    """The project config file is invalid."""


class DictionaryError(SendconsultError):
    """The theme dictionary is invalid; the message names the file, line and term."""


class ModelError(SendconsultError):
    """A spaCy pipeline or trained classifier cannot be loaded."""


class ReportError(SendconsultError):
    """The report cannot be written (exists, locked, unreadable for comparison)."""


class GoldError(SendconsultError):
    """A hand-coded (gold) file cannot be used for evaluation."""
