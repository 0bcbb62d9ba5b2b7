"""Progress bars for long work, on stderr so results on stdout stay clean."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sendconsult.cli.common import err


def new_progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


@contextmanager
def parse_progress(
    total: int, description: str = "Reading answers"
) -> Iterator[Callable[[int], None]]:
    """A bar over parsing and matching; yields the function that advances it."""
    with new_progress() as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)
