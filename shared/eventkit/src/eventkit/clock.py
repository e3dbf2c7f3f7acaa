"""The Clock port. Nothing in the product reads the wall clock except ``SystemClock``."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_BUSINESS_TZ = "Europe/Brussels"


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...

    def today(self) -> date:
        """Current business date in the business time zone."""
        ...


class SystemClock:
    def __init__(self, business_tz: str = DEFAULT_BUSINESS_TZ) -> None:
        self._tz = ZoneInfo(business_tz)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(self._tz).date()


class SimulatedClock:
    """Time that only moves when told to (``system.clock.events`` or a test)."""

    def __init__(self, start: datetime, business_tz: str = DEFAULT_BUSINESS_TZ) -> None:
        if start.tzinfo is None:
            raise ValueError("simulated time must be timezone-aware")
        self._now = start.astimezone(UTC)
        self._tz = ZoneInfo(business_tz)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def today(self) -> date:
        return self.now().astimezone(self._tz).date()

    def set(self, moment: datetime) -> None:
        """Move to ``moment``; time never goes backwards."""
        if moment.tzinfo is None:
            raise ValueError("simulated time must be timezone-aware")
        with self._lock:
            if moment > self._now:
                self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)


def start_of_business_day(day: date, business_tz: str = DEFAULT_BUSINESS_TZ) -> datetime:
    """08:00 local time of ``day``, in UTC: the moment a day's sweep is stamped with."""
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=ZoneInfo(business_tz)).astimezone(
        UTC
    )
