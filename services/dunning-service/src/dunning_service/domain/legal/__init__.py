"""Legal rule packs of dunning: statutory interest, fees and waiting periods (BE, NL, EU).

Pure domain code: rates and amounts are effective-dated package data, every function takes the
dates it needs, money is ``Money`` (Decimal + currency).
"""

from dunning_service.domain.legal.deadlines import be_b2c_deadline, nl_fourteen_day_deadline
from dunning_service.domain.legal.fees import (
    Amount,
    be_b2c_max_damages,
    be_b2c_reminder_fees,
    fixed_compensation_b2b,
    nl_wik_costs,
)
from dunning_service.domain.legal.interest import (
    InterestPeriod,
    InterestResult,
    compound_yearly_interest,
    simple_interest,
)
from dunning_service.domain.legal.money import CurrencyMismatch, Money
from dunning_service.domain.legal.packs import (
    BE_B2B,
    BE_B2C,
    EU_DEFAULT,
    NL_B2B,
    NL_B2C,
    Claim,
    ClaimLine,
    FirstReminder,
    OverdueItem,
    RulePack,
    claim_for,
    select_pack,
)
from dunning_service.domain.legal.rates import RateEntry, RateTable, load_rate_tables, rate_table

__all__ = [
    "BE_B2B",
    "BE_B2C",
    "EU_DEFAULT",
    "NL_B2B",
    "NL_B2C",
    "Amount",
    "Claim",
    "ClaimLine",
    "CurrencyMismatch",
    "FirstReminder",
    "InterestPeriod",
    "InterestResult",
    "Money",
    "OverdueItem",
    "RateEntry",
    "RateTable",
    "RulePack",
    "be_b2c_deadline",
    "be_b2c_max_damages",
    "be_b2c_reminder_fees",
    "claim_for",
    "compound_yearly_interest",
    "fixed_compensation_b2b",
    "load_rate_tables",
    "nl_fourteen_day_deadline",
    "nl_wik_costs",
    "rate_table",
    "select_pack",
    "simple_interest",
]
