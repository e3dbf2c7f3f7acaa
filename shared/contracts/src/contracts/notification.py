"""Events published by notification-service (context ``notification``)."""

from __future__ import annotations

from typing import Literal

from eventkit.events import DomainEvent

MessageChannel = Literal["email", "letter", "sms", "webhook"]


class NotificationSent(DomainEvent):
    event_type = "notification.NotificationSent"
    message_id: str
    debtor_ref: str
    channel: MessageChannel
    recipient: str
    template_key: str
    language: str
    caused_by: str
    proof: str


class NotificationDelivered(DomainEvent):
    event_type = "notification.NotificationDelivered"
    message_id: str
    debtor_ref: str
    channel: MessageChannel


class NotificationFailed(DomainEvent):
    event_type = "notification.NotificationFailed"
    message_id: str
    debtor_ref: str
    channel: MessageChannel
    reason: str
    fallback_channel: MessageChannel | None = None
    needs_ops: bool = False
