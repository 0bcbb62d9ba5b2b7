"""Writing files so nothing is ever half-written, and every failure is one sentence.

Every file sendconsult writes (reports, CSV and YAML outputs, caches) goes through
`atomic_path`: the content is written to a temporary file beside the target, flushed to the disk
(fsync), and renamed over the target, so a reader sees the old file or the whole new one, even
after a crash or power cut. A temporary file left by a run that was killed is removed by a later
write in the same folder. A failure (read-only folder or drive, full disk, over-long name)
becomes a ReportError saying which file and what to do; its `fix` names the setting that puts the
file elsewhere ("output" or "cache"), for the interface to word.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import os
import re
import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from sendconsult.errors import ReportError

# Our temporary files: ".<target name>.<pid>-<8 hex>.tmp" (".draft.tmp" for a first draft).
_TEMPORARY = re.compile(r"^\..+\.(\d+)-[0-9a-f]{8}(?:\.draft)?\.tmp$")
STALE_AFTER_SECONDS = 60  # a temporary file this old whose process has gone is left over
STALE_UNKNOWN_AFTER_SECONDS = 86_400  # where processes cannot be asked about: a day old
# A cell starting with one of these is read as a formula by Excel and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@contextlib.contextmanager
def atomic_path(path: Path, *, private: bool = False, fix: str = "output") -> Iterator[Path]:
    """A temporary path to write the whole of `path` to; renamed into place when the block ends.

    `private` files (caches, which hold respondents' words) stay readable by their owner only;
    the others get the permissions of a file saved the usual way. `fix` names the setting that
    chooses another place ("output" or "cache"). Raises ReportError if it cannot be written.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise missing_folder(folder, fix)
    remove_stale_temporaries(folder)
    temporary = folder / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        yield temporary
        _flush_to_disk(temporary)
        if not private:
            _as_a_new_file(temporary)
        os.replace(temporary, path)
        _flush_folder(folder)
    except OSError as exc:
        raise ReportError(write_failure(path, exc), fix=fix) from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def draft_path(temporary: Path) -> Path:
    """A second temporary file beside `temporary` (for a file written in two steps); it is
    cleaned up like the first if the run is killed."""
    return temporary.with_name(temporary.name[: -len(".tmp")] + ".draft.tmp")


def write_text_atomic(
    path: Path, text: str, *, private: bool = True, fix: str = "output"
) -> None:
    """Write text to `path` atomically (readers see the old file or the whole new one)."""
    with atomic_path(path, private=private, fix=fix) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_csv_atomic(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], *, fix: str = "output"
) -> None:
    """Write a CSV (UTF-8 with BOM, so Excel reads it) atomically, every cell formula-safe."""
    with (
        atomic_path(path, fix=fix) as temporary,
        temporary.open("w", encoding="utf-8-sig", newline="") as handle,
    ):
        writer = csv.writer(handle)
        writer.writerow([csv_safe(h) for h in header])
        writer.writerows([csv_safe(c) for c in row] for row in rows)


def csv_safe(value: object) -> str:
    """A cell value that Excel and LibreOffice show as text, never run as a formula.

    A text starting with = + - @ (or a tab or carriage return before one) gets a leading
    apostrophe, as OWASP advises for CSV; numbers are written as they are."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def missing_folder(folder: Path, fix: str = "output") -> ReportError:
    """The error for a file to be written in a folder that does not exist."""
    return ReportError(
        f"The folder {folder} does not exist; create it or choose another folder.",
        fix=f"{fix}-folder",
        folder=str(folder),
    )


def write_failure(path: Path, exc: OSError) -> str:
    """One sentence for an officer: which file could not be written, and what to do (the
    interface adds how it chooses another place)."""
    code = exc.errno
    folder = path.parent if str(path.parent) else Path(".")
    if code in (errno.EACCES, errno.EPERM):
        return (
            f"{path} could not be written (permission denied); close it if it is open in Excel, "
            "or choose a folder you may write to."
        )
    if code == errno.EROFS:
        return (
            f"{path} could not be written because {folder} is on a read-only drive; choose "
            "another folder."
        )
    if code in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"{path} could not be written because the drive holding {folder} is full; free some "
            "space there or choose another folder."
        )
    if code == errno.ENAMETOOLONG:
        return f"{path.name} is too long a file name for the drive; choose a shorter name."
    return f"{path} could not be written ({exc.strerror or exc}); choose another folder."


def remove_stale_temporaries(folder: Path) -> None:
    """Remove our temporary files in `folder` that a killed run left behind: their process is
    gone and they have not changed for a minute. Anything else is left alone."""
    try:
        names = [entry for entry in os.scandir(folder) if entry.name.startswith(".")]
    except OSError:
        return
    now = time.time()
    for entry in names:
        match = _TEMPORARY.match(entry.name)
        if match is None:
            continue
        known = _running(int(match.group(1)))
        if known is True:
            continue
        wait = STALE_AFTER_SECONDS if known is False else STALE_UNKNOWN_AFTER_SECONDS
        with contextlib.suppress(OSError):
            if now - entry.stat().st_mtime > wait:
                os.unlink(entry.path)


def _running(pid: int) -> bool | None:
    """Whether process `pid` is running here; None where that cannot be asked safely (on
    Windows os.kill would end the process)."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or we cannot tell: keep its file
    return True


def _flush_to_disk(name: Path) -> None:
    """fsync the written file, so the rename never exposes a file whose bytes are not there."""
    descriptor = os.open(name, os.O_RDWR)  # Windows flushes only a handle open for writing
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _flush_folder(folder: Path) -> None:
    """fsync the folder, so the rename itself survives a power cut (where the system allows)."""
    with contextlib.suppress(OSError, AttributeError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _as_a_new_file(name: Path) -> None:
    """Give a file the permissions of one saved the usual way (temporary files are private to
    their owner), so colleagues who share the folder can open it."""
    umask = os.umask(0)
    os.umask(umask)
    with contextlib.suppress(OSError):
        os.chmod(name, 0o666 & ~umask)
