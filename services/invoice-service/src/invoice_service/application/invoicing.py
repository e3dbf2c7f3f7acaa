"""Commands of invoice-service: register debtors, issue invoices, flag overdue invoices."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.invoicing import (
    DebtorProfile,
    EarlyPaymentDiscount,
    InvoiceIssued,
    InvoiceLine,
    InvoiceTermsSet,
    PaymentOverdue,
)
from contracts.references import PaymentReferenceScheme
from eventkit.api import FieldProblem, Problem
from eventkit.clock import start_of_business_day
from eventkit.db import affected
from eventkit.envelope import Envelope, new_envelope
from eventkit.runtime import Runtime
from eventkit.store import ConcurrencyError
from eventkit.timekeeping import Sweep
from eventkit.uow import UnitOfWork
from invoice_service.domain.model import Debtor, Invoice
from invoice_service.domain.payment_refs import (
    MAX_REFERENCE_LENGTH,
    ClassifiedReference,
    ReferenceRejected,
    classify_reference,
    generate_reference,
    scheme_for_country,
)
from invoice_service.projections.tables import debtors, invoices, tenant_settings

CENT = Decimal("0.01")
OPEN_STATUSES = ("open", "partially_paid")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    net_amount: Decimal | None = None
    vat_amount: Decimal | None = None


@dataclass(frozen=True)
class IssueInvoice:
    tenant_id: str
    invoice_number: str
    debtor_ref: str
    issue_date: date
    due_date: date | None
    currency: str
    lines: Sequence[LineInput]
    amount_due: Decimal
    net_total: Decimal | None = None
    vat_total: Decimal | None = None
    payment_reference: str | None = None
    po_number: str | None = None
    debtor: DebtorProfile | None = None
    request_body: dict[str, Any] | None = None
    net_days: int | None = None
    discount_percent: Decimal | None = None
    discount_days: int | None = None
    # Totals already checked against the document's own rules (UBL/Peppol BIS arithmetic, with
    # allowances, charges and prepaid amounts): take them as stated.
    external_totals: bool = False


@dataclass(frozen=True)
class IssueResult:
    outcome: Literal["created", "replayed"]
    invoice: dict[str, Any]


def request_hash(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- debtors ---------------------------------------------------------------------------------


async def register_debtor(
    rt: Runtime, tenant_id: str, debtor_ref: str, profile: DebtorProfile
) -> Literal["created", "updated", "unchanged"]:
    for _ in range(5):
        try:
            async with rt.uow() as uow:
                return await _register_debtor(uow, tenant_id, debtor_ref, profile)
        except ConcurrencyError:
            continue
    raise Problem(409, "Conflict", f"debtor {debtor_ref!r} is being changed concurrently")


async def _register_debtor(
    uow: UnitOfWork, tenant_id: str, debtor_ref: str, profile: DebtorProfile
) -> Literal["created", "updated", "unchanged"]:
    debtor = await uow.load(Debtor, tenant_id, debtor_ref)
    existed = debtor.exists
    if not debtor.register_or_update(profile):
        return "unchanged"
    row = {
        "legal_name": profile.legal_name,
        "kind": profile.kind,
        "country": profile.country,
        "language": profile.language,
        "profile": profile.model_dump(mode="json"),
        "version": debtor.version,
        "updated_at": uow.clock.now(),
    }
    if existed:
        await uow.session.execute(
            update(debtors)
            .where(debtors.c.tenant_id == tenant_id, debtors.c.debtor_ref == debtor_ref)
            .values(**row)
        )
        return "updated"
    await uow.session.execute(
        debtors.insert().values(tenant_id=tenant_id, debtor_ref=debtor_ref, **row)
    )
    return "created"


async def find_debtor(
    session: AsyncSession, tenant_id: str, debtor_ref: str
) -> DebtorProfile | None:
    profile = await session.scalar(
        select(debtors.c.profile).where(
            debtors.c.tenant_id == tenant_id, debtors.c.debtor_ref == debtor_ref
        )
    )
    return DebtorProfile.model_validate(profile) if profile is not None else None


# --- payment reference policy ----------------------------------------------------------------


@dataclass(frozen=True)
class ReferencePolicy:
    """Which reference new invoices of a tenant get, from the creditor's country."""

    creditor_country: str
    scheme: PaymentReferenceScheme


