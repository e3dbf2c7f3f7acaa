"""Publish envelopes onto the broker exactly as a service's relay would (for consumer tests)."""

from __future__ import annotations

from collections.abc import Sequence

from eventkit.codec import encode_value, header_pairs, to_kafka_headers
from eventkit.envelope import Envelope
from eventkit.kafka import KafkaPublisher


async def publish(bootstrap_servers: str, topic: str, envelopes: Sequence[Envelope]) -> None:
    publisher = KafkaPublisher(bootstrap_servers, client_id="test-publisher", idempotence=False)
    await publisher.start()
    try:
        futures = [
            await publisher.send(
                topic,
                key=env.partition_key,
                value=encode_value(env).encode(),
                headers=to_kafka_headers(header_pairs(env)),
            )
            for env in envelopes
        ]
        for fut in futures:
            await fut
    finally:
        await publisher.stop()
