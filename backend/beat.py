"""Beat's scheduler when Steady runs on Redis: celery-redbeat, with its lock
made strict, so that however many beats are started exactly one sends.

celery-redbeat keeps the schedule in Redis and lets one beat hold a lock
(a Redis key with a token and an expiry); the others wait. As shipped it
leaves three gaps, closed here:

- **A lost lock crashed beat, or was never noticed mid-tick.** A beat
  paused longer than the lock's expiry (a stopped container, a long GC, a
  partition) finds another beat holding it when it wakes. Here it checks
  ownership before each task it sends (`maybe_due`), and on losing the
  lock it stands by and waits for it again, never sending a task it does
  not hold the lock for.
- **Redis restarted empty** took the lock and the whole schedule with it:
  the running beat crashed on its next extend, and a beat that stayed up
  would have found no entries and sent nothing, for ever. Here a beat that
  (re)gains the lock writes the schedule again (`setup_schedule`).
- **Redis unreachable** raised out of `tick` and ended beat. Here a tick
  without Redis sends nothing, logs, and retries a second later (the
  dispatcher's own recovery covers the gap: docs/reminders.md).

The lock's expiry is `STEADY_BEAT_LOCK_SECONDS` (default 30): how long a
beat that died without releasing it (SIGKILL, a lost machine) holds up the
next one. The holder extends it at least every quarter of that.
tests/test_beat.py starts two beats, stops one mid-run and kills another.
"""

from __future__ import annotations

import logging

from redbeat.schedulers import LUA_EXTEND_TO_SCRIPT, RedBeatScheduler, get_redis
from redis.exceptions import LockError, RedisError

logger = logging.getLogger("celery.beat")


class LockLost(Exception):
    """Another beat holds the lock now."""


class Scheduler(RedBeatScheduler):
    def _new_lock(self):
        client = get_redis(self.app)
        lock = client.lock(self.lock_key, timeout=self.lock_timeout, sleep=self.max_interval)
        # redbeat's extend-to script: extending sets the expiry, never adds to it.
        lock.lua_extend = client.register_script(LUA_EXTEND_TO_SCRIPT)
        return lock

    def _hold_lock(self) -> bool:
        """True if this beat holds the lock (extended for another
        ``lock_timeout``); otherwise tries once to take it."""
        if self.lock is None:  # taking it at start-up failed (Redis down)
            self.lock = self._new_lock()
        if self.lock.local.token is not None:
            try:
                self.lock.extend(int(self.lock_timeout))
                return True
            except LockError:
                logger.warning("beat: lost the lock (another beat holds it, or Redis restarted); standing by")
                self.lock.local.token = None
        if self.lock.acquire(blocking=False):
            logger.info("beat: Acquired lock")
            # Redis may have restarted empty: write the schedule again.
            self.setup_schedule()
            return True
        return False

    def maybe_due(self, entry, **kwargs):
        # The last look before sending: the tick's extend is not enough for
        # a beat that paused between it and this entry.
        is_due, _next = entry.is_due()
        if is_due and not self.lock.owned():
            raise LockLost()
        return super().maybe_due(entry, **kwargs)

    def tick(self, min=min, **kwargs):
        if not self.lock_key:
            return super().tick(min=min, **kwargs)
        try:
            if not self._hold_lock():
                return self.max_interval
            remaining = []
            for entry in self.schedule.values():
                next_time_to_run = self.maybe_due(entry, **self._maybe_due_kwargs)
                if next_time_to_run:
                    remaining.append(next_time_to_run)
            return min([*remaining, self.max_interval])
        except LockLost:
            logger.warning("beat: lost the lock before sending; standing by")
            self.lock.local.token = None
            return self.max_interval
        except RedisError as exc:
            logger.warning("beat: Redis unavailable (%s); nothing sent this tick", exc.__class__.__name__)
            return 1.0
