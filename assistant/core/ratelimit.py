"""Per-client rate limits: one token bucket per key, so a burst is fine and a flood is not.

The web demo keys buckets by client address, the bots by (platform, user id). Buckets live
in memory: a demo or a single bot process has no shared store to put them in.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Hashable

MAX_KEYS = 50_000  # buckets kept; forgetting the least recent only gives that client a full bucket


@dataclass(frozen=True)
class RateLimit:
    """Calls each key may make: `burst` back to back, then `per_second` on average."""

    per_second: float = 5.0  # sustained rate (the web page asks at most ~3/s while someone types)
    burst: int = 20  # calls allowed at once (clicking through the page's examples)

    def __post_init__(self):
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError(f"RateLimit needs per_second > 0 and burst >= 1, got {self.per_second}, {self.burst}")

    @classmethod
    def per_minute(cls, calls: int) -> RateLimit:
        """`calls` a minute, all of them allowed at once (the bots' per-user limit).

        >>> RateLimit.per_minute(30)
        RateLimit(per_second=0.5, burst=30)
        """
        return cls(per_second=calls / 60, burst=calls)


class TokenBuckets:
    """One token bucket per key.

    Args:
        limit: the rate each key gets.
        clock: seconds, monotonic; tests pass a fake clock.
        max_keys: past this many keys, the least recently seen are forgotten.

    >>> buckets = TokenBuckets(RateLimit(per_second=1, burst=2), clock=lambda: 0.0)
    >>> [buckets.allow("ana") for _ in range(3)], buckets.take("ana")
    ([True, True, False], 1.0)
    """

    def __init__(self, limit: RateLimit, *, clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS):
        self.limit, self.max_keys, self._clock = limit, max_keys, clock
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()  # key → (tokens, clock time)

    def __len__(self) -> int:
        """How many keys are tracked."""
        return len(self._buckets)

    def take(self, key: Hashable) -> float:
        """Spend one token for `key`: 0.0 when allowed, else the seconds until one is free."""
        now = self._clock()
        tokens, then = self._buckets.pop(key, (float(self.limit.burst), now))
        tokens = min(float(self.limit.burst), tokens + (now - then) * self.limit.per_second)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)  # now the most recent key
        if len(self._buckets) > self.max_keys:
            self._forget(now)
        return 0.0 if allowed else (1.0 - tokens) / self.limit.per_second

    def allow(self, key: Hashable) -> bool:
        """Spend one token for `key`; False when its bucket is empty."""
        return self.take(key) == 0.0

    def _forget(self, now: float) -> None:
        """Drop the least recent keys whose buckets have refilled anyway, then any over max_keys."""
        full_after = self.limit.burst / self.limit.per_second  # seconds for an empty bucket to refill
        while self._buckets:
            key, (_, then) = next(iter(self._buckets.items()))
            if now - then < full_after and len(self._buckets) <= self.max_keys:
                break
            del self._buckets[key]
