"""Daily sweeps: each missed business day runs once, in order, also across replicas."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.clock import SimulatedClock
from eventkit.db import Database
from eventkit.envelope import Envelope, new_envelope
from eventkit.timekeeping import ClockAdvanced, Timekeeper

START = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


class Recorder:
    def __init__(self) -> None:
        self.days: list[date] = []

    async def sweep(self, session: AsyncSession, day: date) -> Sequence[Envelope]:
        self.days.append(day)
        return []


async def no_sink(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    return None


def clock_event(to: datetime) -> Envelope:
    return new_envelope(
        ClockAdvanced(to=to),
        tenant_id="system",
        aggregate_type="clock",
        aggregate_id="clock",
        aggregate_version=1,
        clock=SimulatedClock(to),
        producer="test",
    )


async def test_advancing_time_runs_each_missed_day_once_in_order(db: Database) -> None:
    clock = SimulatedClock(START)
    recorder = Recorder()
    keeper = Timekeeper(db, clock, sweep=recorder.sweep, sink=no_sink)
    await keeper.initialise()
    await keeper.sweep_now()
    assert recorder.days == [date(2026, 1, 10)]
    event = clock_event(START + timedelta(days=5))
    async with db.transaction() as session:
        await keeper.on_clock_event(session, event)
    await keeper.after_clock_events([event])
    assert recorder.days == [date(2026, 1, d) for d in range(10, 16)]
    assert clock.today() == date(2026, 1, 15)
    # an older clock event changes nothing
    async with db.transaction() as session:
        await keeper.on_clock_event(session, clock_event(START + timedelta(days=2)))
    assert recorder.days == [date(2026, 1, d) for d in range(10, 16)]


async def test_two_replicas_never_sweep_the_same_day_twice(db: Database) -> None:
    clock = SimulatedClock(START)
    recorders = [Recorder(), Recorder()]
    keepers = [Timekeeper(db, clock, sweep=r.sweep, sink=no_sink) for r in recorders]
    await keepers[0].initialise()
    await keepers[1].initialise()
    for _ in range(3):
        clock.advance(timedelta(days=1))
        await asyncio.gather(*(k.sweep_now() for k in keepers))
    days = sorted(recorders[0].days + recorders[1].days)
    assert days == [date(2026, 1, d) for d in range(10, 14)]


async def test_simulated_time_survives_a_restart(db: Database) -> None:
    keeper = Timekeeper(db, SimulatedClock(START), sweep=None, sink=no_sink)
    await keeper.initialise()
    async with db.transaction() as session:
        await keeper.on_clock_event(session, clock_event(START + timedelta(days=30)))
    restarted = SimulatedClock(START)
    await Timekeeper(db, restarted, sweep=None, sink=no_sink).initialise()
    assert restarted.now() == START + timedelta(days=30)
