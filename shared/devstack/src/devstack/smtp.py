"""A local SMTP sink: accepts every message and keeps it (in memory and as .eml files)."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from eventkit.localbroker import free_port


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else raw.encode()
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)  # noqa: S101 - the default policy builds these
        self._sink.store(
            ReceivedMail(str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], message),
            data,
        )
        return "250 Message accepted"


class SmtpSink:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, maildir: Path | None = None):
        self.host = host
        self._requested_port = port
        self.maildir = maildir
        self.messages: list[ReceivedMail] = []
        self._lock = threading.Lock()
        self._controller: Any = None
        self.port = port

    def start(self) -> None:
        if self.maildir:
            self.maildir.mkdir(parents=True, exist_ok=True)
        self.port = self._requested_port or free_port()
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def store(self, mail: ReceivedMail, raw: bytes) -> None:
        with self._lock:
            self.messages.append(mail)
            index = len(self.messages)
        if self.maildir:
            (self.maildir / f"{index:06d}.eml").write_bytes(raw)
