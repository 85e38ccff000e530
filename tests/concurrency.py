"""Running calls at the same instant, for the race tests (PostgreSQL)."""

import threading

from django.db import connection


def race(calls):
    """Starts every call at once (a barrier) on its own thread and returns
    ``[("ok", value) | ("error", exception), ...]`` in the calls' order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except Exception as exc:  # noqa: BLE001 - the outcome is the assertion
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results
