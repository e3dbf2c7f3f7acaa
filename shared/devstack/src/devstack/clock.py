"""Move simulated time: publish ``ClockAdvanced`` on ``system.clock.events``."""

from __future__ import annotations

from datetime import datetime

from contracts.topics import SYSTEM_CLOCK
from eventkit.testing.kafka import publish
from eventkit.timekeeping import clock_advanced


async def advance_clock(bootstrap_servers: str, to: datetime) -> None:
    await publish(bootstrap_servers, SYSTEM_CLOCK, [clock_advanced(to, producer="devstack")])
