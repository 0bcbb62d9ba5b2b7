"""Pausing Python's cycle collector while a run builds its large, long-lived tables.

A run at national scale makes millions of small objects that all live to its end (the
answers, their matches, the report's rows). Python's cycle collector walks every tracked
object again each time enough new ones are made, which cost about 40% of turning parsed
answers into matches at 100,000 responses, and finds nothing: parsing and coding make no
reference cycles (checked with gc.collect() after coding a 10,000-response export). Memory is
still freed as usual by reference counting; the collector runs again when the run ends.

When it does, the objects made meanwhile are first moved to its oldest generation
(gc.freeze() then gc.unfreeze(), which only relink lists). Otherwise they would all still be
in the youngest, and the first collection after the pause would walk every one of them: about
half a second at the end of a 100,000-response run, for nothing. The oldest generation is
still collected in full from time to time, as Python always does.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Run the block without the cycle collector; it is switched back on as it was found."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()  # every tracked object to the permanent generation...
            gc.unfreeze()  # ...and from there to the oldest one (see module docstring)
            gc.enable()
