"""The project config file: settings an officer keeps beside the export.

`sendconsult.toml` (or `sendconsult.yaml` / `.yml`) beside the export is used automatically;
`--config FILE` names another. Command-line flags override the file, which overrides detection.
Every mistake is reported with the file and the key ("sendconsult.toml: [columns] text must be a
list of column names"), because a silently ignored setting is worse than an error.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sendconsult.errors import ConfigError
from sendconsult.limits import DEFAULT_LIMITS, Limits

CONFIG_NAMES = ("sendconsult.toml", "sendconsult.yaml", "sendconsult.yml")
DEFAULT_SUPPRESSION_THRESHOLD = 5
TOP_KEYS = (
    "consultation_name", "columns", "group_options", "non_answers", "suppression_threshold",
    "redact", "themes", "attachment_answers", "language", "include_other_languages", "limits",
)  # fmt: skip
COLUMN_KEYS = ("id", "group", "text", "closed", "ignore", "consent", "personal", "not_personal")


@dataclass(frozen=True)
class ColumnSettings:
    """The `[columns]` table: export columns the officer names instead of detection."""

    id: str | None = None
    group: str | None = None
    text: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    consent: str | None = None
    personal: tuple[str, ...] = ()  # never analysed or shown, whatever detection says
    not_personal: tuple[str, ...] = ()  # detected as if their header named no personal detail


@dataclass(frozen=True)
class ProjectConfig:
    """Validated settings from a config file; anything left out has its default."""

    path: Path | None = None
    consultation_name: str | None = None
    columns: ColumnSettings = field(default_factory=ColumnSettings)
    group_options: tuple[str, ...] = ()
    non_answers: tuple[str, ...] | None = None  # None: the built-in list; a tuple replaces it
    suppression_threshold: int = DEFAULT_SUPPRESSION_THRESHOLD
    redact: bool = True
    themes: Path | None = None  # resolved against the config file's folder
    # Answers that only point to an attachment or are tests; None: the built-in list.
    attachment_answers: tuple[str, ...] | None = None
    language: str = "en"  # the dictionary's language (ISO 639-1 code)
    include_other_languages: bool = False  # count answers in other languages in denominators
    limits: Limits = DEFAULT_LIMITS  # the largest export read (limits.py)


def find_config(export: Path, explicit: Path | None = None) -> Path | None:
    """The config file given (it must exist), else one beside the export, else None."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"Config file {explicit} was not found; check the path.", fix="config-path")
        return explicit
    for name in CONFIG_NAMES:
        candidate = export.parent / name
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path) -> ProjectConfig:
    """Read and validate a config file; every error names the file and the key."""
    raw = _parse(path)
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{path.name}: the file must hold settings as 'key = value' lines (TOML) or "
            "'key: value' lines (YAML)."
        )
    check = _Checker(path.name)
    check.known_keys(raw, TOP_KEYS, "")
    themes = check.text(raw, "themes", "")
    return ProjectConfig(
        path=path,
        consultation_name=check.text(raw, "consultation_name", ""),
        columns=_columns(check, raw.get("columns")),
        group_options=check.names(raw, "group_options", "", "option labels"),
        non_answers=check.names(raw, "non_answers", "", "answers")
        if "non_answers" in raw
        else None,
        suppression_threshold=check.threshold(raw),
        redact=check.flag(raw, "redact", default=True),
        themes=(path.parent / themes) if themes else None,
        attachment_answers=check.names(raw, "attachment_answers", "", "answers")
        if "attachment_answers" in raw
        else None,
        language=check.language(raw),
        include_other_languages=check.flag(raw, "include_other_languages", default=False),
        limits=_limits(check, raw.get("limits")),
    )


def _limits(check: _Checker, raw: Any) -> Limits:
    if raw is None:
        return DEFAULT_LIMITS
    names = Limits.names()
    if not isinstance(raw, dict):
        raise ConfigError(f"{check.file}: [limits] must be a table of limits ({', '.join(names)}).")
    check.known_keys(raw, names, "[limits] ")
    values = {}
    for key, value in raw.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(
                f"{check.file}: [limits] {key} must be a whole number, 1 or more (default "
                f"{getattr(DEFAULT_LIMITS, key):,})."
            )
        values[key] = value
    return Limits(**values)


def _columns(check: _Checker, raw: Any) -> ColumnSettings:
    if raw is None:
        return ColumnSettings()
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{check.file}: [columns] must be a table of column settings (id, group, text, "
            "closed, ignore, consent, personal, not_personal)."
        )
    check.known_keys(raw, COLUMN_KEYS, "[columns] ")
    prefix = "[columns] "
    return ColumnSettings(
        id=check.text(raw, "id", prefix),
        group=check.text(raw, "group", prefix),
        text=check.names(raw, "text", prefix, "column names"),
        closed=check.names(raw, "closed", prefix, "column names"),
        ignore=check.names(raw, "ignore", prefix, "column names"),
        consent=check.text(raw, "consent", prefix),
        personal=check.names(raw, "personal", prefix, "column names"),
        not_personal=check.names(raw, "not_personal", prefix, "column names"),
    )


def _parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path.name} is not saved as UTF-8 text; save it again as UTF-8 (in Notepad: "
            "Save As, Encoding UTF-8)."
        ) from exc
    except OSError as exc:
        raise ConfigError(
            f"Config file {path} could not be read ({exc.strerror or exc}); check the path."
        ) from exc
    try:
        if path.suffix.lower() == ".toml":
            return tomllib.loads(text)
        return yaml.safe_load(text) or {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: not valid TOML ({exc}); fix that line.") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise ConfigError(
            f"{path.name}{where}: not valid YAML ({problem}); fix that line."
        ) from exc


@dataclass(frozen=True)
class _Checker:
    """Type checks that name the file and key path in their one-sentence errors."""

    file: str

    def known_keys(self, raw: dict[Any, Any], allowed: tuple[str, ...], prefix: str) -> None:
        for key in raw:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else f"known settings are {', '.join(allowed)}."
            )
            raise ConfigError(f"{self.file}: {prefix}unknown setting '{key}'; {hint}")

    def text(self, raw: dict[str, Any], key: str, prefix: str) -> str | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f'{self.file}: {prefix}{key} must be text in quotes, e.g. "Comments".'
            )
        return value.strip()

    def names(self, raw: dict[str, Any], key: str, prefix: str, what: str) -> tuple[str, ...]:
        value = raw.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(
                f'{self.file}: {prefix}{key} must be a list of {what}, e.g. ["First", "Second"].'
            )
        return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))

    def threshold(self, raw: dict[str, Any]) -> int:
        value = raw.get("suppression_threshold", DEFAULT_SUPPRESSION_THRESHOLD)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(
                f"{self.file}: suppression_threshold must be a whole number, 0 or more "
                f"(default {DEFAULT_SUPPRESSION_THRESHOLD})."
            )
        return value

    def language(self, raw: dict[str, Any]) -> str:
        value = raw.get("language", "en")
        if not isinstance(value, str) or not value.isalpha() or len(value) not in (2, 3):
            raise ConfigError(
                f'{self.file}: language must be a two-letter language code, e.g. "en" or "cy".'
            )
        return value.lower()

    def flag(self, raw: dict[str, Any], key: str, *, default: bool) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise ConfigError(f"{self.file}: {key} must be true or false.")
        return value
