"""The per-runtime parts of notification-service that consumers, sender and API share."""

from __future__ import annotations

import weakref

from eventkit.runtime import Runtime
from notification_service.application.messaging import Messaging
from notification_service.application.sender import Sender
from notification_service.domain.catalog import shipped_defaults
from notification_service.domain.rendering import Renderer
from notification_service.settings import Settings

_messaging: weakref.WeakKeyDictionary[Runtime, Messaging] = weakref.WeakKeyDictionary()
_senders: weakref.WeakKeyDictionary[Runtime, Sender] = weakref.WeakKeyDictionary()


def messaging_for(rt: Runtime) -> Messaging:
    """The one Messaging of a runtime (consumers, sender and API share it)."""
    found = _messaging.get(rt)
    if found is None:
        settings = (
            rt.settings
            if isinstance(rt.settings, Settings)
            else Settings(**rt.settings.model_dump())
        )
        defaults = shipped_defaults()
        found = Messaging(
            writer=rt.writer,
            clock=rt.clock,
            settings=settings,
            defaults=defaults,
            renderer=Renderer(defaults.partials),
            producer=rt.definition.name,
        )
        _messaging[rt] = found
    return found


def sender_for(rt: Runtime) -> Sender:
    found = _senders.get(rt)
    if found is None:
        found = Sender(messaging_for(rt), rt.db)
        _senders[rt] = found
    return found
