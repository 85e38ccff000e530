"""The web process's garbage collector, set for a server that keeps a large
heap of long-lived objects and makes short-lived ones per request.

Measured under bench/api.py's load at 64 connections (issue #16,
docs/operations.md), with CPython's defaults:

- about 700 young collections per 10 s, 0.25 ms of every journal request,
  because a request's live objects (its rows, its response) kept the count
  of new objects above 700 many times a request;
- full collections of the whole heap (about 190,000 objects, modules and
  classes, almost none of them ever garbage) at 70-150 ms each.

``settle`` is run once the application is built (``backend.asgi``):

- ``gc.freeze()`` moves what start-up made into the permanent generation,
  which no collection walks again; a full collection then walks only what
  was made since (a few tens of thousands of objects: 15-20 ms, not 80);
- a young generation of 10,000 objects, not 700: requests' objects are
  freed by reference counting (``backend.handler`` breaks their cycles),
  so the count rarely gets there: about ten young collections per 10 s.

Collections still run, and cyclic garbage is still collected; only less
often, and over less.

Only in a process that serves: ``STEADY_GC_SETTLE=0`` turns it off, as
the test suite does (``tests/conftest.py``): importing ``backend.asgi``
while it collects its tests would otherwise freeze the pytest process's
own objects.
"""

import gc
import os

YOUNG_THRESHOLD = 10_000


def wanted() -> bool:
    return os.environ.get("STEADY_GC_SETTLE", "1").lower() not in ("0", "false", "no", "off")


def settle() -> None:
    if not wanted():
        return
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
