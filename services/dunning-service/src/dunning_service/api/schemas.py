"""Response bodies of the dunning-service API. Amounts are strings with two decimals."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from dunning_service.application.open_items import OpenItemsStatement
from dunning_service.domain.open_items import money


class DebtorSummaryView(BaseModel):
    legal_name: str
    kind: str
    country: str
    language: str


class OpenItemView(BaseModel):
    invoice_number: str
    issue_date: date
    due_date: date
    currency: str
    amount_due: str
    open_amount: str
    payment_reference: str
    overdue: bool
    overdue_since: date | None
    days_overdue: int = Field(description="days past the due date on as_of; 0 if not overdue")


class CurrencyTotalView(BaseModel):
    currency: str
    open_amount: str
    overdue_amount: str
    items: int


class OpenItemsView(BaseModel):
    debtor_ref: str
    debtor: DebtorSummaryView | None
    as_of: date = Field(description="the business date the figures are computed for")
    items: list[OpenItemView]
    totals: list[CurrencyTotalView]

    @classmethod
    def of(cls, statement: OpenItemsStatement) -> OpenItemsView:
        debtor = statement.debtor
        return cls(
            debtor_ref=statement.debtor_ref,
            debtor=DebtorSummaryView(
                legal_name=debtor.legal_name,
                kind=debtor.kind,
                country=debtor.country,
                language=debtor.language,
            )
            if debtor is not None
            else None,
            as_of=statement.as_of,
            items=[
                OpenItemView(
                    invoice_number=item.invoice_number,
                    issue_date=item.issue_date,
                    due_date=item.due_date,
                    currency=item.currency,
                    amount_due=format(money(item.amount_due), "f"),
                    open_amount=format(money(item.open_amount), "f"),
                    payment_reference=item.payment_reference,
                    overdue=item.overdue,
                    overdue_since=item.overdue_since,
                    days_overdue=item.days_overdue(statement.as_of),
                )
                for item in statement.items
            ],
            totals=[
                CurrencyTotalView(
                    currency=total.currency,
                    open_amount=format(total.open_amount, "f"),
                    overdue_amount=format(total.overdue_amount, "f"),
                    items=total.items,
                )
                for total in statement.totals
            ],
        )
