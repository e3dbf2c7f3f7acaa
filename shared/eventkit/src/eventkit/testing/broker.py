"""Session-wide local Kafka broker for tests.

Use it from a ``conftest.py``::

    from eventkit.testing.broker import kafka_broker  # noqa: F401

Consumers in tests should use a short group session (see ``FAST_GROUP_SETTINGS``): the local
broker holds each group join for about half of ``session_timeout_ms``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from eventkit.localbroker import LocalBroker

# aiokafka consumer settings that keep group joins/rebalances on the local broker at ~1-2 s.
FAST_GROUP_SETTINGS: dict[str, Any] = {"session_timeout_ms": 2000, "heartbeat_interval_ms": 300}


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    """A started :class:`LocalBroker` with every contract topic created; stopped at the end."""
    from contracts.topics import all_topics  # contracts depends on eventkit: import lazily

    log_path = tmp_path_factory.mktemp("kafka-broker") / "tansu.log"
    broker = LocalBroker(log_path=log_path)
    broker.start()
    try:
        broker.create_topics(all_topics())
        yield broker
    finally:
        broker.stop()
