"""Bounded waits: poll until a condition holds or fail after a deadline (never bare sleeps)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    until: Callable[[T], bool] = bool,
    within: float = 15.0,
    every: float = 0.05,
    what: str = "condition",
) -> T:
    deadline = time.monotonic() + within
    last: T = await probe()
    while not until(last):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {within}s; last value: {last!r}")
        await asyncio.sleep(every)
        last = await probe()
    return last
