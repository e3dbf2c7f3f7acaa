"""Unit tests of the pure parts: registry and upcasters, codec, ids, settings, clock."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from pydantic import ValidationError

from eventkit.clock import SimulatedClock, start_of_business_day
from eventkit.codec import UndecodableMessage, decode, encode_value, header_pairs, to_kafka_headers
from eventkit.events import DomainEvent, EventRegistry, UnknownEventType
from eventkit.ids import uuid7
from eventkit.settings import DEV_API_KEY, ServiceSettings, dev_api_keys_env, hash_api_key
from eventkit.testing.contracts import envelopes


class AmountSet(DomainEvent):
    event_type = "test.AmountSet"
    schema_version = 3
    amount: str
    currency: str


def test_upcasters_bring_old_payloads_to_the_current_version() -> None:
    registry = EventRegistry()
    registry.register(AmountSet)

    @registry.upcaster("test.AmountSet", 1)
    def v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
        return {"amount": str(payload["cents"] / 100), "currency": "EUR"}

    @registry.upcaster("test.AmountSet", 2)
    def v2_to_v3(payload: dict[str, Any]) -> dict[str, Any]:
        return {**payload, "amount": f"{float(payload['amount']):.2f}"}

    event = registry.decode("test.AmountSet", 1, {"cents": 1250})
    assert event == AmountSet(amount="12.50", currency="EUR")
    assert registry.decode("test.AmountSet", 3, {"amount": "1.00", "currency": "USD"})
    with pytest.raises(ValueError, match="newer"):
        registry.decode("test.AmountSet", 4, {})
    with pytest.raises(UnknownEventType):
        registry.decode("test.Nope", 1, {})


def test_a_type_name_cannot_be_registered_by_two_classes() -> None:
    registry = EventRegistry()
    registry.register(AmountSet)

    class Other(DomainEvent):
        event_type = "test.AmountSet"

    with pytest.raises(ValueError):
        registry.register(Other)


def test_cloudevents_headers_round_trip() -> None:
    env = envelopes("agg-1", range(1, 2), tenant="acme")[0]
    headers = to_kafka_headers(header_pairs(env))
    names = {k for k, _ in headers}
    assert {
        "ce_specversion",
        "ce_id",
        "ce_type",
        "ce_source",
        "ce_subject",
        "ce_time",
        "content-type",
        "ce_tenant",
        "ce_schemaversion",
        "ce_correlationid",
    } <= names
    back = decode(headers, encode_value(env).encode())
    assert back == env


def test_foreign_records_are_undecodable() -> None:
    with pytest.raises(UndecodableMessage):
        decode([("ce_id", b"x")], b"{}")
    with pytest.raises(UndecodableMessage):
        decode([], b"[1, 2]")


def test_uuid7_is_time_ordered_and_unique() -> None:
    ids = [uuid7() for _ in range(5000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 5000
    assert all(i.version == 7 for i in ids)


def test_settings_refuse_the_development_key_in_production() -> None:
    env = {
        "DATABASE_URL": "postgresql+asyncpg://x/y",
        "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
        "API_KEYS": dev_api_keys_env(),
        "ENVIRONMENT": "production",
    }
    with mock.patch.dict(os.environ, env, clear=True), pytest.raises(ValidationError):
        ServiceSettings()  # type: ignore[call-arg]
    env["API_KEYS"] = f"acme:erp:{hash_api_key('a-real-secret-key')}"
    with mock.patch.dict(os.environ, env, clear=True):
        settings = ServiceSettings()  # type: ignore[call-arg]
    assert settings.api_keys[0].scopes == ["erp"]
    assert settings.api_keys[0].key_hash != hash_api_key(DEV_API_KEY)


def test_settings_allow_only_exact_browser_origins() -> None:
    env = {
        "DATABASE_URL": "sqlite+aiosqlite:///x.db",
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092",
        "API_KEYS": dev_api_keys_env(),
    }
    with mock.patch.dict(os.environ, env, clear=True):
        assert ServiceSettings().cors_allowed_origins == []  # type: ignore[call-arg]
    allowed = "http://127.0.0.1:8000, https://console.example.com,http://[::1]:8000"
    with mock.patch.dict(os.environ, {**env, "CORS_ALLOWED_ORIGINS": allowed}, clear=True):
        assert ServiceSettings().cors_allowed_origins == [  # type: ignore[call-arg]
            "http://127.0.0.1:8000",
            "https://console.example.com",
            "http://[::1]:8000",
        ]
    for wrong in (
        "*",
        "http://*.example.com",
        "https://console.example.com/",
        "console.example.com",
        "https://console.example.com/app",
        "ftp://x",
        "null",
        "http://a.example.com:8000/x",
    ):
        with (
            mock.patch.dict(os.environ, {**env, "CORS_ALLOWED_ORIGINS": wrong}, clear=True),
            pytest.raises(ValidationError, match="exact origin"),
        ):
            ServiceSettings()  # type: ignore[call-arg]


def test_settings_name_missing_required_values() -> None:
    with mock.patch.dict(os.environ, {}, clear=True), pytest.raises(ValidationError) as info:
        ServiceSettings()  # type: ignore[call-arg]
    missing = {err["loc"][0] for err in info.value.errors()}
    assert missing == {"database_url", "kafka_bootstrap_servers", "api_keys"}


def test_simulated_clock_never_goes_back_and_uses_the_business_zone() -> None:
    clock = SimulatedClock(datetime(2026, 3, 1, 22, 30, tzinfo=UTC))
    assert clock.today() == date(2026, 3, 1)  # 23:30 in Brussels
    clock.advance(timedelta(hours=1))
    assert clock.today() == date(2026, 3, 2)
    clock.set(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.today() == date(2026, 3, 2)
    assert start_of_business_day(date(2026, 7, 1)) == datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
