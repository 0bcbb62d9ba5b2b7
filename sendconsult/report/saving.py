"""Saving a workbook as a report: atomically, with bulk rows streamed in on the way."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from sendconsult.report.bulk_rows import BulkRows, inject
from sendconsult.writing import atomic_path, draft_path


def save_atomic(workbook: Workbook, path: Path, bulk: Sequence[BulkRows] = ()) -> None:
    """Save through a temporary file beside the target, then rename: never a half-written
    report (writing.atomic_path). `bulk` rows (bulk_rows.py) are streamed into their sheets on
    the way, from a first draft."""
    with atomic_path(path) as temporary:
        if not bulk:
            workbook.save(temporary)
            return
        draft = draft_path(temporary)
        try:
            workbook.save(draft)
            inject(draft, temporary, bulk)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(draft)
