"""Building large batches of values: the cyclic garbage collector paused meanwhile.

A batch job (matching 100,000 receipts, a 50,000-row aging report, a dunning
run over a million items) allocates millions of long-lived, acyclic values.
Every few hundred allocations the cyclic collector would start and re-scan
everything already built, which can double the time. Reference counting
still frees memory while it is paused; its previous state is restored.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (nesting is safe)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
