"""Fakes behind the same interfaces as the real parts, for unit tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SentRecord:
    topic: str
    key: str
    value: bytes
    headers: list[tuple[str, bytes]]


@dataclass
class FakePublisher:
    """In-memory ``Publisher``. ``fail_after`` makes the n-th and later sends fail (broker
    down); ``reset_failures()`` brings it back."""

    sent: list[SentRecord] = field(default_factory=list)
    fail_after: int | None = None
    attempts: int = 0

    async def send(
        self, topic: str, *, key: str, value: bytes, headers: list[tuple[str, bytes]]
    ) -> asyncio.Future[Any]:
        self.attempts += 1
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            fut.set_exception(ConnectionError("broker unavailable"))
        else:
            self.sent.append(SentRecord(topic, key, value, list(headers)))
            fut.set_result(None)
        return fut

    async def send_and_wait(
        self, topic: str, *, key: str, value: bytes, headers: list[tuple[str, bytes]]
    ) -> None:
        await (await self.send(topic, key=key, value=value, headers=headers))

    def reset_failures(self) -> None:
        self.fail_after = None

    def ids(self) -> list[str]:
        return [dict(r.headers)["ce_id"].decode() for r in self.sent]
