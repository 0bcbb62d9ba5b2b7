"""Redactions kept between runs of the same export, so a re-run does not look for names again.

A report quotes the same answers run after run: an officer who revises the dictionary moves a
few quotes, not most. Finding what to redact in them is a large part of writing a report
(names are looked for word by word), and it depends only on the text and on the redaction
rules. So the spans found are kept, keyed by a hash of the text (the text itself is not
stored), in one file per export and pipeline in the parse cache folder.

The file is tied to the redactor's fingerprint (privacy.py's own code, its names lists, spaCy's
word list and any NER pipeline) and to the source of this module and of the lemmas redaction
reads (RULES_SOURCES), so a change to any rule makes it ignored and rebuilt. A file with a span
that is out of order, empty or of a kind the redactor does not make is ignored; spans that do
not fit their text are refused. The cache asks of the redactor only what `Finder` lists, so it
needs nothing from privacy.py. The file holds the texts redacted in the latest run:
those a re-run quotes again are read back, the rest are found afresh. Saving happens after the
report is written and a failure only costs time, so it never stops a run.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from sendconsult.caches import text_digest
from sendconsult.errors import ReportError
from sendconsult.resources import source_digest
from sendconsult.writing import write_text_atomic

# Besides privacy.py (in the redactor's fingerprint): this file's layout, and the lemma lookup.
RULES_SOURCES = ("caches/redactions.py", "nlp/pipeline.py")

Span = tuple[int, int, str]  # start, end, kind, as stored


class Found(Protocol):
    """A span the redactor found."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def kind(self) -> str: ...


class Finder(Protocol):
    """What the cache asks of a redactor (privacy.Redactor)."""

    kinds: frozenset[str]  # the kinds of span it makes

    @property
    def pipeline(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    def remember(self, lookup: Callable[[str], list[Span] | None]) -> None: ...
    def found(self) -> Mapping[str, Sequence[Found]]: ...


class RedactionCache:
    """The redactions file of one export and redactor (see the module docstring)."""

    def __init__(self, folder: Path, export_name: str, redactor: Finder) -> None:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{export_name}.{redactor.pipeline}")
        self.path = folder / f"{slug}.redactions.json"
        self.redactor = redactor
        self.rules = f"{source_digest(RULES_SOURCES)}/{redactor.fingerprint}"

    def load(self) -> None:
        """Give the redactor what the file remembers (nothing if it is missing, damaged or made
        under other rules)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("rules") != self.rules:
                return
            known = {
                bytes.fromhex(digest): [(int(s), int(e), str(k)) for s, e, k in spans]
                for digest, spans in data["texts"].items()
            }
        except Exception:  # noqa: BLE001 - a damaged file fails in many ways; all mean search again
            return
        if all(_sound(spans, self.redactor.kinds) for spans in known.values()):
            self.redactor.remember(lambda text: _fitting(known.get(text_digest(text)), text))

    def save(self) -> None:
        """Keep the redactions of this run's texts for the next run."""
        texts = {
            text_digest(text).hex(): [[s.start, s.end, s.kind] for s in spans]
            for text, spans in self.redactor.found().items()
        }
        data = {"rules": self.rules, "texts": texts}
        with contextlib.suppress(OSError, ReportError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.path, json.dumps(data, separators=(",", ":")))


def _fitting(spans: list[Span] | None, text: str) -> list[Span] | None:
    """The spans, if they fit inside the text (None otherwise, so it is searched again)."""
    return None if spans is None or (spans and spans[-1][1] > len(text)) else spans


def _sound(spans: list[Span], kinds: frozenset[str]) -> bool:
    """Spans in order, not overlapping, of a known kind (lengths are checked on use)."""
    end = 0
    for start, stop, kind in spans:
        if kind not in kinds or start < end or stop <= start:
            return False
        end = stop
    return True
