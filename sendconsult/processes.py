"""Helper processes of a run: how they start and how they end with it.

A run parses on worker processes (nlp/workers.py) and finds campaigns on one beside the main
process (campaigns.py). Every such process ignores Ctrl-C, which the main process handles, and
ends when the main process ends, however it ends.
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
from concurrent.futures import ProcessPoolExecutor

from sendconsult.errors import SendconsultError

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


def helper_process(
    initializer: Callable[..., None] = start_helper, initargs: tuple[object, ...] = ()
) -> ProcessPoolExecutor:
    """One helper process for work that can run beside the main process. Its `initializer`
    (which calls start_helper) is given `initargs` as they are where processes fork, without
    copying them through a pipe as a task's arguments are."""
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context(),
        initializer=initializer,
        initargs=initargs,
    )


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
