"""Render benchmark of notification-service: messages per second rendered and sent to a
local SMTP server.

Three figures, everything on 127.0.0.1 and in this one process:

1. **render**: template (sandboxed Jinja2, debtor's locale) + letter PDF, for a mix of
   languages, packs and template keys -- what the consumer does per reminder;
2. **smtp**: the sender's SMTP exchange alone (MIME with the PDF attached, aiosmtplib,
   one connection per message, ``SENDER_CONCURRENCY`` exchanges in flight) to an aiosmtpd sink;
3. **pipeline**: ReminderDue events published on the local broker → consumed, rendered,
   recorded (SQLite) → claimed, sent to the sink, marked sent with NotificationSent in the
   outbox; the clock runs from the publish to the last message marked ``sent``.

Run: ``uv run python -m bench notification_render [--quick]``.
Figures are printed and written to ``bench/results/``.
The run stops by itself (bounded waits); whatever it started is stopped in ``finally``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from contracts import topics
from contracts.topics import all_topics
from devstack.smtp import SmtpSink
from eventkit.clock import SystemClock
from eventkit.localbroker import LocalBroker
from eventkit.testing.kafka import publish
from eventkit.testing.service import auth, running_service
from notification_service.adapters.smtp import Letter, SmtpConfig, SmtpMailer, build_email
from notification_service.application.compose import compose
from notification_service.bootstrap import definition
from notification_service.domain.catalog import shipped_defaults
from notification_service.domain.context import SAMPLE_CREDITOR, reminder_context
from notification_service.domain.locale import LocaleFormat
from notification_service.domain.rendering import Renderer
from notification_service.projections.tables import messages
from notification_service.settings import Settings
from notification_service.testing import envelope_of, reminder_due, unique

RESULTS = Path(__file__).resolve().parent / "results"
MIX = [
    ("nl", "BE_B2C", "be_b2c_first_reminder"),
    ("fr", "BE_B2B", "second_reminder"),
    ("nl", "NL_B2C", "nl_b2c_fourteen_day_letter"),
    ("de", "BE_B2C", "formal_notice"),
    ("en", "NL_B2B", "pre_due_reminder"),
]
PIPELINE_TIMEOUT_S = 120.0


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def bench_render(count: int) -> dict[str, Any]:
    defaults = shipped_defaults()
    renderer = Renderer(defaults.partials)
    events = []
    for i in range(count):
        language, pack, key = MIX[i % len(MIX)]
        events.append(reminder_due(f"D-{i}", language=language, pack=pack, template_key=key))
    now = SystemClock().now()
    sizes = []
    started = time.perf_counter()
    for event in events:
        key = event.template_key
        source = defaults.get(key, event.language)
        if source is None:
            raise LookupError(f"no template {key}/{event.language}")
        fmt = LocaleFormat.for_debtor(event.language, event.pack)
        composed = compose(
            renderer,
            source,
            reminder_context(event, SAMPLE_CREDITOR, fmt),
            creditor=SAMPLE_CREDITOR,
            recipient=[event.debtor_name, *event.postal_address],
            business_date=event.business_date,
            reference=event.reminder_id,
            created=now,
        )
        sizes.append(len(composed.pdf))
    elapsed = time.perf_counter() - started
    return {
        "messages": count,
        "seconds": round(elapsed, 3),
        "per_second": round(count / elapsed, 1),
        "ms_per_message": round(1000 * elapsed / count, 2),
        "pdf_bytes_avg": round(sum(sizes) / len(sizes)),
    }


async def bench_smtp(count: int, sink: SmtpSink, concurrency: int) -> dict[str, Any]:
    defaults = shipped_defaults()
    renderer = Renderer(defaults.partials)
    event = reminder_due("D-SMTP")
    source = defaults.get("be_b2c_first_reminder", "nl")
    if source is None:
        raise LookupError("no template be_b2c_first_reminder/nl")
    composed = compose(
        renderer, source,
        reminder_context(event, SAMPLE_CREDITOR, LocaleFormat.for_debtor("nl", "BE_B2C")),
        creditor=SAMPLE_CREDITOR, recipient=["Jan"], business_date=event.business_date,
        reference="bench", created=SystemClock().now(),
    )  # fmt: skip
    mailer = SmtpMailer(SmtpConfig(host=sink.host, port=sink.port, from_address="bench@local"))
    gate = asyncio.Semaphore(concurrency)
    before = len(sink.messages)
    outcomes: list[str] = []

    async def one(i: int) -> None:
        letter = Letter(
            message_id_header=f"<bench-{i}@local>", sender_name="Bench", recipient=f"b{i}@x.org",
            subject=composed.rendered.subject, text=composed.rendered.text,
            html=composed.rendered.html, language="nl", pdf=composed.pdf, pdf_name="bench",
            sent_at=SystemClock().now(), reference="bench",
        )  # fmt: skip
        async with gate:
            outcome = await mailer.send(build_email(letter, "bench@local"), f"b{i}@x.org")
        outcomes.append(outcome.kind)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    elapsed = time.perf_counter() - started
    return {
        "messages": count,
        "accepted": outcomes.count("accepted"),
        "received": len(sink.messages) - before,
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "per_second": round(count / elapsed, 1),
    }


async def bench_pipeline(count: int, sink: SmtpSink, broker: LocalBroker) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        async with running_service(
            definition(),
            Settings,
            database_url=url,
            bootstrap_servers=broker.bootstrap_servers,
            smtp_host=sink.host,
            smtp_port=sink.port,
            sender_poll_seconds=0.05,
        ) as (rt, client):
            profile = {"name": "Bench NV", "enterprise_number": "0123.456.789"}
            await client.put("/v1/settings/sender", json=profile, headers=auth())
            envelopes = []
            for i in range(count):
                language, pack, key = MIX[i % len(MIX)]
                debtor = unique("BD")
                event = reminder_due(
                    debtor, email=f"{debtor}@bench.org", language=language, pack=pack,
                    template_key=key, action="reminder",
                )  # fmt: skip
                envelopes.append(envelope_of(event, debtor))
            before = len(sink.messages)
            started = time.perf_counter()
            await publish(broker.bootstrap_servers, topics.DUNNING_CASE, envelopes)
            first_recorded = None
            deadline = time.monotonic() + PIPELINE_TIMEOUT_S
            sent = 0
            while time.monotonic() < deadline:
                async with rt.db.reading() as session:
                    rows: dict[str, int] = dict(
                        (
                            await session.execute(
                                select(messages.c.status, func.count()).group_by(messages.c.status)
                            )
                        ).all()
                    )
                if first_recorded is None and any(rows.values()):
                    first_recorded = time.perf_counter() - started
                sent = int(rows.get("sent", 0))
                if sent + int(rows.get("needs_ops", 0)) >= count:
                    break
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
            return {
                "messages": count,
                "sent": sent,
                "received_by_smtp": len(sink.messages) - before,
                "seconds": round(elapsed, 3),
                "per_second": round(sent / elapsed, 1),
                "first_recorded_after_s": round(first_recorded or 0.0, 3),
                "database": "sqlite",
            }


async def main_async(quick: bool) -> dict[str, Any]:
    render_n, smtp_n, pipe_n = (50, 50, 50) if quick else (500, 500, 500)
    say(f"render: {render_n} messages (template + letter PDF)")
    render = await asyncio.to_thread(bench_render, render_n)
    say(f"  {render['per_second']} msg/s ({render['ms_per_message']} ms each)")
    broker = LocalBroker()
    sink = SmtpSink()
    broker.start()
    sink.start()
    try:
        broker.create_topics(all_topics())
        say(f"smtp: {smtp_n} messages to aiosmtpd on loopback")
        smtp = await bench_smtp(smtp_n, sink, concurrency=8)
        say(f"  {smtp['per_second']} msg/s ({smtp['accepted']} accepted)")
        say(f"pipeline: {pipe_n} ReminderDue → rendered, recorded, sent, marked sent")
        pipeline = await bench_pipeline(pipe_n, sink, broker)
        say(
            f"  {pipeline['per_second']} msg/s ({pipeline['sent']} sent in {pipeline['seconds']} s)"
        )
    finally:
        sink.stop()
        broker.stop()
    return {
        "benchmark": "notification-render-send",
        "quick": quick,
        "at": datetime.now(UTC).isoformat(),
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or "?"},
        "render": render,
        "smtp": smtp,
        "pipeline": pipeline,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small run to check the harness")
    args = parser.parse_args(argv)
    result = asyncio.run(main_async(args.quick))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"render-send-{stamp}.json"
    out.write_text(json.dumps(result, indent=2))
    say(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
