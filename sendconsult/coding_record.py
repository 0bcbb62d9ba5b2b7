"""The record of one run's coding, as a report's Coding sheet holds it.

The Coding sheet is the machine-readable result of a run: `response_id`, `respondent_groups`,
one 0/1 column per theme id, `themes` (the codes as the run wrote them), `campaign`,
`matched_terms` (per theme, the dictionary terms whose matches counted) and `overrides` (the
officer's decisions applied in that run), and, when a trained classifier was used, `suggested`
(its scores for the themes it suggests; never codes). A record is read back from a report (to compare runs
or to take an officer's edits as overrides) or made from a run in memory. An officer may edit
the 0/1 cells; a cell that disagrees with the run's own `themes` column is such an edit.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sendconsult.coding import Coding
from sendconsult.errors import ReportError

CODING_SHEET = "Coding"
FIXED_BEFORE = ("response_id", "respondent_groups")
FIXED_AFTER = ("themes", "campaign", "matched_terms", "overrides")
SUGGESTED = "suggested"  # only in reports made with a trained classifier
TRUE = {"1", "1.0", "yes", "y", "true", "x"}
FALSE = {"0", "0.0", "no", "n", "false", ""}


@dataclass
class CodingRecord:
    """Codes per response and theme, with the terms behind them and the overrides applied.

    `codes`: index response_id, one int 0/1 column per theme id (as the cells say now).
    `recorded`: per response, the themes the run itself wrote (the `themes` column).
    `terms`: per response and theme, the terms whose matches counted.
    `overrides`: per response and theme, the value an officer set in that run.
    """

    theme_ids: list[str]
    codes: pd.DataFrame
    recorded: dict[str, set[str]] = field(default_factory=dict)
    terms: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    overrides: dict[str, dict[str, int]] = field(default_factory=dict)
    source: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # theme id -> label, where known

    def edits(self) -> list[tuple[str, str, int]]:
        """Cells an officer changed: (response_id, theme_id, value) where a cell disagrees with
        the themes the run recorded for that response."""
        changed: list[tuple[str, str, int]] = []
        for rid, row in zip(self.codes.index, self.codes.itertuples(index=False), strict=True):
            wrote = self.recorded.get(rid, set())
            for theme, value in zip(self.theme_ids, row, strict=True):
                if int(value) != int(theme in wrote):
                    changed.append((rid, theme, int(value)))
        return changed

    def count(self, theme_id: str) -> int:
        return int(self.codes[theme_id].sum()) if theme_id in self.codes else 0


def record_of(coding: Coding, overrides: dict[str, dict[str, int]] | None = None) -> CodingRecord:
    """The record of a run in memory (what its Coding sheet will say)."""
    theme_ids = list(coding.theme_ids)
    codes = coding.codes[theme_ids].astype(int)
    recorded = {
        rid: {t for t, v in zip(theme_ids, row, strict=True) if v}
        for rid, row in zip(codes.index, codes.itertuples(index=False), strict=True)
    }
    terms: dict[str, dict[str, list[str]]] = {}
    for theme in theme_ids:
        for rid, found in coding.evidence_by_response(theme).items():
            if theme in recorded.get(rid, ()):  # an officer may have removed the code
                terms.setdefault(rid, {})[theme] = list(dict.fromkeys(m.term for m in found))
    return CodingRecord(theme_ids, codes, recorded, terms, dict(overrides or {}), "this run")


def format_terms(terms: dict[str, list[str]]) -> str:
    """`theme: term | term; theme: term`, the Coding sheet's matched_terms cell."""
    return "; ".join(f"{theme}: {' | '.join(found)}" for theme, found in terms.items() if found)


def parse_terms(cell: str) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for part in (cell or "").split(";"):
        theme, _, found = part.partition(":")
        if theme.strip() and found.strip():
            result[theme.strip()] = [t.strip() for t in found.split("|") if t.strip()]
    return result


def format_overrides(values: dict[str, int]) -> str:
    """`theme=1; theme=0`, the Coding sheet's overrides cell."""
    return "; ".join(f"{theme}={value}" for theme, value in values.items())


def format_suggested(scores: dict[str, float]) -> str:
    """`theme=0.83; theme=0.61`, the Coding sheet's suggested cell (the classifier's scores)."""
    return "; ".join(f"{theme}={score:.2f}" for theme, score in scores.items())


def parse_overrides(cell: str) -> dict[str, int]:
    result: dict[str, int] = {}
    for part in (cell or "").split(";"):
        theme, _, value = part.partition("=")
        if theme.strip() and value.strip() in {"0", "1"}:
            result[theme.strip()] = int(value.strip())
    return result


