"""The sender: hands recorded messages to their channel, at most once each.

Protocol per message:

1. **claim** -- ``pending`` → ``sending`` with ``claimed_at`` and ``claimed_by`` (host:pid:token)
   in its own transaction, *committed before* any byte leaves the process;
2. **exchange** -- SMTP, HTTP or the print queue, outside any database transaction;
3. **settle** -- in one transaction: the attempt log, the new state and its event
   (NotificationSent / Delivered / Failed through the outbox) and, for a failure, the message
   on the fallback channel.

A crash between 1 and 3 leaves the message in ``sending``. Such a message is *orphaned* when
its claim is older than ``SENDER_CLAIM_TIMEOUT_SECONDS`` or was made by a process on this host
that no longer runs (checked at start-up and on every round). What happens to it is the choice
documented here:

* **e-mail: never sent again automatically.** The SMTP server may have accepted it before the
  crash (the DATA reply was lost with the process); a second reminder is worse than a late
  one (it restarts legal terms, confuses the debtor and costs trust), so the message becomes
  ``needs_ops`` with a NotificationFailed(needs_ops=true). Ops checks the mail log (the
  deterministic Message-ID ``<message-id@domain>`` is what to search for) and resolves it
  with ``POST /v1/messages/{id}/resolution`` (``mark_sent`` or ``resend``).
* **SMS:** repeated only through a provider that deduplicates on the ``Idempotency-Key``
  header (``SMS_PROVIDER_DEDUPES=true``; the key is the message id); otherwise ``needs_ops``.
* **webhooks:** repeated: Standard Webhooks receivers must deduplicate on ``webhook-id``
  (the message id, identical on every attempt).
* **letters:** repeated: queueing a PDF for print is local and has no outside effect.

Timestamps of claims and retry schedules come from the wall clock (``Messaging.wall``):
they are about processes, which a simulated business clock does not describe. Everything the
dossier and the events state comes from the runtime clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select, update

from eventkit.db import Database
from notification_service.adapters.http_channels import post_webhook, send_sms
from notification_service.adapters.outcome import Outcome
from notification_service.adapters.smtp import Letter, SmtpConfig, SmtpMailer, build_email
from notification_service.application.messaging import (
    Messaging,
    Row,
    load_message,
    mark_dead,
    mark_failed,
    mark_needs_ops,
    mark_sent,
    new_attempt_number,
    record_attempt,
    retry_later,
)
from notification_service.domain.messages import smtp_message_id
from notification_service.projections.tables import messages, webhook_endpoints

log = logging.getLogger(__name__)

RECOVERY_EVERY_SECONDS = 1.0
# Senders alive in this process (tests run several services in one process).
_LIVE: set[str] = set()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Sender:
    def __init__(self, m: Messaging, db: Database) -> None:
        self.m = m
        self.db = db
        s = m.settings
        self.mailer = SmtpMailer(
            SmtpConfig(
                host=s.smtp_host,
                port=s.smtp_port,
                from_address=s.smtp_from,
                timeout=s.smtp_timeout_seconds,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                starttls=s.smtp_starttls,
            )
        )
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.instance = f"{self.host}:{self.pid}:{uuid.uuid4().hex[:8]}"
        _LIVE.add(self.instance)
        self._http: httpx.AsyncClient | None = None
        self._last_recovery = 0.0
        self.sent_total = 0

    # --- loop ------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Keep up to ``SENDER_CONCURRENCY`` exchanges in flight; claim only for free slots, so
        a slow exchange never holds back the messages recorded after it."""
        delay = self.m.settings.sender_start_delay_seconds
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
        self._http = httpx.AsyncClient(timeout=self.m.settings.http_timeout_seconds)
        inflight: set[asyncio.Task[None]] = set()
        slots = max(1, self.m.settings.sender_concurrency)
        try:
            while not stop.is_set():
                self.m.wakeup.clear()
                free = slots - len(inflight)
                claimed = 0
                if free > 0:
                    try:
                        await self.recover_orphans()
                        batch = await self.claim(min(free, self.m.settings.sender_batch_size))
                    except asyncio.CancelledError:
                        raise
                    except Exception:
                        log.exception("sender round failed; trying again")
                        batch = []
                    claimed = len(batch)
                    for row in batch:
                        task = asyncio.create_task(self._deliver_safely(row))
                        inflight.add(task)
                        task.add_done_callback(inflight.discard)
                if claimed and claimed == free:
                    await asyncio.sleep(0)  # all slots taken: wait below for one to free up
                if claimed == 0 or len(inflight) >= slots:
                    await self._idle(stop, inflight)
        finally:
            if inflight:
                # Exchanges under way may finish; one cut off stays 'sending' (an orphan).
                _done, pending = await asyncio.wait(inflight, timeout=10)
                for task in pending:
                    task.cancel()
            await self._http.aclose()
            self._http = None
            _LIVE.discard(self.instance)

    async def _idle(self, stop: asyncio.Event, inflight: set[asyncio.Task[None]]) -> None:
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.m.wakeup.wait())]
        try:
            await asyncio.wait(
                [*waits, *inflight],
                timeout=self.m.settings.sender_poll_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            for task in waits:
                task.cancel()

    async def _deliver_safely(self, row: Row) -> None:
        try:
            await self.deliver(row)
        except asyncio.CancelledError:
            raise
        except Exception:
            # Left in 'sending': the orphan rule decides, never a blind resend.
            log.exception("delivering message %s failed", row["message_id"])

    async def round(self) -> int:
        """Claim what is due and hand it all over (tests, benchmarks); the number claimed."""
        batch = await self.claim(self.m.settings.sender_batch_size)
        gate = asyncio.Semaphore(max(1, self.m.settings.sender_concurrency))

        async def one(row: Row) -> None:
            async with gate:
                await self._deliver_safely(row)

        await asyncio.gather(*(one(row) for row in batch))
        return len(batch)

    # --- claim -----------------------------------------------------------------------------

    async def claim(self, limit: int) -> list[Row]:
        now = self.m.wall.now()
        due = (
            messages.c.status == "pending",
            or_(messages.c.next_attempt_at.is_(None), messages.c.next_attempt_at <= now),
        )
        # Look first without the write lock (SQLite takes it for a whole write transaction):
        # an idle sender must not compete with the consumers every poll.
        async with self.db.reading() as session:
            anything = await session.scalar(select(messages.c.message_id).where(*due).limit(1))
        if anything is None:
            return []
        async with self.db.transaction() as session:
            query = select(messages).where(*due).order_by(messages.c.next_attempt_at).limit(limit)
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            rows = [dict(r) for r in (await session.execute(query)).mappings()]
            if not rows:
                return []
            await session.execute(
                update(messages)
                .where(
                    messages.c.message_id.in_([r["message_id"] for r in rows]),
                    messages.c.status == "pending",
                )
                .values(
                    status="sending",
                    claimed_at=now,
                    claimed_by=self.instance,
                    attempts=messages.c.attempts + 1,
                )
            )
        for row in rows:
            row.update(status="sending", claimed_at=now, claimed_by=self.instance)
            row["attempts"] = int(row["attempts"]) + 1
        return rows

    # --- exchange --------------------------------------------------------------------------

    async def deliver(self, row: Row) -> None:
        channel = row["channel"]
        if channel == "letter":
            outcome = Outcome(
                "accepted",
                "queued for print",
                proof={"print_queue": "ready", "pdf_sha256": row["pdf_sha256"]},
            )
        elif channel == "email":
            outcome = await self._email(row)
            pause = self.m.settings.sender_pause_after_smtp_seconds
            if outcome.kind == "accepted" and pause > 0:
                await asyncio.sleep(pause)  # test hook: a crash after the SMTP exchange
        elif channel == "sms":
            outcome = await self._sms(row)
        elif channel == "webhook":
            outcome = await self._webhook(row)
        else:
            outcome = Outcome("rejected", f"unknown channel {channel!r}")
        await self.settle(row, outcome)

    async def _email(self, row: Row) -> Outcome:
        payload = row.get("payload") or {}
        letter = Letter(
            message_id_header=smtp_message_id(row["message_id"], self.m.settings.message_id_domain),
            sender_name=payload.get("sender_name") or self.m.settings.smtp_from,
            recipient=row["recipient"],
            subject=row["subject"],
            text=row["body_text"],
            html=row["body_html"],
            language=row["language"],
            pdf=row["pdf"],
            pdf_name=f"{row['template_key']}-{row['debtor_ref']}",
            sent_at=self.m.clock.now(),
            reference=row["cause_key"],
        )
        message = build_email(letter, self.m.settings.smtp_from)
        return await self.mailer.send(message, row["recipient"])

    async def _sms(self, row: Row) -> Outcome:
        s = self.m.settings
        if not s.sms_provider_url or self._http is None:
            return Outcome("rejected", "no SMS provider configured")
        return await send_sms(
            self._http,
            s.sms_provider_url,
            s.sms_provider_token.get_secret_value() if s.sms_provider_token else None,
            sender_id=s.sms_sender_id,
            to=row["recipient"],
            text=row["body_text"],
            idempotency_key=row["message_id"],
        )

    async def _webhook(self, row: Row) -> Outcome:
        async with self.db.reading() as session:
            endpoint = (
                (
                    await session.execute(
                        select(webhook_endpoints).where(
                            webhook_endpoints.c.tenant_id == row["tenant_id"],
                            webhook_endpoints.c.endpoint_id == row["recipient"],
                        )
                    )
                )
                .mappings()
                .first()
            )
        if endpoint is None or not endpoint["active"] or self._http is None:
            return Outcome("rejected", "the webhook endpoint was removed or deactivated", 410)
        timestamp = int(self.m.wall.now().timestamp())
        return await post_webhook(
            self._http, endpoint["url"], endpoint["secret"], row["message_id"],
            row["body_text"], timestamp,
        )  # fmt: skip

    # --- settle ----------------------------------------------------------------------------

    def _webhook_delay(self, attempts: int) -> timedelta:
        s = self.m.settings
        seconds = min(
            s.webhook_retry_base_seconds * 2 ** (attempts - 1), s.webhook_retry_max_seconds
        )
        return timedelta(seconds=seconds)

    def _send_delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=self.m.settings.send_retry_base_seconds * 2 ** (attempts - 1))

    async def settle(self, row: Row, outcome: Outcome) -> None:
        m = self.m
        async with self.db.transaction() as session:
            current = await load_message(session, row["message_id"])
            if current is None:
                return
            mine = current["status"] == "sending" and current["claimed_by"] == self.instance
            attempt = await new_attempt_number(session, row["message_id"])
            await record_attempt(
                session, row["message_id"], attempt, m.wall.now(), outcome.kind,
                outcome.detail, outcome.status_code,
            )  # fmt: skip
            if not mine:
                if outcome.kind == "accepted" and current["status"] == "needs_ops":
                    # Flagged as orphaned while we were still talking: now we know.
                    await mark_sent(m, session, current, outcome.proof)
                else:
                    log.warning("message %s changed hands; outcome %s only logged",
                                row["message_id"], outcome.kind)  # fmt: skip
                return
            await self._apply(session, current, outcome)
        m.committed()
        if outcome.kind == "accepted":
            self.sent_total += 1

    async def _apply(self, session: Any, row: Row, outcome: Outcome) -> None:
        m, s = self.m, self.m.settings
        attempts = int(row["attempts"])
        channel = row["channel"]
        if outcome.kind == "accepted":
            await mark_sent(m, session, row, outcome.proof, delivered=channel == "webhook")
            return
        if channel == "webhook":
            if outcome.status_code == 410 and "removed" in outcome.detail:
                await mark_dead(m, session, row, outcome.detail)
            elif attempts >= s.webhook_max_attempts:
                await mark_dead(
                    m, session, row,
                    f"dead letter after {attempts} attempts; last: {outcome.detail}",
                )  # fmt: skip
            else:
                await retry_later(m, session, row, outcome.detail, self._webhook_delay(attempts))
            return
        if outcome.kind == "rejected":
            await mark_failed(m, session, row, outcome.detail)
        elif outcome.kind == "not_sent":
            if attempts >= s.send_max_attempts:
                await mark_failed(
                    m, session, row, f"gave up after {attempts} attempts; last: {outcome.detail}"
                )
            else:
                await retry_later(m, session, row, outcome.detail, self._send_delay(attempts))
        elif channel == "sms" and s.sms_provider_dedupes:
            await retry_later(m, session, row, outcome.detail, self._send_delay(attempts))
        else:
            await mark_needs_ops(
                m, session, row,
                f"outcome unknown ({outcome.detail}); not resent automatically: check the "
                "server's log for the Message-ID, then resolve",
            )  # fmt: skip

    # --- orphans ---------------------------------------------------------------------------

    def is_orphan(self, claimed_by: str | None, claimed_at: datetime | None) -> bool:
        if claimed_by == self.instance:
            return False
        timeout = timedelta(seconds=self.m.settings.sender_claim_timeout_seconds)
        if claimed_at is None or claimed_at < self.m.wall.now() - timeout:
            return True
        host, _, rest = (claimed_by or "").partition(":")
        pid_text = rest.partition(":")[0]
        if host != self.host or not pid_text.isdigit():
            return False
        pid = int(pid_text)
        # Same host: the claim's process is gone (or this is a new process with its pid).
        if pid == self.pid:
            return claimed_by not in _LIVE
        return not _pid_alive(pid)

    async def recover_orphans(self, *, force: bool = False) -> int:
        now = time.monotonic()
        if not force and now - self._last_recovery < RECOVERY_EVERY_SECONDS:
            return 0
        self._last_recovery = now
        async with self.db.reading() as session:
            rows = (
                await session.execute(
                    select(
                        messages.c.message_id, messages.c.claimed_by, messages.c.claimed_at
                    ).where(messages.c.status == "sending")
                )
            ).all()
        orphans = [r.message_id for r in rows if self.is_orphan(r.claimed_by, r.claimed_at)]
        for msg_id in orphans:
            await self._recover(msg_id)
        return len(orphans)

    async def _recover(self, msg_id: str) -> None:
        m = self.m
        async with self.db.transaction() as session:
            row = await load_message(session, msg_id)
            if row is None or row["status"] != "sending":
                return
            if not self.is_orphan(row["claimed_by"], row["claimed_at"]):
                return
            claim = f"claimed by {row['claimed_by']} at {row['claimed_at']}"
            attempt = await new_attempt_number(session, msg_id)
            await record_attempt(
                session, msg_id, attempt, m.wall.now(), "unknown",
                f"the sender stopped during the exchange ({claim})",
            )  # fmt: skip
            channel = row["channel"]
            resend = channel in ("webhook", "letter") or (
                channel == "sms" and m.settings.sms_provider_dedupes
            )
            if resend:
                await retry_later(m, session, row, f"orphaned ({claim}); resent", timedelta(0))
            else:
                await mark_needs_ops(
                    m, session, row,
                    f"outcome unknown: the sender stopped during the exchange ({claim}); not "
                    "resent automatically: check the mail server's log for the Message-ID",
                )  # fmt: skip
        m.committed()
