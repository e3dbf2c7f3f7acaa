"""The daily dunning sweep (the runtime's ``sweep``), in the timekeeper's transaction.

In order, for the business date D:
1. cases without a policy get one, new items get their first step date (set-based);
2. holds that lift themselves: expired manual holds, promises kept or broken, payment plans
   completed or defaulted (only the holds concerned are visited);
3. the due items are selected in one query, composed into one reminder per debtor and step,
   and advanced in one UPDATE. Python visits only the due items, never all open invoices.
Everything reads the state as it is in this transaction: an invoice paid, credited or
disputed before the sweep is not selected, even if its step was due today.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.calendar import is_business_day
from contracts.dunning import Instalment
from dunning_service.application.composition import (
    DebtorContact,
    case_history,
    compose_group,
    contact_of,
    escalation_event,
    log_reminders,
    reminder_event,
    reminder_log_row,
)
from dunning_service.application.policies import PolicyKey, ensure_builtin_policies, load_policies
from dunning_service.application.scheduling import (
    advance_due,
    resolve_case_policies,
    schedule_new_items,
    select_due,
)
from dunning_service.application.streams import (
    business_moment,
    load,
    new_id,
    pending_envelopes,
    single_event,
)
from dunning_service.domain.holds import (
    ManualHold,
    PaymentPlan,
    PromiseToPay,
    first_missed_instalment,
)
from dunning_service.domain.reminders import DueItem
from dunning_service.projections.case_tables import (
    dunning_cases,
    dunning_debtor_contacts,
    dunning_items,
    manual_holds,
    payment_plans,
    promises,
    worklist_tasks,
)
from dunning_service.projections.projector import OPEN
from dunning_service.projections.tables import dunning_debtors, open_items
from eventkit.envelope import Envelope
from eventkit.runtime import Runtime
from eventkit.timekeeping import Sweep

ZERO = Decimal("0.00")


def dunning_sweep(rt: Runtime) -> Sweep:
    creditor_is_sme = bool(getattr(rt.settings, "creditor_is_sme", False))

    async def sweep(session: AsyncSession, business_date: date) -> Sequence[Envelope]:
        day = DunningDay(rt, session, business_date, creditor_is_sme)
        return await day.run()

    return sweep


@dataclass
class DunningDay:
    rt: Runtime
    session: AsyncSession
    business_date: date
    creditor_is_sme: bool

    def __post_init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.tasks: list[dict[str, Any]] = []
        self.moment = business_moment(self.rt, self.business_date)

    async def run(self) -> list[Envelope]:
        await ensure_builtin_policies(self.session, self.moment)
        await resolve_case_policies(self.session, self.business_date)
        await schedule_new_items(self.session)
        await self.lift_expired_holds()
        await self.settle_promises()
        await self.settle_plans()
        await self.run_due_steps()
        if self.tasks:
            await self.session.execute(insert(worklist_tasks), self.tasks)
        return self.envelopes

    def task(
        self,
        tenant_id: str,
        debtor_ref: str,
        kind: str,
        invoice_numbers: Sequence[str],
        detail: str,
        *,
        reference: str | None = None,
        step: int | None = None,
    ) -> None:
        self.tasks.append(
            {
                "tenant_id": tenant_id,
                "task_id": new_id(),
                "debtor_ref": debtor_ref,
                "kind": kind,
                "status": "open",
                "created_on": self.business_date,
                "reference": reference,
                "step": step,
                "invoice_numbers": list(invoice_numbers),
                "detail": detail,
            }
        )

    # --- holds ------------------------------------------------------------------------------

    async def lift_expired_holds(self) -> None:
        rows = (
            await self.session.execute(
                select(manual_holds.c.tenant_id, manual_holds.c.hold_id).where(
                    manual_holds.c.status == "active", manual_holds.c.until < self.business_date
                )
            )
        ).all()
        for row in rows:
            hold = await load(self.session, self.rt, ManualHold, row.tenant_id, row.hold_id)
            hold.lift(f"hold expired after {hold.until}")
            self.envelopes += pending_envelopes(self.rt, hold, self.moment)
            await self.session.execute(
                update(manual_holds)
                .where(
                    manual_holds.c.tenant_id == row.tenant_id,
                    manual_holds.c.hold_id == row.hold_id,
                )
                .values(status="lifted")
            )
            await self.session.execute(
                update(dunning_items)
                .where(
                    dunning_items.c.tenant_id == row.tenant_id,
                    dunning_items.c.manual_hold_id == row.hold_id,
                )
                .values(manual_hold_id=None, manual_hold_until=None)
            )

    async def _open_by_hold(self, table: Any, key: str, hold_column: Any) -> list[Any]:
        """Active holds with the amount still open on their items now."""
        open_now = func.sum(case((open_items.c.status == OPEN, open_items.c.open_amount), else_=0))
        return list(
            (
                await self.session.execute(
                    select(table.c.tenant_id, table.c[key], open_now.label("open_now"))
                    .select_from(
                        table.join(
                            dunning_items,
                            and_(
                                dunning_items.c.tenant_id == table.c.tenant_id,
                                dunning_items.c.debtor_ref == table.c.debtor_ref,
                                hold_column == table.c[key],
                            ),
                        ).join(
                            open_items,
                            and_(
                                open_items.c.tenant_id == dunning_items.c.tenant_id,
                                open_items.c.invoice_number == dunning_items.c.invoice_number,
                            ),
                        )
                    )
                    .where(table.c.status == "active")
                    .group_by(table.c.tenant_id, table.c[key])
                )
            ).all()
        )

    async def _still_open(self, tenant_id: str, hold_column: Any, hold_id: str) -> list[str]:
        rows = (
            await self.session.execute(
                select(dunning_items.c.invoice_number)
                .select_from(
                    dunning_items.join(
                        open_items,
                        and_(
                            open_items.c.tenant_id == dunning_items.c.tenant_id,
                            open_items.c.invoice_number == dunning_items.c.invoice_number,
                        ),
                    )
                )
                .where(
                    dunning_items.c.tenant_id == tenant_id,
                    hold_column == hold_id,
                    open_items.c.status == OPEN,
                    open_items.c.open_amount > 0,
                )
            )
        ).all()
        return sorted(r.invoice_number for r in rows)

    async def _release(self, tenant_id: str, hold_column: Any, hold_id: str) -> None:
        await self.session.execute(
            update(dunning_items)
            .where(dunning_items.c.tenant_id == tenant_id, hold_column == hold_id)
            .values({hold_column.name: None})
        )

    async def settle_promises(self) -> None:
        """Kept once payments since the promise cover its amount; broken the first business
        day after the promised date when they do not. Either way dunning resumes for what is
        still open."""
        for row in await self._open_by_hold(promises, "promise_id", dunning_items.c.promise_id):
            info = (
                await self.session.execute(
                    select(promises).where(
                        promises.c.tenant_id == row.tenant_id,
                        promises.c.promise_id == row.promise_id,
                    )
                )
            ).one()
            paid = Decimal(info.open_at_promise) - Decimal(row.open_now or 0)
            amount = Decimal(info.amount)
            if paid < amount and self.business_date <= info.promised_date:
                continue
            promise = await load(self.session, self.rt, PromiseToPay, row.tenant_id, row.promise_id)
            still_open = await self._still_open(
                row.tenant_id, dunning_items.c.promise_id, row.promise_id
            )
            if paid >= amount:
                promise.keep(self.business_date, still_open)
                status = "kept"
            else:
                missing = amount - paid
                promise.break_(self.business_date, missing, still_open)
                status = "broken"
                self.task(
                    row.tenant_id,
                    info.debtor_ref,
                    "promise_broken",
                    list(info.invoice_numbers),
                    f"promised {info.currency} {amount} by {info.promised_date}; "
                    f"{info.currency} {missing} missing",
                    reference=row.promise_id,
                )
            self.envelopes += pending_envelopes(self.rt, promise, self.moment)
            await self.session.execute(
                update(promises)
                .where(
                    promises.c.tenant_id == row.tenant_id,
                    promises.c.promise_id == row.promise_id,
                )
                .values(status=status, closed_on=self.business_date)
            )
            await self._release(row.tenant_id, dunning_items.c.promise_id, row.promise_id)

    async def settle_plans(self) -> None:
        """Completed when nothing is open; defaulted when an instalment is not covered after
        its grace period — then dunning resumes at the formal notice (escalation)."""
        for row in await self._open_by_hold(payment_plans, "plan_id", dunning_items.c.plan_id):
            info = (
                await self.session.execute(
                    select(payment_plans).where(
                        payment_plans.c.tenant_id == row.tenant_id,
                        payment_plans.c.plan_id == row.plan_id,
                    )
                )
            ).one()
            open_now = Decimal(row.open_now or 0)
            paid = Decimal(info.open_at_agreement) - open_now
            instalments = [Instalment.model_validate(i) for i in info.instalments]
            if open_now <= 0:
                plan = await load(self.session, self.rt, PaymentPlan, row.tenant_id, row.plan_id)
                plan.complete(self.business_date)
                status = "completed"
            else:
                missed = first_missed_instalment(
                    instalments, info.grace_days, paid, self.business_date
                )
                if missed is None:
                    continue
                plan = await load(self.session, self.rt, PaymentPlan, row.tenant_id, row.plan_id)
                still_open = await self._still_open(
                    row.tenant_id, dunning_items.c.plan_id, row.plan_id
                )
                plan.default(missed, self.business_date, still_open)
                status = "defaulted"
                self.task(
                    row.tenant_id,
                    info.debtor_ref,
                    "plan_defaulted",
                    list(info.invoice_numbers),
                    f"instalment of {missed.instalment_due} not covered: {info.currency} "
                    f"{missed.amount_missing} missing",
                    reference=row.plan_id,
                )
                await self._escalate(row.tenant_id, row.plan_id)
            self.envelopes += pending_envelopes(self.rt, plan, self.moment)
            await self.session.execute(
                update(payment_plans)
                .where(
                    payment_plans.c.tenant_id == row.tenant_id,
                    payment_plans.c.plan_id == row.plan_id,
                )
                .values(status=status, closed_on=self.business_date)
            )
            await self._release(row.tenant_id, dunning_items.c.plan_id, row.plan_id)

    async def _escalate(self, tenant_id: str, plan_id: str) -> None:
        """The plan's items jump to the step before their policy's formal notice and are due
        today, so the formal notice is the next thing the debtor hears."""
        rows = (
            await self.session.execute(
                select(
                    dunning_items.c.invoice_number,
                    dunning_items.c.level,
                    dunning_items.c.policy_tenant,
                    dunning_items.c.policy_id,
                    dunning_items.c.policy_version,
                ).where(
                    dunning_items.c.tenant_id == tenant_id,
                    dunning_items.c.plan_id == plan_id,
                    dunning_items.c.policy_version.is_not(None),
                )
            )
        ).all()
        keys: list[PolicyKey] = [(r.policy_tenant, r.policy_id, r.policy_version) for r in rows]
        policies = await load_policies(self.session, keys)
        for r in rows:
            policy = policies[(r.policy_tenant, r.policy_id, r.policy_version)]
            formal = policy.formal_notice_step()
            level = max(r.level, formal - 1) if formal else r.level
            if level >= len(policy.steps):
                continue  # already handed over
            await self.session.execute(
                update(dunning_items)
                .where(
                    dunning_items.c.tenant_id == tenant_id,
                    dunning_items.c.invoice_number == r.invoice_number,
                )
                .values(level=level, next_step_date=self.business_date, awaiting_approval=False)
            )

    # --- due steps --------------------------------------------------------------------------

    async def run_due_steps(self) -> None:
        if not is_business_day(self.business_date):
            # Letters are dated and sent on working days: what falls due on a Saturday, Sunday
            # or public holiday (BE or NL) stays due and goes out on the next working day.
            return
        lock = self.session.get_bind().dialect.name == "postgresql"
        due = (await self.session.execute(select_due(self.business_date, lock=lock))).all()
        if not due:
            return
        groups: dict[tuple[str, str, int, PolicyKey], list[Any]] = defaultdict(list)
        for row in due:
            policy_key = (row.policy_tenant, row.policy_id, row.policy_version)
            groups[(row.tenant_id, row.debtor_ref, row.level + 1, policy_key)].append(row)
        policies = await load_policies(self.session, [key[3] for key in groups])
        contacts = await self._contacts({(k[0], k[1]) for k in groups})
        handovers: list[tuple[tuple[str, str, int, PolicyKey], list[Any]]] = []
        log_rows: list[dict[str, Any]] = []
        for key in sorted(groups):
            tenant_id, debtor_ref, step_number, policy_key = key
            policy = policies[policy_key]
            step = policy.step(step_number)
            if step.action == "agency_handover":
                handovers.append((key, groups[key]))
                continue
            contact = contacts.get((tenant_id, debtor_ref)) or DebtorContact(
                debtor_ref, "B2B", "", "en", None, None, []
            )
            items = [_due_item(r) for r in groups[key]]
            composed = compose_group(
                contact, policy, step_number, items, self.business_date, self.creditor_is_sme
            )
            if composed.empty:
                continue  # e.g. a pre-due reminder for items that are due by now
            numbers = [i.invoice_number for i in composed.items]
            if step.approval_required:
                total = ", ".join(f"{t.currency} {t.total}" for t in composed.totals)
                self.task(
                    tenant_id,
                    debtor_ref,
                    "formal_notice_approval",
                    numbers,
                    f"step {step_number} {step.action} ({step.template_key}) for {total}",
                    step=step_number,
                )
                continue
            reminder_id = new_id()
            event = reminder_event(
                reminder_id=reminder_id,
                debtor_ref=debtor_ref,
                contact=contact,
                policy=policy,
                step_number=step_number,
                composed=composed,
                business_date=self.business_date,
            )
            self.envelopes.append(
                single_event(
                    self.rt,
                    event,
                    tenant_id=tenant_id,
                    debtor_ref=debtor_ref,
                    aggregate_type="reminder",
                    aggregate_id=reminder_id,
                    occurred_at=self.moment,
                )
            )
            log_rows.append(reminder_log_row(tenant_id, reminder_id, event))
            if step.action == "phone_call":
                total = ", ".join(f"{t.currency} {t.total}" for t in composed.totals)
                self.task(
                    tenant_id,
                    debtor_ref,
                    "phone_call",
                    numbers,
                    f"call about {total}" + (f" ({contact.phone})" if contact.phone else ""),
                    reference=reminder_id,
                    step=step_number,
                )
        await log_reminders(self.session, log_rows)
        for key, rows in handovers:
            await self._hand_over(key, rows, policies[key[3]], contacts)
        await advance_due(self.session, self.business_date)

    async def _contacts(
        self, debtors: set[tuple[str, str]]
    ) -> dict[tuple[str, str], DebtorContact]:
        """Contacts of the due debtors, per tenant (one query per tenant, chunked)."""
        d, c = dunning_debtors, dunning_debtor_contacts
        by_tenant: dict[str, list[str]] = defaultdict(list)
        for tenant_id, debtor_ref in debtors:
            by_tenant[tenant_id].append(debtor_ref)
        found: dict[tuple[str, str], DebtorContact] = {}
        for tenant_id, refs in by_tenant.items():
            for start in range(0, len(refs), 5000):
                chunk = refs[start : start + 5000]
                rows = (
                    await self.session.execute(
                        select(
                            d.c.debtor_ref,
                            d.c.legal_name,
                            d.c.kind,
                            d.c.country,
                            d.c.language,
                            d.c.email,
                            c.c.phone,
                            c.c.postal_address,
                        )
                        .select_from(
                            d.outerjoin(
                                c,
                                and_(
                                    c.c.tenant_id == d.c.tenant_id,
                                    c.c.debtor_ref == d.c.debtor_ref,
                                ),
                            )
                        )
                        .where(d.c.tenant_id == tenant_id, d.c.debtor_ref.in_(chunk))
                    )
                ).all()
                for row in rows:
                    found[(tenant_id, row.debtor_ref)] = contact_of(row)
        return found

    async def _hand_over(
        self,
        key: tuple[str, str, int, PolicyKey],
        rows: list[Any],
        policy: Any,
        contacts: dict[tuple[str, str], DebtorContact],
    ) -> None:
        tenant_id, debtor_ref, step_number, _policy_key = key
        step = policy.step(step_number)
        contact = contacts.get((tenant_id, debtor_ref)) or DebtorContact(
            debtor_ref, "B2B", "", "en", None, None, []
        )
        composed = compose_group(
            contact,
            policy,
            step_number,
            [_due_item(r) for r in rows],
            self.business_date,
            self.creditor_is_sme,
        )
        if composed.empty:
            return
        agency = step.agency or "default-agency"
        history = await case_history(self.session, tenant_id, debtor_ref)
        escalation_id = new_id()
        event = escalation_event(
            debtor_ref=debtor_ref,
            contact=contact,
            agency=agency,
            composed=composed,
            business_date=self.business_date,
            history=history,
        )
        self.envelopes.append(
            single_event(
                self.rt,
                event,
                tenant_id=tenant_id,
                debtor_ref=debtor_ref,
                aggregate_type="escalation",
                aggregate_id=escalation_id,
                occurred_at=self.moment,
            )
        )
        await log_reminders(
            self.session,
            [
                reminder_log_row(
                    tenant_id,
                    escalation_id,
                    None,
                    debtor_ref=debtor_ref,
                    step=step_number,
                    action=step.action,
                    channel=step.effective_channel,
                    template_key=step.template_key,
                    business_date=self.business_date,
                    deadline=None,
                    policy_id=policy.policy_id,
                    policy_version=policy.version,
                    invoice_numbers=[i.invoice_number for i in composed.items],
                    totals=[t.model_dump(mode="json") for t in composed.totals],
                )
            ],
        )
        await self.session.execute(
            update(dunning_cases)
            .where(dunning_cases.c.tenant_id == tenant_id, dunning_cases.c.debtor_ref == debtor_ref)
            .values(status="with_agency", agency=agency, updated_at=self.moment)
        )


def _due_item(row: Any) -> DueItem:
    return DueItem(
        invoice_number=row.invoice_number,
        issue_date=row.issue_date,
        due_date=row.due_date,
        currency=row.currency,
        open_amount=Decimal(row.open_amount),
        first_claim_on=row.first_claim_on,
        first_claim_channel=row.first_claim_channel,
        claims_sent=row.claims_sent,
    )
