"""What reading set aside, kept between runs of the same export, so a re-run does not judge
every answer's language again.

Reading judges each distinct answer: a pointer to an attachment, a test, or an answer in another
language than the dictionary's (ingest/build.py `set_aside_answers`). That is most of the time
spent reading a large export, and it depends only on the text, on the rules and on the
settings (the dictionary's language, the attachment answers). So the verdicts are kept, keyed
by a hash of the text (the text itself is not stored), in one file per export in the cache
folder.

The file is tied to the source of the modules that decide (RULES_SOURCES), to py3langid's
version (its model) and to the settings, so a change to any of them makes it ignored and
rebuilt. A damaged file is ignored. Saving never stops a read: a failure only costs time.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from importlib.metadata import version
from pathlib import Path

import numpy as np

from sendconsult.errors import ReportError
from sendconsult.resources import source_digest
from sendconsult.writing import atomic_path

RULES_SOURCES = ("caches/set_aside.py", "ingest/attachments.py", "ingest/languages.py")
KEPT = ""  # the verdict of an answer that is not set aside
DIGEST_SIZE = 16  # caches.text_digest


class SetAsideCache:
    """The set-aside verdicts of one export under one set of rules and settings."""

    def __init__(self, folder: Path, export_name: str, settings: str) -> None:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", export_name)
        self.path = folder / f"{slug}.set-aside.npz"
        rules = f"{source_digest(RULES_SOURCES)}/py3langid-{version('py3langid')}/{settings}"
        self.rules = hashlib.blake2b(rules.encode("utf-8"), digest_size=16).hexdigest()

    def load(self) -> dict[bytes, str]:
        """Text digest -> verdict (KEPT, "attachment", "test" or a language code) of every
        answer judged in the latest run; empty if the file is missing, damaged or stale."""
        try:
            with np.load(self.path, allow_pickle=False) as data:
                if str(data["rules"]) != self.rules:
                    return {}
                raw = data["digests"]
                verdicts = data["verdicts"].tolist()
        except Exception:  # noqa: BLE001 - a damaged file fails in many ways; all mean judge again
            return {}
        if raw.dtype != np.uint8 or raw.ndim != 2 or raw.shape != (len(verdicts), DIGEST_SIZE):
            return {}
        joined = raw.tobytes()  # not tolist() of bytes: that drops a digest's trailing zeros
        digests = [joined[i : i + DIGEST_SIZE] for i in range(0, len(joined), DIGEST_SIZE)]
        return dict(zip(digests, verdicts, strict=True))

    def save(self, verdicts: dict[bytes, str]) -> None:
        """Keep this run's verdicts for the next run."""
        with contextlib.suppress(OSError, ReportError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with (
                atomic_path(self.path, private=True, fix="cache") as temporary,
                temporary.open("wb") as handle,
            ):
                np.savez(
                    handle,
                    rules=np.array(self.rules),
                    digests=np.frombuffer(b"".join(verdicts), dtype=np.uint8).reshape(
                        -1, DIGEST_SIZE
                    ),
                    verdicts=np.array(list(verdicts.values()), dtype=str),
                )
