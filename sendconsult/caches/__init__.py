"""What a run keeps between runs of the same export, so a re-run redoes only what changed.

All of it lives in one folder beside the export (or --cache-dir), one file per export and
pipeline, each keyed by a hash of the texts it was made from (text_digest) and of the code that
made it, and written whole through sendconsult.writing. set_aside: which answers reading set
aside (attachment pointers, tests, other languages); parse: what parsing found in each text
(the coding step's candidates); redactions: the spans of personal data found in quoted answers;
campaigns: the form letters found among the answers. A cache stores what a step found and gets
back only plain data or what the step passes in, so it never imports the step (privacy,
campaigns) it serves.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

CACHE_FOLDER = ".sendconsult-cache"


def text_digest(text: str) -> bytes:
    """The key of one text in a cache file: its hash, so the text itself is never stored."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def default_cache_dir(export: Path) -> Path:
    """The cache folder beside an export."""
    return export.parent / CACHE_FOLDER
