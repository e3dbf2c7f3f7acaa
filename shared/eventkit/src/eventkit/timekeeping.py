"""Business time: daily sweeps, and simulated time driven by ``system.clock.events``.

Each service keeps a ``clock_state`` row: the simulated "now" (simulated mode) and the last
business date whose sweep ran. Whenever time moves — the wall clock passes midnight or a
``ClockAdvanced`` event arrives — every missed business day's sweep runs, in date order, in the
same transaction that moves ``last_swept_date``; two replicas cannot both run a day's sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.clock import DEFAULT_BUSINESS_TZ, Clock, SimulatedClock
from eventkit.db import Database, affected, clock_state
from eventkit.envelope import Envelope, new_envelope
from eventkit.events import DomainEvent

log = logging.getLogger(__name__)

Sweep = Callable[[AsyncSession, date], Awaitable[Sequence[Envelope]]]
EnvelopeSink = Callable[[AsyncSession, Sequence[Envelope]], Awaitable[None]]

STATE_ROW = "business"
SYSTEM_TENANT = "system"
CLOCK_AGGREGATE = "clock"


class ClockAdvanced(DomainEvent):
    """Simulated time moved to ``to``. Published on ``system.clock.events``."""

    event_type = "system.ClockAdvanced"
    schema_version = 1
    to: datetime


def clock_advanced(to: datetime, *, producer: str) -> Envelope:
    """The ``ClockAdvanced`` envelope that moves every service's simulated time to ``to``."""
    return new_envelope(
        ClockAdvanced(to=to),
        tenant_id=SYSTEM_TENANT,
        aggregate_type=CLOCK_AGGREGATE,
        aggregate_id="clock",
        aggregate_version=1,
        clock=SimulatedClock(to),
        producer=producer,
        partition_key=SYSTEM_TENANT,
    )


class SweepConflict(Exception):
    """Another replica ran the sweep for this day first."""


class Timekeeper:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        sweep: Sweep | None,
        sink: EnvelopeSink,
        interval_seconds: float = 60.0,
        business_tz: str = DEFAULT_BUSINESS_TZ,
    ) -> None:
        self._tz = ZoneInfo(business_tz)
        self._db = db
        self.clock = clock
        self._sweep = sweep
        self._sink = sink
        self._interval = interval_seconds
        self.swept_days: list[date] = []

    @property
    def simulated(self) -> bool:
        return isinstance(self.clock, SimulatedClock)

    async def initialise(self) -> None:
        """Create the state row on first start (nothing before today is swept) and restore
        simulated time after a restart."""
        async with self._db.transaction() as session:
            row = (
                await session.execute(select(clock_state).where(clock_state.c.name == STATE_ROW))
            ).first()
            if row is None:
                now = self.clock.now()
                await session.execute(
                    insert(clock_state).values(
                        name=STATE_ROW,
                        now=now,
                        last_swept_date=self.clock.today() - timedelta(days=1),
                    )
                )
            elif isinstance(self.clock, SimulatedClock):
                self.clock.set(row.now)

    async def last_swept(self, session: AsyncSession, *, lock: bool = False) -> date | None:
        query = select(clock_state.c.last_swept_date).where(clock_state.c.name == STATE_ROW)
        if lock:  # a second replica waits here, then sees the day as done
            query = query.with_for_update()
        return await session.scalar(query)

    async def sweep_until(self, session: AsyncSession, business_date: date) -> list[date]:
        """Run every missed day's sweep up to ``business_date`` inside ``session``."""
        last = await self.last_swept(session, lock=True)
        if last is None:
            last = business_date - timedelta(days=1)
        days: list[date] = []
        day = last + timedelta(days=1)
        while day <= business_date:
            if self._sweep is not None:
                envelopes = await self._sweep(session, day)
                await self._sink(session, envelopes)
            days.append(day)
            day += timedelta(days=1)
        if days:
            result = await session.execute(
                update(clock_state)
                .where(clock_state.c.name == STATE_ROW, clock_state.c.last_swept_date == last)
                .values(last_swept_date=days[-1])
            )
            if not affected(result):
                raise SweepConflict(business_date)
        return days

    async def sweep_now(self) -> list[date]:
        try:
            async with self._db.transaction() as session:
                days = await self.sweep_until(session, self.clock.today())
        except SweepConflict:
            return []
        self.swept_days.extend(days)
        return days

    async def on_clock_event(self, session: AsyncSession, env: Envelope) -> None:
        """Consumer handler for ``system.clock.events`` (simulated mode)."""
        if env.type != ClockAdvanced.event_type:
            return
        target = ClockAdvanced.model_validate(env.payload).to
        current = await session.scalar(
            select(clock_state.c.now).where(clock_state.c.name == STATE_ROW)
        )
        if current is not None and target <= current:
            return
        await session.execute(
            update(clock_state).where(clock_state.c.name == STATE_ROW).values(now=target)
        )
        days = await self.sweep_until(session, target.astimezone(self._tz).date())
        self.swept_days.extend(days)

    async def after_clock_events(self, envelopes: Sequence[Envelope]) -> None:
        """After the clock transaction committed, let the API see the new time."""
        if not isinstance(self.clock, SimulatedClock):
            return
        for env in envelopes:
            if env.type == ClockAdvanced.event_type:
                self.clock.set(ClockAdvanced.model_validate(env.payload).to)

    async def run(self, stop: asyncio.Event) -> None:
        """System mode: check for a new business day every interval."""
        if self.simulated:
            return
        while not stop.is_set():
            try:
                await self.sweep_now()
            except Exception:
                log.exception("daily sweep failed; will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval)
