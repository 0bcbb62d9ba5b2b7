"""Errors the core raises. Each message is one sentence for an officer: what is wrong and what to do.

Only the CLI turns these into printed messages and exit codes; the core never prints or exits.
"""

from __future__ import annotations


class SendconsultError(Exception):
    """Base of every error an officer can fix; the message says how."""


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
