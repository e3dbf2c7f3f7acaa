"""Topic specifications shared by the broker tooling, the relay and the deploy scripts."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One Kafka topic as the product expects it to exist.

    Event topics keep their history (``retention.ms=-1``) so that foreign projections can
    be rebuilt from the beginning.
    """

    name: str
    partitions: int = 1
    replication_factor: int = 1
    config: dict[str, str] = field(default_factory=lambda: {"retention.ms": "-1"})

    def dlq(self, group: str) -> TopicSpec:
        return TopicSpec(
            name=f"{group}.dlq", partitions=1, replication_factor=self.replication_factor
        )


def dlq_topic(group: str) -> str:
    """Dead-letter topic of a consumer group."""
    return f"{group}.dlq"
