"""How large an export sendconsult reads before refusing it, with a sentence saying why.

Exports come from outside, and a damaged or hostile file can be far larger inside than on disk
(an .xlsx is a zip: a few kilobytes can unpack to gigabytes). Each limit can be raised in the
project config's `[limits]` table when a real export needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    """The largest export read; the defaults suit any real consultation."""

    max_columns: int = 2_000  # columns holding any answer; each closed question costs time
    max_rows: int = 1_048_576  # responses, as many as an Excel sheet holds
    max_cell_characters: int = 20_000_000  # in one cell (Excel itself stops at 32,767)
    max_xlsx_megabytes: int = 1_000  # an .xlsx unpacked, all its parts together
    max_compression_ratio: int = 200  # unpacked size / packed size of a large .xlsx part

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


DEFAULT_LIMITS = Limits()
# Parts smaller than this unpacked are never refused for their compression ratio: a small part
# of repeated markup can compress very well without being a risk.
RATIO_CHECK_FROM_BYTES = 10_000_000
