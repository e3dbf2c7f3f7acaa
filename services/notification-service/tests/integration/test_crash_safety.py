"""Kill -9 the service before, during and after the SMTP exchange, start it again: no
reminder is ever received twice, and every reminder is either received or flagged for ops.

The service runs as a real process (as devstack starts it) on a broker of this module, so
that no other module's history is replayed into it (each test's fresh database still replays
the earlier tests' reminders: every assertion is about the test's own recipient). The SMTP
server is aiosmtpd on loopback, able to hold one recipient's DATA until the sender is killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from contracts import topics
from contracts.topics import all_topics
from eventkit.localbroker import LocalBroker, free_port
from eventkit.settings import dev_api_keys_env
from eventkit.testing.databases import BACKENDS, fresh_database
from eventkit.testing.kafka import publish
from eventkit.testing.service import auth
from eventkit.testing.waiting import eventually
from notification_service.testing import envelope_of, reminder_due, unique


@dataclass
class Trap:
    """An SMTP server that keeps what it accepts and can hold one recipient's DATA."""

    received: list[tuple[str, str]] = field(default_factory=list)  # (recipient, Message-ID)
    # recipient -> (DATA started, release): the message to that recipient is held in DATA
    holds: dict[str, tuple[threading.Event, threading.Event]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def hold(self, recipient: str) -> tuple[threading.Event, threading.Event]:
        self.holds[recipient] = (threading.Event(), threading.Event())
        return self.holds[recipient]

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        rcpts = [str(r) for r in envelope.rcpt_tos]
        for rcpt in rcpts:
            if rcpt in self.holds:
                started, release = self.holds[rcpt]
                started.set()
                await asyncio.get_running_loop().run_in_executor(None, release.wait, 30)
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else raw.encode()
        message = email.message_from_bytes(data, policy=email.policy.default)
        with self.lock:
            for rcpt in rcpts:
                self.received.append((rcpt, str(message["Message-ID"])))
        return "250 2.0.0 Queued"

    def count(self, recipient: str) -> int:
        with self.lock:
            return sum(1 for rcpt, _ in self.received if rcpt == recipient)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    own = LocalBroker(log_path=tmp_path_factory.mktemp("crash-broker") / "broker.log")
    own.start()
    try:
        own.create_topics(all_topics())
        yield own
    finally:
        own.stop()


@pytest.fixture(scope="module")
def trap() -> Iterator[Trap]:
    found = Trap()
    controller = Controller(found, hostname="127.0.0.1", port=free_port())
    controller.start()
    found.port = controller.port
    yield found
    for _started, release in found.holds.values():
        release.set()
    controller.stop()


@dataclass
class ServiceProcess:
    """notification-service as a process, started and killed at will on one database."""

    env: dict[str, str]
    url: str
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self, **settings: str) -> None:
        env = {**self.env, **{k.upper(): v for k, v in settings.items()}}
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "notification_service.entrypoints.main", "--migrate"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        with httpx.Client(timeout=2) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the service exited:\n{self.log.read_text()[-3000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    # Up, not ready: the test waits for the outcome it needs anyway, and the
                    # consumer's group join goes on meanwhile.
                    if client.get(f"{self.url}/health").status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise RuntimeError(f"not ready:\n{self.log.read_text()[-3000:]}")
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, nothing is flushed or marked."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


# Every kill point on SQLite; the one whose recovery leans most on the database (the claim
# committed before DATA, found orphaned after the restart) on PostgreSQL too: real processes
# cost seconds each, and the service's whole suite stays within about a minute and a half.
SQLITE = pytest.mark.parametrize("service", ["sqlite"], indirect=True)
BOTH = pytest.mark.parametrize("service", BACKENDS, indirect=True)


@pytest.fixture
async def service(
    request: pytest.FixtureRequest, tmp_path: Path, broker: LocalBroker, trap: Trap
) -> AsyncIterator[ServiceProcess]:
    async with fresh_database(str(request.param), tmp_path) as url:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "HTTP_"))}
        env.update(
            {
                "ENVIRONMENT": "test",
                "DATABASE_URL": url,
                "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
                "KAFKA_SESSION_TIMEOUT_MS": "1000",
                "API_KEYS": dev_api_keys_env(),
                "HTTP_HOST": "127.0.0.1",
                "HTTP_PORT": str(port),
                "LOG_JSON": "false",
                "RELAY_POLL_SECONDS": "0.1",
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(trap.port),
                "SMTP_TIMEOUT_SECONDS": "20",
                "SENDER_POLL_SECONDS": "0.05",
                "SENDER_CLAIM_TIMEOUT_SECONDS": "60",
            }
        )
        process = ServiceProcess(env, f"http://127.0.0.1:{port}", tmp_path / "service.log")
        try:
            yield process
        finally:
            process.kill()


