"""Move simulated time: publish ``ClockAdvanced`` on ``system.clock.events``."""

from __future__ import annotations

from datetime import datetime

from contracts.topics import SYSTEM_CLOCK
from eventkit.clock import SimulatedClock
from eventkit.envelope import new_envelope
from eventkit.testing.kafka import publish
from eventkit.timekeeping import CLOCK_AGGREGATE, SYSTEM_TENANT, ClockAdvanced


async def advance_clock(bootstrap_servers: str, to: datetime) -> None:
    envelope = new_envelope(
        ClockAdvanced(to=to),
        tenant_id=SYSTEM_TENANT,
        aggregate_type=CLOCK_AGGREGATE,
        aggregate_id="clock",
        aggregate_version=1,
        clock=SimulatedClock(to),
        producer="devstack",
        partition_key=SYSTEM_TENANT,
    )
    await publish(bootstrap_servers, SYSTEM_CLOCK, [envelope])
