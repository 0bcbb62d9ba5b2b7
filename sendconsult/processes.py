"""Helper processes of a run: how they start and how they end with it.

A run parses on worker processes (nlp/workers.py); as it reads a large export, it judges half
the answers on a helper process (ingest/build.py), and once parsed, finds campaigns on another
(campaigns.py). Every such process ignores Ctrl-C, which the main process handles, and ends
when the main process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from sendconsult.errors import SendconsultError

T = TypeVar("T")
PARENT_CHECK_SECONDS = 1.0  # how often a helper process checks that the main process is there
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class ParallelError(SendconsultError):
    """A helper process stopped."""


def forks() -> bool:
    """Whether helper processes start as copies of this one (Linux), in milliseconds, rather
    than as new interpreters that import the libraries again (Windows, macOS)."""
    return multiprocessing.get_start_method() == "fork"


def start_helper() -> None:
    """What every helper process does first: leave Ctrl-C to the main process, and end with
    it (die_with_parent)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()


def run_apart(work: Callable[..., T], *args: object) -> tuple[ProcessPoolExecutor, Future[T]]:
    """work(*args) in a new helper process (where processes fork): the helper, to shut down
    when done, and the future of the result. The arguments are handed over as they are, as the
    helper's initializer arguments, which forking copies with the process, rather than through
    a pipe as a task's are (pickling 100,000 answers cost the main process 0.1 s)."""
    helper = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context(),
        initializer=_keep,
        initargs=(work, args),
    )
    return helper, helper.submit(_run_kept)


_kept: tuple[Callable[..., object], tuple[object, ...]] | None = None


def _keep(work: Callable[..., object], args: tuple[object, ...]) -> None:
    """In the helper process: start as every helper does, and keep the work to run."""
    global _kept
    start_helper()
    _kept = (work, args)


def _run_kept() -> object:
    assert _kept is not None
    work, args = _kept
    return work(*args)


def die_with_parent() -> None:
    """End this helper process when the main process ends, however it ends: a killed run must
    not leave processes (each holding a pipeline or answers) running for ever.

    On Linux the kernel is asked to kill it (PR_SET_PDEATHSIG); everywhere, a thread checks
    once a second whether the parent has gone (the process is then adopted by another one).
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(1)