async def the_message(url: str, debtor: str, until: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:

        async def probe() -> list[dict[str, Any]]:
            r = await client.get(f"/v1/debtors/{debtor}/dossier", headers=auth())
            return r.json()["messages"] if r.status_code == 200 else []

        [found] = await eventually(probe, until=lambda ms: len(ms) == 1 and until(ms[0]))
        return found


async def send_one(broker: LocalBroker, recipient: str) -> str:
    debtor = unique("D")
    event = reminder_due(debtor, email=recipient, pack="BE_B2B")
    await publish(broker.bootstrap_servers, topics.DUNNING_CASE, [envelope_of(event, debtor)])
    return debtor


async def settled(trap: Trap, recipient: str, seconds: float = 0.6) -> int:
    """The count after several more sender rounds (a duplicate would have arrived by then)."""
    await asyncio.sleep(seconds)
    return trap.count(recipient)


@SQLITE
async def test_killed_before_the_exchange_the_reminder_goes_out_once_after_restart(
    service: ServiceProcess, broker: LocalBroker, trap: Trap
) -> None:
    recipient = f"{unique('before')}@example.org"
    await asyncio.to_thread(service.start, sender_start_delay_seconds="300")
    debtor = await send_one(broker, recipient)
    pending = await the_message(service.url, debtor, lambda m: m["status"] == "pending")
    service.kill()
    assert trap.count(recipient) == 0

    await asyncio.to_thread(service.start)
    sent = await the_message(service.url, debtor, lambda m: m["status"] == "sent")
    assert sent["message_id"] == pending["message_id"]
    assert await settled(trap, recipient) == 1
    assert (
        trap.received[[r for r, _ in trap.received].index(recipient)][1]
        == (sent["proof"]["message_id"])
    )


@BOTH
async def test_killed_during_the_exchange_the_reminder_is_flagged_not_resent(
    service: ServiceProcess, broker: LocalBroker, trap: Trap
) -> None:
    recipient = f"{unique('during')}@example.org"
    data_started, release = trap.hold(recipient)
    await asyncio.to_thread(service.start)
    debtor = await send_one(broker, recipient)
    assert await asyncio.to_thread(data_started.wait, 30), "DATA never started"
    service.kill()  # the server holds the message: did it arrive? The sender cannot know.
    release.set()

    await asyncio.to_thread(service.start)
    flagged = await the_message(service.url, debtor, lambda m: m["status"] == "needs_ops")
    assert "outcome unknown" in flagged["failure_reason"]
    assert await settled(trap, recipient) <= 1
    async with httpx.AsyncClient(base_url=service.url, timeout=5) as client:
        worklist = await client.get("/v1/messages", params={"status": "needs_ops"}, headers=auth())
        assert flagged["message_id"] in {m["message_id"] for m in worklist.json()["messages"]}
        # Ops finds the Message-ID in the mail server's log and closes the case.
        r = await client.post(
            f"/v1/messages/{flagged['message_id']}/resolution",
            json={"action": "mark_sent", "note": "found in the MTA log"},
            headers=auth(),
        )
        assert r.status_code == 200 and r.json()["status"] == "sent"
    assert await settled(trap, recipient, 0.3) <= 1


@SQLITE
async def test_killed_after_the_exchange_the_reminder_is_flagged_not_resent(
    service: ServiceProcess, broker: LocalBroker, trap: Trap
) -> None:
    recipient = f"{unique('after')}@example.org"
    await asyncio.to_thread(service.start, sender_pause_after_smtp_seconds="300")
    debtor = await send_one(broker, recipient)
    await eventually(lambda: asyncio.sleep(0, trap.count(recipient)), what="the mail accepted")
    service.kill()  # accepted by the server, not yet marked sent

    await asyncio.to_thread(service.start)
    flagged = await the_message(service.url, debtor, lambda m: m["status"] == "needs_ops")
    assert flagged["attempts"] == 1
    assert await settled(trap, recipient) == 1