def read_report(path: Path) -> CodingRecord:
    """The coding record in a report's Coding sheet (made by `sendconsult analyse`)."""
    if not path.exists():
        raise ReportError(f"The report {path} was not found; check the file name and folder.")
    workbook = _open_report(path)
    try:
        if CODING_SHEET not in workbook.sheetnames:
            raise ReportError(
                f"{path.name} has no Coding sheet, so it is not a sendconsult report (or is a "
                "report for publication, which leaves it out); give a report made for internal "
                "use.",
                fix="not-a-report",
                name=path.name,
            )
        rows = workbook[CODING_SHEET].iter_rows(values_only=True)
        header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
        record = _record(path, header, rows)
        if "Method" in workbook.sheetnames:
            record.labels = _labels(workbook["Method"])
        return record
    finally:
        workbook.close()


def _labels(sheet) -> dict[str, str]:  # noqa: ANN001 - an openpyxl read-only worksheet
    """Theme id -> label from the Method sheet's dictionary table (Theme ... Theme id); the id
    column is found by its heading, so reports with more or fewer term columns read alike."""
    labels: dict[str, str] = {}
    id_column: int | None = None
    for row in sheet.iter_rows(max_col=8, values_only=True):
        cells = list(row)
        if id_column is None:
            if cells and cells[0] == "Theme" and "Theme id" in cells:
                id_column = cells.index("Theme id")
            continue
        if id_column >= len(cells) or not cells[0] or not cells[id_column]:
            break
        labels[str(cells[id_column])] = str(cells[0]).rsplit(" > ", 1)[-1]
    return labels


def _record(path: Path, header: list[str], rows) -> CodingRecord:  # noqa: ANN001
    if header[:2] != list(FIXED_BEFORE) or "themes" not in header:
        raise ReportError(
            f"The Coding sheet of {path.name} does not start with response_id, "
            "respondent_groups and a themes column; give a report made by sendconsult analyse."
        )
    end = header.index("themes")
    theme_ids = header[2:end]
    column = {name: i for i, name in enumerate(header)}
    ids: list[str] = []
    values: list[list[int]] = []
    recorded: dict[str, set[str]] = {}
    terms: dict[str, dict[str, list[str]]] = {}
    overrides: dict[str, dict[str, int]] = {}
    for number, row in enumerate(rows, start=2):
        if not row or row[0] in (None, ""):
            continue
        rid = str(row[0]).strip()
        cells = []
        for theme, value in zip(theme_ids, row[2:end], strict=False):
            text = "" if value is None else str(value).strip().lower()
            if text not in TRUE | FALSE:
                raise ReportError(
                    f"{path.name}, Coding sheet row {number}, column {theme}: '{value}' is "
                    "not a code; use 1 or 0."
                )
            cells.append(1 if text in TRUE else 0)
        cells += [0] * (len(theme_ids) - len(cells))
        ids.append(rid)
        values.append(cells)
        recorded[rid] = {t.strip() for t in str(row[end] or "").split(",") if t.strip()}
        if "matched_terms" in column and column["matched_terms"] < len(row):
            terms[rid] = parse_terms(str(row[column["matched_terms"]] or ""))
        if "overrides" in column and column["overrides"] < len(row):
            found = parse_overrides(str(row[column["overrides"]] or ""))
            if found:
                overrides[rid] = found
    codes = pd.DataFrame(values, index=pd.Index(ids, name="response_id"), columns=theme_ids)
    duplicated = codes.index[codes.index.duplicated()]
    if len(duplicated):
        raise ReportError(
            f"The Coding sheet of {path.name} has response {duplicated[0]} more than once; keep "
            "one row per response."
        )
    return CodingRecord(theme_ids, codes, recorded, terms, overrides, path.name)


def export_named_in_report(path: Path) -> str | None:
    """The file name of the export a report was made from, as its Method sheet records it."""
    workbook = _open_report(path)
    try:
        if "Method" not in workbook.sheetnames:
            return None
        for row in workbook["Method"].iter_rows(max_col=2, values_only=True):
            if row and row[0] == "Export" and isinstance(row[1], str):
                return row[1].rsplit(" (", 1)[0].strip() or None
        return None
    finally:
        workbook.close()


def _open_report(path: Path):  # noqa: ANN202 - an openpyxl read-only Workbook
    """A report opened read-only, or a ReportError saying it is not a workbook."""
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise ReportError(
            f"{path.name} could not be opened as an Excel workbook ({type(exc).__name__}); give "
            "a report made by sendconsult analyse."
        ) from exc
