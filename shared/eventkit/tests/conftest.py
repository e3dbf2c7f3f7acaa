"""Fixtures for the eventkit tests."""

from eventkit.testing.broker import kafka_broker  # noqa: F401