def default_creditor_country(rt: Runtime) -> str:
    return str(getattr(rt.settings, "default_creditor_country", "BE"))


async def reference_policy(
    session: AsyncSession, tenant_id: str, default_country: str
) -> ReferencePolicy:
    row = (
        await session.execute(
            select(tenant_settings.c.creditor_country, tenant_settings.c.reference_scheme).where(
                tenant_settings.c.tenant_id == tenant_id
            )
        )
    ).first()
    country = row.creditor_country if row is not None else default_country.upper()
    chosen = row.reference_scheme if row is not None else None
    return ReferencePolicy(country, chosen or scheme_for_country(country))


MAX_REFERENCE_ATTEMPTS = 50


async def free_references(
    session: AsyncSession, tenant_id: str, policy: ReferencePolicy, numbers: Sequence[str]
) -> dict[str, str]:
    """A new reference per invoice number that no invoice of the tenant carries yet (a
    reference must name one invoice, or a payment quoting it could pay another debtor's)."""
    chosen: dict[str, str] = {}
    pending = list(dict.fromkeys(numbers))
    for attempt in range(MAX_REFERENCE_ATTEMPTS):
        if not pending:
            return chosen
        candidates = {n: generate_reference(policy.scheme, tenant_id, n, attempt) for n in pending}
        taken = set(
            (
                await session.execute(
                    select(invoices.c.payment_reference).where(
                        invoices.c.tenant_id == tenant_id,
                        invoices.c.payment_reference.in_(sorted(set(candidates.values()))),
                    )
                )
            ).scalars()
        )
        taken.update(chosen.values())
        retry = []
        for number, candidate in candidates.items():
            if candidate in taken:
                retry.append(number)
            else:
                chosen[number] = candidate
                taken.add(candidate)
        pending = retry
    raise Problem(409, "Conflict", "no free payment reference could be generated; retry")


async def set_reference_policy(
    rt: Runtime, tenant_id: str, creditor_country: str, scheme: PaymentReferenceScheme | None
) -> ReferencePolicy:
    values = {
        "creditor_country": creditor_country,
        "reference_scheme": scheme,
        "updated_at": rt.clock.now(),
    }
    for _ in range(3):
        try:
            async with rt.db.transaction() as session:
                changed = await session.execute(
                    update(tenant_settings)
                    .where(tenant_settings.c.tenant_id == tenant_id)
                    .values(**values)
                )
                if not affected(changed):
                    await session.execute(
                        tenant_settings.insert().values(tenant_id=tenant_id, **values)
                    )
                return await reference_policy(session, tenant_id, default_creditor_country(rt))
        except IntegrityError:
            continue  # a concurrent first write won: update it
    raise Problem(409, "Conflict", "the settings are being changed concurrently; retry")


# --- invoices --------------------------------------------------------------------------------


