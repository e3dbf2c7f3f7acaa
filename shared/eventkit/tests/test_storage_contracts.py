"""The storage contract suites, run against SQLite and PostgreSQL."""

from __future__ import annotations

from eventkit.testing.contracts import EventStoreContract, InboxContract, OutboxContract


class TestEventStore(EventStoreContract):
    pass


class TestOutbox(OutboxContract):
    pass


class TestInbox(InboxContract):
    pass
