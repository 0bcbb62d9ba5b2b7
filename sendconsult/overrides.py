"""Officer overrides: codes an officer corrected by hand, applied on top of every later run.

An officer reviews a report and corrects codes, either in the report's Coding sheet (setting a
theme cell to 1 or 0) or in a CSV of `response_id, theme, value[, note]`. `--overrides FILE`
applies them to the dictionary's result before anything is counted, so every figure reflects
them, and they survive re-runs with a revised dictionary. The report marks overridden cells
and lists every override on the Method sheet.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

from sendconsult.coding import Coding
from sendconsult.coding_record import FALSE, TRUE, read_report
from sendconsult.errors import ReportError


@dataclass(frozen=True)
class Override:
    """One officer decision: this response does (1) or does not (0) raise this theme."""

    response_id: str
    theme_id: str
    value: int
    note: str = ""


@dataclass(frozen=True)
class AppliedOverride:
    """An override as applied: what the dictionary said, and what the officer said."""

    override: Override
    dictionary_value: int

    @property
    def changed(self) -> bool:
        return self.dictionary_value != self.override.value


@dataclass
class OverrideResult:
    """The coding with overrides applied, what was applied, and what could not be."""

    coding: Coding
    applied: list[AppliedOverride] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source: str = ""

    def by_response(self) -> dict[str, dict[str, int]]:
        values: dict[str, dict[str, int]] = {}
        for a in self.applied:
            values.setdefault(a.override.response_id, {})[a.override.theme_id] = a.override.value
        return values


def load_overrides(path: Path) -> list[Override]:
    """Overrides from a CSV (response_id, theme, value, note) or a reviewed report (.xlsx)."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _from_report(path)
    if not path.exists():
        raise ReportError(f"The overrides file {path} was not found; check the path given.")
    return _from_csv(path)


def _from_report(path: Path) -> list[Override]:
    record = read_report(path)
    found: dict[tuple[str, str], Override] = {}
    for rid, values in record.overrides.items():
        for theme, value in values.items():
            found[(rid, theme)] = Override(rid, theme, value, f"carried over in {path.name}")
    for rid, theme, value in record.edits():
        found[(rid, theme)] = Override(rid, theme, value, f"edited in {path.name}")
    return list(found.values())


def _from_csv(path: Path) -> list[Override]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise ReportError(f"{path.name} is not a text file; save it as CSV UTF-8 and try again.")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ReportError(f"{path.name} is empty; give response_id, theme, value and note columns.")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in ("response_id", "theme", "value") if c not in header]
    if missing:
        raise ReportError(
            f"{path.name} has no {', '.join(missing)} column; the first row must name "
            "response_id, theme, value (1 or 0) and optionally note."
        )
    at = {name: header.index(name) for name in ("response_id", "theme", "value")}
    note_at = header.index("note") if "note" in header else None
    found: dict[tuple[str, str], Override] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (len(header) - len(row))
        rid, theme = cells[at["response_id"]].strip(), cells[at["theme"]].strip()
        value = cells[at["value"]].strip().lower()
        if not rid or not theme or value not in (TRUE | FALSE) - {""}:
            raise ReportError(
                f"{path.name} row {number}: give a response_id, a theme id and a value of 1 or 0."
            )
        note = cells[note_at].strip() if note_at is not None else ""
        found[(rid, theme)] = Override(rid, theme, 1 if value in TRUE else 0, note)
    return list(found.values())


def apply_overrides(coding: Coding, overrides: list[Override], source: str = "") -> OverrideResult:
    """The coding with the overrides applied; overrides naming an unknown response or theme
    are left out with a warning (the export or dictionary may have changed since)."""
    codes = coding.codes.copy()
    applied: list[AppliedOverride] = []
    unknown_ids: list[str] = []
    unknown_themes: list[str] = []
    for o in overrides:
        if o.theme_id not in codes.columns:
            unknown_themes.append(o.theme_id)
            continue
        if o.response_id not in codes.index:
            unknown_ids.append(o.response_id)
            continue
        applied.append(AppliedOverride(o, int(codes.at[o.response_id, o.theme_id])))
        codes.at[o.response_id, o.theme_id] = o.value
    warnings: list[str] = []
    name = f" in {source}" if source else ""
    if unknown_ids:
        ids = sorted(set(unknown_ids))
        warnings.append(
            f"{len(unknown_ids)} override{'s' if len(unknown_ids) != 1 else ''}{name} name "
            f"responses that are not in this export ({', '.join(ids[:3])}"
            f"{' and more' if len(ids) > 3 else ''}); they were left out."
        )
    if unknown_themes:
        themes = sorted(set(unknown_themes))
        warnings.append(
            f"{len(unknown_themes)} override{'s' if len(unknown_themes) != 1 else ''}{name} "
            f"name themes that are not in the dictionary ({', '.join(themes)}); they were "
            "left out."
        )
    overridden = {(a.override.response_id, a.override.theme_id) for a in applied}
    return OverrideResult(
        replace(coding, codes=codes, overridden=overridden), applied, warnings, source
    )