def validate_invoice(
    cmd: IssueInvoice, debtor: DebtorProfile | None, policy: ReferencePolicy
) -> tuple[list[FieldProblem], list[InvoiceLine], Decimal, Decimal]:
    """Every finding at once: amounts add up, dates coherent, references valid, debtor known,
    PO present where the debtor requires one."""
    problems: list[FieldProblem] = []
    if debtor is None:
        problems.append(
            FieldProblem("debtor_ref", "unknown debtor: register it first or send 'debtor'")
        )
    lines: list[InvoiceLine] = []
    if cmd.external_totals:
        return (
            problems + _date_and_reference_problems(cmd, debtor, policy),
            _stated_lines(cmd),
            (money(cmd.net_total or Decimal(0))),
            money(cmd.vat_total or Decimal(0)),
        )
    for i, line in enumerate(cmd.lines):
        net = money(line.quantity * line.unit_price)
        if line.net_amount is not None and money(line.net_amount) != net:
            problems.append(
                FieldProblem(
                    f"lines[{i}].net_amount",
                    f"quantity × unit price is {net}, not {money(line.net_amount)}",
                )
            )
        vat = money(net * line.vat_rate / 100)
        if line.vat_amount is not None and abs(money(line.vat_amount) - vat) > CENT:
            problems.append(
                FieldProblem(f"lines[{i}].vat_amount", f"{line.vat_rate} % of {net} is {vat}")
            )
            vat = money(line.vat_amount)
        elif line.vat_amount is not None:
            vat = money(line.vat_amount)
        lines.append(
            InvoiceLine(
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                net_amount=net,
                vat_rate=line.vat_rate,
                vat_amount=vat,
            )
        )
    net_total = sum((ln.net_amount for ln in lines), Decimal("0"))
    vat_total = sum((ln.vat_amount for ln in lines), Decimal("0"))
    if cmd.net_total is not None and money(cmd.net_total) != net_total:
        problems.append(FieldProblem("net_total", f"the lines add up to {net_total}"))
    if cmd.vat_total is not None and abs(money(cmd.vat_total) - vat_total) > CENT * len(lines):
        problems.append(FieldProblem("vat_total", f"the lines' VAT adds up to {vat_total}"))
    if cmd.vat_total is not None:
        vat_total = money(cmd.vat_total)
    if money(cmd.amount_due) != money(net_total + vat_total):
        problems.append(
            FieldProblem(
                "amount_due", f"net {net_total} + VAT {vat_total} = {net_total + vat_total}"
            )
        )
    problems.extend(_date_and_reference_problems(cmd, debtor, policy))
    return problems, lines, net_total, vat_total


