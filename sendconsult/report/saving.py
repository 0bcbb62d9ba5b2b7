"""Saving a workbook as a report: atomically, with bulk rows streamed in on the way."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from sendconsult.errors import ReportError
from sendconsult.report.bulk_rows import BulkRows, inject


def save_atomic(workbook: Workbook, path: Path, bulk: Sequence[BulkRows] = ()) -> None:
    """Save to a temporary file beside the target, then rename: never a half-written report.

    `bulk` rows (bulk_rows.py) are streamed into their sheets on the way.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ReportError(f"The folder {folder} does not exist; create it or choose another --out.")
    temporary = [_temporary_file(folder, path.stem) for _ in range(2 if bulk else 1)]
    try:
        workbook.save(temporary[0])
        if bulk:
            inject(temporary[0], temporary[1], bulk)
        _as_a_new_file(temporary[-1])
        os.replace(temporary[-1], path)
    except PermissionError as exc:
        raise ReportError(
            f"{path.name} is open in another program (Excel?) or the folder is read-only; close "
            "it and run again, or choose another name with --out."
        ) from exc
    finally:
        for name in temporary:
            with contextlib.suppress(OSError):
                os.unlink(name)


def _as_a_new_file(name: str) -> None:
    """Give the report the permissions of a file saved the usual way (temporary files are
    private to their owner), so colleagues who share the folder can open it."""
    umask = os.umask(0)
    os.umask(umask)
    with contextlib.suppress(OSError):
        os.chmod(name, 0o666 & ~umask)


def _temporary_file(folder: Path, stem: str) -> str:
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed at once, renamed or removed
        dir=folder, prefix=f".{stem}.", suffix=".xlsx.tmp", delete=False
    )
    handle.close()
    return handle.name
