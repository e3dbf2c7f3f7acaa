"""Messages: one rendered communication to one recipient over one channel.

A message's id is derived, never drawn: ``uuid5(tenant | cause | channel | recipient)``. The
same reminder delivered twice, replayed after a rebuild or handled by two replicas names the
same message, so the database's primary key is what makes "never two messages for one
reminder" hold. The id is also the SMTP ``Message-ID``, the webhook ``webhook-id`` and the
SMS provider's idempotency key.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Channel = Literal["email", "letter", "sms", "webhook"]
CHANNELS: tuple[Channel, ...] = ("email", "letter", "sms", "webhook")
DEBTOR_CHANNELS: tuple[Channel, ...] = ("email", "letter", "sms")

Status = Literal[
    "pending",  # intent recorded; the sender will hand it to its channel
    "sending",  # claimed by a sender; the exchange with the outside world is under way
    "sent",  # accepted by the SMTP server / provider / print queue (proof recorded)
    "delivered",  # confirmed by the receiver (webhook 2xx, delivery report, registered mail)
    "failed",  # refused or bounced for good; the fallback channel (if any) took over
    "needs_ops",  # outcome unknown or not sendable as it is: a person decides
    "dead",  # a webhook that failed its last attempt (dead letter)
    "skipped",  # recorded but deliberately not sent (stale reminder from a replay)
    "cancelled",  # ops decided not to send
]
OPEN_STATUSES: tuple[Status, ...] = ("pending", "sending")

NAMESPACE = uuid.UUID("6f1d4c56-3c1e-5b7e-9a35-8e4ab1f0c2d7")


def normalise_recipient(channel: str, recipient: str) -> str:
    text = " ".join(recipient.split())
    return text.lower() if channel == "email" else text


def message_id(tenant_id: str, cause_key: str, channel: str, recipient: str) -> str:
    name = f"{tenant_id}|{cause_key}|{channel}|{normalise_recipient(channel, recipient)}"
    return str(uuid.uuid5(NAMESPACE, name))


def smtp_message_id(msg_id: str, domain: str) -> str:
    return f"<{msg_id}@{domain}>"


@dataclass(frozen=True, slots=True)
class Contact:
    """Where the debtor can be reached."""

    name: str
    email: str | None = None
    phone: str | None = None
    address: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Preferences:
    """The debtor's channels, in order of preference; ``None`` = no preference recorded."""

    channels: tuple[Channel, ...] | None = None


def recipient_for(channel: str, contact: Contact) -> str | None:
    if channel == "email":
        return contact.email or None
    if channel == "sms":
        return contact.phone or None
    if channel == "letter":
        lines = [contact.name, *contact.address]
        return "\n".join(line for line in lines if line) if contact.address else None
    return None


def channel_chain(
    requested: str,
    contact: Contact,
    preferences: Preferences,
    *,
    sms_available: bool,
    always_letter: bool = False,
) -> list[Channel]:
    """The channels to try, in order: the one dunning asked for, then the debtor's other
    preferred channels, then a letter; only channels the debtor can be reached on. A debtor's
    preferences exclude the channels they do not list, except the letter: the last resort
    of any legal notice. ``always_letter`` puts the letter first (formal notices go by post)."""
    order: list[Channel] = []
    preferred = list(preferences.channels or ())
    wanted: list[str] = [requested, *preferred, "email", "letter"]
    if always_letter:
        wanted = ["letter", *wanted]
    for name in wanted:
        if name not in DEBTOR_CHANNELS or name in order:
            continue
        channel: Channel = name
        if preferences.channels is not None and channel not in preferred and channel != "letter":
            continue
        # An SMS carries no legal content: only when it is what was asked for.
        if channel == "sms" and (not sms_available or requested != "sms"):
            continue
        if recipient_for(channel, contact) is None:
            continue
        order.append(channel)
    return order


def plan_channels(chain: Sequence[Channel]) -> tuple[Channel | None, list[Channel]]:
    """The channel to use now and the fallbacks after it."""
    if not chain:
        return None, []
    return chain[0], list(chain[1:])