def _date_and_reference_problems(
    cmd: IssueInvoice, debtor: DebtorProfile | None, policy: ReferencePolicy
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if cmd.amount_due <= 0:
        problems.append(FieldProblem("amount_due", "must be positive (use a credit note)"))
    if cmd.due_date is not None and cmd.due_date < cmd.issue_date:
        problems.append(FieldProblem("due_date", "is before issue_date"))
    if cmd.payment_reference and cmd.payment_reference.strip():
        try:
            given = classify_reference(cmd.payment_reference, policy.creditor_country)
        except ReferenceRejected as exc:
            problems.append(FieldProblem("payment_reference", str(exc)))
        else:
            if len(given.value) > MAX_REFERENCE_LENGTH:
                problems.append(
                    FieldProblem("payment_reference", f"at most {MAX_REFERENCE_LENGTH} characters")
                )
    if debtor is not None and debtor.po_required and not cmd.po_number:
        problems.append(FieldProblem("po_number", "this debtor requires a purchase order number"))
    return problems


def _stated_lines(cmd: IssueInvoice) -> list[InvoiceLine]:
    lines = []
    for line in cmd.lines:
        net = money(line.net_amount if line.net_amount is not None else Decimal(0))
        vat = (
            money(line.vat_amount)
            if line.vat_amount is not None
            else money(net * line.vat_rate / 100)
        )
        lines.append(
            InvoiceLine(
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                net_amount=net,
                vat_rate=line.vat_rate,
                vat_amount=vat,
            )
        )
    return lines


STATUTORY_MAX_TERM_DAYS = 60  # BE and NL B2B; longer only if expressly agreed


def invoice_due_date(cmd: IssueInvoice, debtor: DebtorProfile) -> date:
    if cmd.due_date is not None:
        return cmd.due_date
    days = cmd.net_days if cmd.net_days is not None else debtor.payment_terms_days
    return cmd.issue_date + timedelta(days=days)


def invoice_terms(
    cmd: IssueInvoice, debtor: DebtorProfile, due: date, reference: ClassifiedReference
) -> InvoiceTermsSet:
    """Early-payment discount and the findings that do not block the invoice."""
    warnings: list[str] = [reference.warning] if reference.warning else []
    term = (due - cmd.issue_date).days
    if debtor.kind == "B2B" and term > STATUTORY_MAX_TERM_DAYS:
        warnings.append(
            f"payment term of {term} days exceeds the statutory maximum of "
            f"{STATUTORY_MAX_TERM_DAYS} days for B2B (valid only if expressly agreed and not "
            "grossly unfair to the creditor)"
        )
    discount = None
    if cmd.discount_percent and cmd.discount_days is not None:
        discount = EarlyPaymentDiscount(
            percent=cmd.discount_percent,
            until=cmd.issue_date + timedelta(days=cmd.discount_days),
            amount=money(cmd.amount_due * (100 - cmd.discount_percent) / 100),
        )
    return InvoiceTermsSet(
        invoice_number=cmd.invoice_number,
        debtor_ref=cmd.debtor_ref,
        discount=discount,
        warnings=warnings,
    )


def invoice_view(row: Any) -> dict[str, Any]:
    m = row._mapping
    return {
        "invoice_number": m["invoice_number"],
        "debtor_ref": m["debtor_ref"],
        "issue_date": m["issue_date"].isoformat(),
        "due_date": m["due_date"].isoformat(),
        "currency": m["currency"],
        "amount_due": format(money(Decimal(m["amount_due"])), "f"),
        "open_amount": format(money(Decimal(m["open_amount"])), "f"),
        "payment_reference": m["payment_reference"],
        "payment_reference_scheme": m["payment_reference_scheme"] or "unstructured",
        "status": m["status"],
        "overdue_since": m["overdue_since"].isoformat() if m["overdue_since"] else None,
        "version": m["version"],
        "early_payment_discount": {
            "amount": format(money(Decimal(m["discount_amount"])), "f"),
            "until": m["discount_until"].isoformat(),
        }
        if m["discount_amount"] is not None
        else None,
        "warnings": list(m["warnings"] or []),
    }


async def _existing(session: AsyncSession, tenant_id: str, number: str) -> Any:
    return (
        await session.execute(
            select(invoices).where(
                invoices.c.tenant_id == tenant_id, invoices.c.invoice_number == number
            )
        )
    ).first()


def _replay_or_conflict(row: Any, digest: str) -> IssueResult:
    if row.request_hash != digest:
        raise Problem(
            409,
            "Conflict",
            f"invoice {row.invoice_number!r} exists with different content",
            kind="invoice-number-conflict",
            errors=[FieldProblem("invoice_number", "already used for a different invoice")],
        )
    return IssueResult("replayed", invoice_view(row))


async def issue_invoice(rt: Runtime, cmd: IssueInvoice) -> IssueResult:
    """Idempotent on (tenant, invoice number): same body → same result, other body → 409."""
    digest = request_hash(cmd.request_body or {})
    for _ in range(5):
        try:
            async with rt.uow() as uow:
                return await _issue(uow, cmd, digest, default_creditor_country(rt))
        except ConcurrencyError:
            continue  # a concurrent request with the same number won; answer as a replay
    raise Problem(409, "Conflict", "invoice is being written concurrently; retry")


async def _issue(
    uow: UnitOfWork, cmd: IssueInvoice, digest: str, default_country: str
) -> IssueResult:
    session = uow.session
    existing = await _existing(session, cmd.tenant_id, cmd.invoice_number)
    if existing is not None:
        return _replay_or_conflict(existing, digest)
    if cmd.debtor is not None:
        await _register_debtor(uow, cmd.tenant_id, cmd.debtor_ref, cmd.debtor)
        debtor: DebtorProfile | None = cmd.debtor
    else:
        debtor = await find_debtor(session, cmd.tenant_id, cmd.debtor_ref)
    policy = await reference_policy(session, cmd.tenant_id, default_country)
    generated = None
    if not (cmd.payment_reference and cmd.payment_reference.strip()):
        generated = (await free_references(session, cmd.tenant_id, policy, [cmd.invoice_number]))[
            cmd.invoice_number
        ]
    invoice, row = prepare_invoice(cmd, debtor, digest, uow.clock.now(), policy, generated)
    uow.track(invoice)
    await session.execute(invoices.insert().values(**row))
    stored = await _existing(session, cmd.tenant_id, cmd.invoice_number)
    return IssueResult("created", invoice_view(stored))


def prepare_invoice(
    cmd: IssueInvoice,
    debtor: DebtorProfile | None,
    digest: str,
    now: datetime,
    policy: ReferencePolicy,
    generated: str | None,
) -> tuple[Invoice, dict[str, Any]]:
    """Validate and build the aggregate (with its new events) and the read-model row; raises
    ``Problem`` (422) listing every finding. ``generated`` is the reference issued for an
    invoice that came without one."""
    problems, lines, net_total, vat_total = validate_invoice(cmd, debtor, policy)
    if problems or debtor is None:
        raise Problem(
            422,
            "Invoice rejected",
            f"{len(problems)} finding(s); nothing was stored",
            kind="invoice-validation",
            errors=problems,
        )
    due = invoice_due_date(cmd, debtor)
    if generated is not None:
        classified = ClassifiedReference(policy.scheme, generated)
    else:
        classified = classify_reference(cmd.payment_reference or "", policy.creditor_country)
    reference = classified.value
    terms = invoice_terms(cmd, debtor, due, classified)
    event = InvoiceIssued(
        invoice_number=cmd.invoice_number,
        debtor_ref=cmd.debtor_ref,
        debtor_kind=debtor.kind,
        issue_date=cmd.issue_date,
        due_date=due,
        currency=cmd.currency,
        net_total=net_total,
        vat_total=vat_total,
        amount_due=money(cmd.amount_due),
        payment_reference=reference,
        payment_reference_scheme=classified.scheme,
        po_number=cmd.po_number,
        lines=lines,
    )
    invoice = Invoice(cmd.tenant_id, cmd.invoice_number)
    invoice.issue(event, terms)
    row = {
        "tenant_id": cmd.tenant_id,
        "invoice_number": cmd.invoice_number,
        "debtor_ref": cmd.debtor_ref,
        "issue_date": cmd.issue_date,
        "due_date": due,
        "currency": cmd.currency,
        "amount_due": event.amount_due,
        "open_amount": event.amount_due,
        "payment_reference": reference,
        "payment_reference_scheme": classified.scheme,
        "status": "open",
        "overdue_since": None,
        "request_hash": digest,
        "document": event.model_dump(mode="json"),
        "version": invoice.version,
        "created_at": now,
        "discount_amount": terms.discount.amount if terms.discount else None,
        "discount_until": terms.discount.until if terms.discount else None,
        "warnings": terms.warnings or None,
    }
    return invoice, row


# --- the daily sweep -------------------------------------------------------------------------


def overdue_sweep(rt: Runtime) -> Sweep:
    """PaymentOverdue, once per invoice, on the first business day after the due date on which
    a balance is open. One set-based select and one set-based update per day."""

    async def sweep(session: AsyncSession, business_date: date) -> Sequence[Envelope]:
        predicate = (
            invoices.c.status.in_(OPEN_STATUSES),
            invoices.c.overdue_since.is_(None),
            invoices.c.due_date < business_date,
            invoices.c.open_amount > 0,
        )
        # Mark and fetch in one statement so that exactly the marked rows get an event.
        rows = (
            await session.execute(
                update(invoices)
                .where(*predicate)
                .values(overdue_since=business_date, version=invoices.c.version + 1)
                .returning(
                    invoices.c.tenant_id,
                    invoices.c.invoice_number,
                    invoices.c.debtor_ref,
                    invoices.c.due_date,
                    invoices.c.open_amount,
                    invoices.c.currency,
                    invoices.c.version,
                )
            )
        ).all()
        if not rows:
            return []
        stamp = start_of_business_day(business_date, rt.settings.business_timezone)
        envelopes = [
            new_envelope(
                PaymentOverdue(
                    invoice_number=r.invoice_number,
                    debtor_ref=r.debtor_ref,
                    due_date=r.due_date,
                    overdue_since=business_date,
                    open_amount=money(Decimal(r.open_amount)),
                    currency=r.currency,
                ),
                tenant_id=r.tenant_id,
                aggregate_type=Invoice.aggregate_type,
                aggregate_id=r.invoice_number,
                aggregate_version=r.version,
                clock=rt.clock,
                producer=rt.definition.name,
                partition_key=f"{r.tenant_id}:{r.debtor_ref}",
                occurred_at=stamp,
            )
            for r in rows
        ]
        return envelopes

    return sweep
