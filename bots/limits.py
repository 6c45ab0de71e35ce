"""Per-user rate limiting: a token bucket per user, so a burst is fine and a flood is not."""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Hashable

MAX_TRACKED = 50_000  # users remembered; forgetting the least recent only gives them a full bucket


class RateLimiter:
    """Allows `per_minute` calls per key per minute, up to `per_minute` at once.

    >>> limiter = RateLimiter(2, clock=lambda: 0.0)
    >>> [limiter.allow("u") for _ in range(3)]
    [True, True, False]
    """

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic):
        self.capacity = float(per_minute)
        self.refill_per_s = per_minute / 60.0
        self._clock = clock
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()  # key → (tokens, when)

    def allow(self, key: Hashable) -> bool:
        """Take one token for `key`; False when its bucket is empty."""
        now = self._clock()
        tokens, then = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.refill_per_s)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > MAX_TRACKED:
            self._buckets.popitem(last=False)
        return allowed
