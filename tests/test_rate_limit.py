"""The per-grant token bucket behind ``?fresh=1``."""

from chatdump.server.rate_limit import TokenBuckets, key_of


def test_a_burst_then_one_per_period() -> None:
    buckets = TokenBuckets(burst=3, per_seconds=20)
    assert [buckets.take("g", 0.0) for _ in range(3)] == [None, None, None]
    assert buckets.take("g", 0.0) == 20
    assert buckets.take("g", 15.0) == 5
    assert buckets.take("g", 20.0) is None
    assert buckets.take("g", 21.0) == 19


def test_grants_have_separate_buckets() -> None:
    buckets = TokenBuckets(burst=1, per_seconds=20)
    assert buckets.take("a", 0.0) is None
    assert buckets.take("b", 0.0) is None
    assert buckets.take("a", 0.0) == 20


def test_the_number_of_buckets_is_bounded() -> None:
    buckets = TokenBuckets(burst=1, per_seconds=20, max_keys=2)
    for key in "abc":
        buckets.take(key, 0.0)
    assert buckets.take("a", 0.0) is None  # forgotten, so full again


def test_keys_are_digests_not_grants() -> None:
    assert key_of("eyJ.secret.grant") != "eyJ.secret.grant"
    assert len(key_of("x")) == 64
