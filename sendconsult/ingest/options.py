"""What the officer can tell ingestion: flags from the command line and the project config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sendconsult.config import ProjectConfig


@dataclass(frozen=True)
class IngestOptions:
    """The officer's overrides; flags beat the config, which beats detection."""

    sheet: str | None = None
    id_column: str | None = None
    group_column: str | None = None
    text_columns: tuple[str, ...] = ()
    config: ProjectConfig | None = None  # already loaded; None when there is no config file
