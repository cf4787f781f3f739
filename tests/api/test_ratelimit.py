"""The shared pacer, with a fake clock: spacing, thread safety, no burst above the window."""

from __future__ import annotations

import threading

import pytest

from ctctform.api.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        pass  # the limiter's answer (the delay) is what the tests check


def max_in_window(starts: list[float], window: float = 1.0) -> int:
    starts = sorted(starts)
    best = 0
    for i, start in enumerate(starts):
        best = max(best, sum(1 for t in starts[i:] if t < start + window))
    return best


def test_slots_are_spaced_by_the_interval_with_margin() -> None:
    clock = FakeClock()
    limiter = RateLimiter(4, margin=0.05, clock=clock, sleep=clock.sleep)
    delays = [limiter.reserve() for _ in range(5)]
    assert delays[0] == 0
    assert delays == pytest.approx([i * 1.05 / 4 for i in range(5)])


def test_a_429_widens_the_spacing_for_the_rest_of_the_run_up_to_a_cap() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, margin=0.05, clock=clock, sleep=clock.sleep)
    limiter.widen()
    assert limiter.interval == pytest.approx(1.10 / 10)
    for _ in range(10):
        limiter.widen()
    assert limiter.margin == pytest.approx(0.25) and limiter.interval == pytest.approx(0.125)


def test_idle_time_is_not_banked_into_a_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(4, margin=0.0, clock=clock, sleep=clock.sleep)
    limiter.reserve()
    clock.now = 100.0
    delays = [limiter.reserve() for _ in range(3)]
    assert delays == pytest.approx([0, 0.25, 0.5])


def test_many_threads_never_exceed_rate_in_any_one_second_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)  # default margin
    starts: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        for _ in range(25):
            start = clock() + limiter.reserve()
            with lock:
                starts.append(start)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(starts) == 200
    assert len(set(starts)) == 200  # every caller got its own slot
    assert max_in_window(starts) <= 10


def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)
