"""Reading the configuration a message is made from: the tenant as sender, the debtor's
contact details and preferences, and the template in force."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.invoicing import PostalAddress
from notification_service.domain.catalog import Defaults
from notification_service.domain.context import Creditor, Debtor
from notification_service.domain.messages import Preferences
from notification_service.domain.rendering import TemplateSource
from notification_service.projections.tables import (
    channel_preferences,
    dossier_entries,
    message_templates,
    tenant_senders,
)

PROFILE_EVENTS = ("invoicing.DebtorRegistered", "invoicing.DebtorUpdated")


def creditor_from(tenant_id: str, profile: dict[str, Any] | None) -> Creditor:
    data = profile or {}
    return Creditor(
        name=data.get("name") or tenant_id,
        enterprise_number=data.get("enterprise_number"),
        vat_number=data.get("vat_number"),
        address=tuple(data.get("address") or ()),
        email=data.get("email"),
        phone=data.get("phone"),
        iban=data.get("iban"),
        bic=data.get("bic"),
        website=data.get("website"),
        city=data.get("city"),
        country=data.get("country") or "BE",
        postal_code=data.get("postal_code"),
    )


async def sender_profile(session: AsyncSession, tenant_id: str) -> dict[str, Any] | None:
    found = await session.scalar(
        select(tenant_senders.c.profile).where(tenant_senders.c.tenant_id == tenant_id)
    )
    return dict(found) if found else None


async def load_creditor(session: AsyncSession, tenant_id: str) -> tuple[Creditor, bool]:
    """The tenant as sender; the flag says whether a profile was configured at all."""
    profile = await sender_profile(session, tenant_id)
    return creditor_from(tenant_id, profile), profile is not None


async def load_preferences(
    session: AsyncSession, tenant_id: str, debtor_ref: str
) -> tuple[Preferences, str | None, str | None]:
    """Preferred channels plus the e-mail address and phone the debtor asked us to use."""
    row = (
        (
            await session.execute(
                select(channel_preferences).where(
                    channel_preferences.c.tenant_id == tenant_id,
                    channel_preferences.c.debtor_ref == debtor_ref,
                )
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return Preferences(), None, None
    return Preferences(tuple(row["channels"])), row["email"], row["phone"]


async def load_debtor(session: AsyncSession, tenant_id: str, debtor_ref: str) -> Debtor | None:
    """The debtor as the latest DebtorRegistered/DebtorUpdated in the dossier describes it."""
    payload = await session.scalar(
        select(dossier_entries.c.payload)
        .where(
            dossier_entries.c.tenant_id == tenant_id,
            dossier_entries.c.debtor_ref == debtor_ref,
            dossier_entries.c.event_type.in_(PROFILE_EVENTS),
        )
        .order_by(dossier_entries.c.occurred_at.desc(), dossier_entries.c.event_id.desc())
        .limit(1)
    )
    if not payload:
        return None
    profile = payload.get("profile") or {}
    raw = dict(profile.get("address") or {})
    raw["country"] = (raw.get("country") or profile.get("country") or "").upper()
    postal = PostalAddress.model_validate(raw)
    city = f"{postal.postal_code} {postal.city}".strip()
    return Debtor(
        ref=debtor_ref,
        name=profile.get("legal_name") or debtor_ref,
        language=profile.get("language") or "en",
        kind=profile.get("kind"),
        country=profile.get("country"),
        email=profile.get("email"),
        phone=profile.get("phone"),
        address=tuple(line for line in (postal.street, city) if line),
        postal=postal,
    )


async def tenant_template(
    session: AsyncSession, tenant_id: str, key: str, language: str
) -> TemplateSource | None:
    row = (
        (
            await session.execute(
                select(message_templates).where(
                    message_templates.c.tenant_id == tenant_id,
                    message_templates.c.template_key == key,
                    message_templates.c.language == language,
                )
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return TemplateSource(
        key=key,
        language=language,
        subject=row["subject"],
        text=row["text"],
        html=row["html"],
        sms=row["sms"],
        origin="tenant",
    )


async def template_in_force(
    session: AsyncSession, defaults: Defaults, tenant_id: str, key: str, language: str
) -> TemplateSource | None:
    """The tenant's template, else the shipped default, in the debtor's language only: a
    letter never falls back to another language."""
    own = await tenant_template(session, tenant_id, key, language)
    if own is not None:
        return own
    return defaults.get(key, language)
