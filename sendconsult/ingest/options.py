"""What the officer can tell ingestion: flags from the command line and the project config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from sendconsult.config import ProjectConfig


@dataclass(frozen=True)
class IngestOptions:
    """The officer's overrides; flags beat the config, which beats detection."""

    sheet: str | None = None
    id_column: str | None = None
    group_column: str | None = None
    text_columns: tuple[str, ...] = ()
    personal_columns: tuple[str, ...] = ()  # --personal-column: never analysed or shown
    not_personal_columns: tuple[str, ...] = ()  # --not-personal-column: detected as if not
    include_other_languages: bool | None = None  # None: the config's setting, else False
    config: ProjectConfig | None = None  # already loaded; None when there is no config file
    cache_dir: Path | None = None  # where to keep what reading decided, for the next run
