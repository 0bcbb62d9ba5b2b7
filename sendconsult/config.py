"""The project config file: settings an officer keeps beside the export.

`sendconsult.toml` (or `sendconsult.yaml` / `.yml`) beside the export is used automatically;
`--config FILE` names another. Command-line flags override the file, which overrides detection.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sendconsult.errors import ConfigError

CONFIG_NAMES = ("sendconsult.toml", "sendconsult.yaml", "sendconsult.yml")
TOP_KEYS = {
    "consultation_name", "columns", "group_options", "non_answers", "suppression_threshold",
    "redact", "themes",
}  # fmt: skip
COLUMN_KEYS = {"id", "group", "text", "closed", "ignore", "consent"}


@dataclass(frozen=True)
class ColumnSettings:
    id: str | None = None
    group: str | None = None
    text: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    consent: str | None = None


@dataclass(frozen=True)
class ProjectConfig:
    """Validated settings from a config file; every field is optional."""

    path: Path | None = None
    consultation_name: str | None = None
    columns: ColumnSettings = field(default_factory=ColumnSettings)
    group_options: tuple[str, ...] = ()
    non_answers: tuple[str, ...] | None = None
    suppression_threshold: int | None = None
    redact: bool | None = None
    themes: Path | None = None


def find_config(export: Path, explicit: Path | None = None) -> Path | None:
    """--config if given (it must exist), else a config file beside the export, else None."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(
                f"Config file {explicit} was not found; check the path given to --config."
            )
        return explicit
    for name in CONFIG_NAMES:
        candidate = export.parent / name
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path) -> ProjectConfig:
    """Read and validate a config file; errors name the file and the key."""
    raw = _parse(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path.name}: the file must hold settings as 'key = value' lines.")
    _unknown(path, raw, TOP_KEYS, "")
    columns_raw = raw.get("columns", {})
    if not isinstance(columns_raw, dict):
        raise ConfigError(f"{path.name}: [columns] must be a table of column settings.")
    _unknown(path, columns_raw, COLUMN_KEYS, "[columns] ")
    columns = ColumnSettings(
        id=_opt_str(path, columns_raw, "id", "[columns] "),
        group=_opt_str(path, columns_raw, "group", "[columns] "),
        text=_str_list(path, columns_raw, "text", "[columns] "),
        closed=_str_list(path, columns_raw, "closed", "[columns] "),
        ignore=_str_list(path, columns_raw, "ignore", "[columns] "),
        consent=_opt_str(path, columns_raw, "consent", "[columns] "),
    )
    threshold = raw.get("suppression_threshold")
    if threshold is not None and (
        not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 0
    ):
        raise ConfigError(f"{path.name}: suppression_threshold must be a whole number, 0 or more.")
    redact = raw.get("redact")
    if redact is not None and not isinstance(redact, bool):
        raise ConfigError(f"{path.name}: redact must be true or false.")
    themes = _opt_str(path, raw, "themes", "")
    non_answers = _str_list(path, raw, "non_answers", "") if "non_answers" in raw else None
    return ProjectConfig(
        path=path,
        consultation_name=_opt_str(path, raw, "consultation_name", ""),
        columns=columns,
        group_options=_str_list(path, raw, "group_options", ""),
        non_answers=non_answers,
        suppression_threshold=threshold,
        redact=redact,
        themes=(path.parent / themes) if themes else None,
    )


def _parse(path: Path) -> Any:
    text = path.read_text(encoding="utf-8-sig")
    try:
        if path.suffix.lower() == ".toml":
            return tomllib.loads(text)
        return yaml.safe_load(text) or {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: {exc}; fix the line and try again.") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(
            f"{path.name}{where}: not valid YAML ({getattr(exc, 'problem', exc)})."
        ) from exc


def _unknown(path: Path, raw: dict[str, Any], allowed: set[str], prefix: str) -> None:
    for key in raw:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = (
                f"; did you mean '{close[0]}'?"
                if close
                else f"; known keys are {', '.join(sorted(allowed))}."
            )
            raise ConfigError(f"{path.name}: {prefix}unknown setting '{key}'{hint}")


def _opt_str(path: Path, raw: dict[str, Any], key: str, prefix: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{path.name}: {prefix}{key} must be text (a column name or value in quotes)."
        )
    return value.strip()


def _str_list(path: Path, raw: dict[str, Any], key: str, prefix: str) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            f'{path.name}: {prefix}{key} must be a list of names in quotes, e.g. ["A", "B"].'
        )
    return tuple(v.strip() for v in value if v.strip())
