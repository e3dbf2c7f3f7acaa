"""The vocabulary of what is said to a debtor: template keys, the legal step kinds behind them,
the kinds of charges a letter may claim and the languages every letter exists in.

dunning-service names a template key in each policy step and the charges of each reminder;
notification-service renders the template of that key in the debtor's language and names each
charge with the law's own words. Both use this one list. A key that is not in it reaches no
debtor: notification-service flags the message for ops instead of sending another letter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

TemplateKey = Literal[
    "pre_due_reminder",
    "first_reminder",
    "be_b2c_first_reminder",
    "nl_b2c_fourteen_day_letter",
    "second_reminder",
    "formal_notice",
    "phone_call",
    "handover_notice",
    "promise_confirmation",
    "payment_plan_confirmation",
    "dispute_outcome",
]
LegalStepKind = Literal[
    "pre_due_notice",  # a courtesy before the due date: claims nothing
    "reminder",  # an ordinary reminder
    "book_xix_first_reminder",  # BE consumer: the free first reminder (Book XIX CEL)
    "fourteen_day_letter",  # NL consumer: the 14-day letter (BW 6:96 lid 6)
    "formal_notice",  # ingebrekestelling / mise en demeure / Mahnung mit Fristsetzung
    "phone_call",  # a collector's task, never a letter
    "agency_handover",  # the file goes to a collection agency; the debtor is told
    "confirmation",  # a promise or a payment plan confirmed
    "dispute_outcome",  # the outcome of the debtor's dispute
]
LetterLanguage = Literal["nl", "fr", "de", "en"]
LETTER_LANGUAGES: tuple[LetterLanguage, ...] = get_args(LetterLanguage)

ChargeKind = Literal[
    "interest",  # late-payment interest for the days overdue
    "fixed_compensation",  # EUR 40 per late invoice (B2B)
    "flat_damages",  # BE consumer: Book XIX flat damages on the balance
    "reminder_costs",  # BE consumer: cost of a later reminder (cap per reminder)
    "collection_costs",  # NL consumer: WIK extrajudicial collection costs
    "administrative_costs",  # the creditor's own fee per its terms (B2B only)
]
CHARGE_KINDS: tuple[ChargeKind, ...] = get_args(ChargeKind)


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    key: TemplateKey
    step_kind: LegalStepKind
    description: str
    actions: tuple[str, ...]  # the policy step actions it may be named by
    rendered: bool = True  # False: no message to the debtor (a phone call is a task)
    packs: tuple[str, ...] = ()  # the legal packs it is written for; () = every pack


CLAIM_ACTIONS = ("reminder", "letter", "sms")
NONE: tuple[str, ...] = ()  # not named by a policy step: caused by another event

TEMPLATES: Mapping[str, TemplateSpec] = {
    spec.key: spec
    for spec in (
        TemplateSpec(
            "pre_due_reminder",
            "pre_due_notice",
            "friendly notice before the due date",
            ("pre_due_reminder",),
        ),
        TemplateSpec(
            "first_reminder", "reminder", "first reminder (business debtors)", CLAIM_ACTIONS
        ),
        TemplateSpec(
            "be_b2c_first_reminder",
            "book_xix_first_reminder",
            "Belgian consumer: the free first reminder with its 14-day term (Book XIX CEL)",
            CLAIM_ACTIONS,
            packs=("BE_B2C",),
        ),
        TemplateSpec(
            "nl_b2c_fourteen_day_letter",
            "fourteen_day_letter",
            "Dutch consumer: the 14-day letter naming the collection costs (BW 6:96 lid 6)",
            CLAIM_ACTIONS,
            packs=("NL_B2C",),
        ),
        TemplateSpec("second_reminder", "reminder", "a later reminder", CLAIM_ACTIONS),
        TemplateSpec(
            "formal_notice",
            "formal_notice",
            "formal notice of default",
            ("formal_notice", "letter"),
        ),
        TemplateSpec(
            "phone_call",
            "phone_call",
            "a collector calls the debtor",
            ("phone_call",),
            rendered=False,
        ),
        TemplateSpec(
            "handover_notice",
            "agency_handover",
            "the file went to a collection agency",
            ("agency_handover",),
        ),
        TemplateSpec("promise_confirmation", "confirmation", "a promise to pay confirmed", NONE),
        TemplateSpec(
            "payment_plan_confirmation", "confirmation", "an agreed payment plan confirmed", NONE
        ),
        TemplateSpec("dispute_outcome", "dispute_outcome", "the outcome of a dispute", NONE),
    )
}
assert set(TEMPLATES) == set(get_args(TemplateKey))  # noqa: S101 - one list, checked on import

RENDERED_KEYS: tuple[str, ...] = tuple(key for key, spec in TEMPLATES.items() if spec.rendered)


def template_spec(key: str) -> TemplateSpec | None:
    """The published template of ``key``; None for a key that is not in the vocabulary."""
    return TEMPLATES.get(key)


def unknown_key_reason(key: str) -> str:
    return (
        f"template key {key!r} is not in the published vocabulary "
        f"(contracts.letters): known keys are {', '.join(TEMPLATES)}"
    )
