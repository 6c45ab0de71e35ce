"""The one rate limiter, used by the web demo (per address) and the bots (per user)."""
import pytest

from assistant.core.ratelimit import RateLimit, TokenBuckets


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_token_per_interval_per_key():
    clock = FakeClock()
    buckets = TokenBuckets(RateLimit(per_second=2, burst=2), clock=clock)
    assert [buckets.take("a") for _ in range(2)] == [0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)  # one token comes back every 0.5 s
    assert buckets.take("b") == 0.0  # another key has its own bucket
    clock.now += 0.5
    assert buckets.take("a") == 0.0


def test_per_minute_allows_that_many_at_once_then_refills():
    clock = FakeClock()
    buckets = TokenBuckets(RateLimit.per_minute(3), clock=clock)
    assert [buckets.allow("ana") for _ in range(4)] == [True, True, True, False]
    assert buckets.allow("ben")  # another user has their own bucket
    clock.now += 20  # 3 a minute: one token back every 20 s
    assert buckets.allow("ana") and not buckets.allow("ana")


def test_a_refused_call_spends_nothing():
    clock = FakeClock()
    buckets = TokenBuckets(RateLimit(per_second=1, burst=1), clock=clock)
    assert buckets.allow("a") and not buckets.allow("a") and not buckets.allow("a")
    clock.now += 1
    assert buckets.allow("a")


def test_idle_keys_are_forgotten_first():
    clock = FakeClock()
    buckets = TokenBuckets(RateLimit(per_second=1, burst=2), clock=clock, max_keys=2)
    buckets.take("a")
    buckets.take("b")
    clock.now += 10
    buckets.take("c")
    assert len(buckets) == 1  # a and b were full again, so only c is kept


def test_at_most_max_keys_are_kept_even_when_all_are_busy():
    clock = FakeClock()
    buckets = TokenBuckets(RateLimit(per_second=1, burst=2), clock=clock, max_keys=2)
    for key in "abc":
        buckets.take(key)
        buckets.take(key)
    assert len(buckets) == 2
    assert buckets.allow("a")  # the least recent was forgotten: it starts again with a full bucket
    assert not buckets.allow("c")


def test_keys_can_be_any_hashable():
    buckets = TokenBuckets(RateLimit(per_second=1, burst=1), clock=FakeClock())
    assert buckets.allow(("telegram", 1)) and buckets.allow(("discord", 1)) and not buckets.allow(("telegram", 1))


@pytest.mark.parametrize("per_second, burst", [(0, 1), (-1, 1), (1, 0)])
def test_bad_limits_name_the_values(per_second, burst):
    with pytest.raises(ValueError, match="per_second > 0 and burst >= 1"):
        RateLimit(per_second=per_second, burst=burst)
