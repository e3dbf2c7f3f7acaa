"""E-mail over SMTP (aiosmtplib): the letter as text and HTML, with the PDF attached.

The exchange is split where the outcome changes meaning: anything that fails before the
DATA command (connect, MAIL FROM, RCPT TO) certainly sent nothing; a reply code to DATA is a
definite answer; losing the connection or timing out during DATA leaves the outcome unknown
(the server may have queued the message) -- the sender flags that for ops instead of
sending again.
"""

from __future__ import annotations

import contextlib
import email.policy
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

import aiosmtplib

from notification_service.adapters.outcome import Outcome

SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
# RFC 5322 allows 998 characters per line; 78 would fold the Message-ID, which some servers
# and log searches then see with a leading space.
POLICY = email.policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True, slots=True)
class Letter:
    message_id_header: str
    sender_name: str
    recipient: str
    subject: str
    text: str
    html: str | None
    language: str
    pdf: bytes | None
    pdf_name: str
    sent_at: datetime
    reference: str


def build_email(letter: Letter, from_address: str) -> EmailMessage:
    msg = EmailMessage(policy=POLICY)
    msg["Message-ID"] = letter.message_id_header
    msg["Date"] = format_datetime(letter.sent_at)
    msg["From"] = formataddr((letter.sender_name, from_address))
    msg["To"] = letter.recipient
    msg["Subject"] = letter.subject
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Creditmgmt-Reference"] = letter.reference
    msg.set_content(letter.text)
    if letter.html:
        msg.add_alternative(letter.html, subtype="html")
    if letter.pdf:
        name = SAFE_FILENAME.sub("-", letter.pdf_name).strip("-") or "letter"
        msg.add_attachment(
            letter.pdf, maintype="application", subtype="pdf", filename=f"{name}.pdf"
        )
    # After the body: building the MIME parts moves Content-* headers into the parts.
    msg["Content-Language"] = letter.language
    return msg


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    from_address: str
    timeout: float = 30.0
    username: str | None = None
    password: str | None = None
    starttls: bool = False


def _answered(exc: aiosmtplib.SMTPResponseException) -> Outcome:
    """The server answered with a code: a definite outcome (5xx for good, 4xx for now)."""
    detail = f"{exc.code} {exc.message}"
    if exc.code >= 500:
        return Outcome("rejected", detail, exc.code)
    return Outcome("not_sent", detail, exc.code)


class SmtpMailer:
    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    async def send(self, message: EmailMessage, recipient: str) -> Outcome:
        c = self.config
        client = aiosmtplib.SMTP(
            hostname=c.host,
            port=c.port,
            timeout=c.timeout,
            start_tls=c.starttls if c.starttls else False,
        )
        try:
            try:
                await client.connect()
                if c.username and c.password:
                    await client.login(c.username, c.password)
                await client.mail(c.from_address)
                await client.rcpt(recipient)
            except aiosmtplib.SMTPResponseException as exc:
                return _answered(exc)
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                return Outcome("not_sent", f"{type(exc).__name__}: {exc}")
            try:
                response = await client.data(message.as_bytes())
            except aiosmtplib.SMTPResponseException as exc:
                return _answered(exc)
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                return Outcome("unknown", f"during DATA: {type(exc).__name__}: {exc}")
            return Outcome(
                "accepted",
                f"{response.code} {response.message}",
                response.code,
                proof={
                    "smtp_response": f"{response.code} {response.message}",
                    "message_id": str(message["Message-ID"]),
                    "smtp_server": f"{c.host}:{c.port}",
                },
            )
        finally:
            with contextlib.suppress(Exception):
                if client.is_connected:
                    await client.quit()
            with contextlib.suppress(Exception):
                client.close()
