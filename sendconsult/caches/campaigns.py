"""The campaign cache: the campaigns found in an export's answers, kept for the next run.

Finding campaigns depends only on the long answers, the settings and the code that finds them,
so its result is kept in the cache folder in a file named by a hash of all of those (the code as
the caller lists it, with this module, which decides the file's layout) and read back while
none has changed. The file quotes each campaign's letter, so only its owner may read it; the
latest KEEP_CACHED results are kept. A damaged file is ignored and a failure to write only
costs time. What a campaign is stays with campaign detection: this module stores plain records
and turns them back into campaigns with the function it is given.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from sendconsult.errors import ReportError
from sendconsult.resources import source_digest
from sendconsult.writing import write_text_atomic

KEEP_CACHED = 8
LAYOUT_SOURCE = "caches/campaigns.py"
T = TypeVar("T")


def cache_file(folder: Path, sources: Sequence[str], settings: str, answers: str) -> Path:
    """The file for these answers (as one string), settings and detection code."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{source_digest((*sources, LAYOUT_SOURCE))}/{settings}".encode())
    digest.update(answers.encode("utf-8", "surrogatepass"))
    return folder / f"campaigns-{digest.hexdigest()}.json"


def read(path: Path, campaign: Callable[[Mapping[str, Any]], T]) -> list[T] | None:
    """The campaigns kept in `path`, each made by `campaign` from its record; None if there are
    none or the file cannot be read (they are then found again)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [campaign(record) for record in data["campaigns"]]
    except Exception:  # noqa: BLE001 - a damaged file fails in many ways; all mean redo
        return None


def write(path: Path, records: Iterable[Mapping[str, Any]]) -> None:
    """Keep the campaigns' records for re-runs: written whole and renamed, private to the
    owner; older results beyond KEEP_CACHED are removed."""
    data = {"campaigns": list(records)}
    with contextlib.suppress(OSError, ReportError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(data), fix="cache")  # readable by its owner only
        older = sorted(path.parent.glob("campaigns-*.json"), key=lambda p: p.stat().st_mtime)
        for stale in older[:-KEEP_CACHED]:  # results of exports analysed long ago
            stale.unlink(missing_ok=True)
