"""The composition root wires the account consumer, the daily sweep, the topic map and the
port."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import topics
from contracts.registry import build_registry
from credit_service.application.handlers import (
    EXPOSURE_GROUP,
    account_handler,
    exposure_handler,
)
from credit_service.bootstrap import build, definition
from credit_service.settings import Settings
from eventkit.clock import SystemClock
from eventkit.envelope import new_envelope
from eventkit.events import DomainEvent


class DebtorMoved(DomainEvent):
    """An invoicing event this build has never heard of."""

    event_type = "invoicing.DebtorMoved"
    debtor_ref: str


class UntouchableSession:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"an ignored event must not touch the database ({name})")


def test_service_definition() -> None:
    d = definition()
    assert d.name == "credit-service"
    assert dict(d.topic_map) == {"account": topics.CREDIT_ACCOUNT}
    assert (d.service_root / "alembic.ini").is_file()
    assert Settings.model_fields["http_port"].default == 8003


async def test_the_runtime_runs_one_account_consumer_and_a_daily_sweep(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'credit.db'}",
        kafka_bootstrap_servers="127.0.0.1:9",
        api_keys=[],
    )
    runtime = build(settings)
    try:
        (consumer,) = runtime.consumers
    finally:
        await runtime.db.dispose()
    sub = consumer.subscription
    assert sub.group == EXPOSURE_GROUP == "credit-service.exposure"
    assert EXPOSURE_GROUP in topics.CONSUMER_GROUPS
    assert set(sub.topics) == {
        topics.INVOICING_INVOICE,
        topics.INVOICING_DEBTOR,
        topics.DUNNING_CASE,
    }
    assert definition().sweep is not None


async def test_unknown_event_types_are_ignored_without_touching_the_database(
    tmp_path: Path,
) -> None:
    runtime = build(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'credit.db'}",
            kafka_bootstrap_servers="127.0.0.1:9",
            api_keys=[],
        )
    )
    env = new_envelope(
        DebtorMoved(debtor_ref="D-1"),
        tenant_id="acme",
        aggregate_type="debtor",
        aggregate_id="D-1",
        aggregate_version=3,
        clock=SystemClock(),
        producer="invoice-service",
    )
    try:
        for handler in (exposure_handler(build_registry()), account_handler(runtime)):
            await handler(cast(AsyncSession, UntouchableSession()), env)
    finally:
        await runtime.db.dispose()
