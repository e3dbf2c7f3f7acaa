"""aiokafka producer with the product's settings (acks=all; idempotence is a setting because
the local broker does not support idempotent producers)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer

log = logging.getLogger(__name__)


class Publisher(Protocol):
    """What the relay and the dead-letter path need from a broker client."""

    async def send(
        self, topic: str, *, key: str, value: bytes, headers: list[tuple[str, bytes]]
    ) -> asyncio.Future[Any]: ...

    async def send_and_wait(
        self, topic: str, *, key: str, value: bytes, headers: list[tuple[str, bytes]]
    ) -> None: ...


class KafkaPublisher:
    def __init__(self, bootstrap_servers: str, *, client_id: str, idempotence: bool) -> None:
        self._bootstrap = bootstrap_servers
        self._client_id = client_id
        self._idempotence = idempotence
        self._producer: Any = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        async with self._lock:
            if self._producer is not None:
                return
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap,
                client_id=self._client_id,
                acks="all",
                enable_idempotence=self._idempotence,
                linger_ms=2,
                request_timeout_ms=15000,
                max_batch_size=256 * 1024,
            )
            await producer.start()
            self._producer = producer

    async def stop(self) -> None:
        async with self._lock:
            if self._producer is not None:
                producer, self._producer = self._producer, None
                await producer.stop()

    @property
    def started(self) -> bool:
        return self._producer is not None

    async def send(
        self, topic: str, *, key: str, value: bytes, headers: list[tuple[str, bytes]]
    ) -> asyncio.Future[Any]:
        """Queue a record; the returned future resolves when the broker acknowledged it."""
        if self._producer is None:
            await self.start()
        fut: asyncio.Future[Any] = await self._producer.send(
            topic, value=value, key=key.encode(), headers=headers
        )
        return fut

    async def send_and_wait(
        self, topic: str, *, key: str, value: bytes, headers: list[tuple[str, bytes]]
    ) -> None:
        fut = await self.send(topic, key=key, value=value, headers=headers)
        await fut

    async def ping(self) -> bool:
        """True when the broker answered a metadata request."""
        if self._producer is None:
            await self.start()
        try:
            client = self._producer.client
            await asyncio.wait_for(client.force_metadata_update(), timeout=3)
            return bool(client.cluster.brokers())
        except Exception:  # readiness probe: any failure means "not ready"
            log.warning("broker not reachable", exc_info=True)
            return False
