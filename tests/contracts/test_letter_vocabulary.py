"""The vocabulary that joins dunning-service and notification-service: every template key a
shipped policy names exists in every letter language, every charge a pack's cost table allows
has the law's name in every language, and the two services use the one published list."""

from __future__ import annotations

import pytest

from contracts.letters import (
    CHARGE_KINDS,
    LETTER_LANGUAGES,
    RENDERED_KEYS,
    TEMPLATES,
    template_spec,
)
from dunning_service.domain.legal.costs import COSTS
from dunning_service.domain.policies import default_policies, validate
from notification_service.domain.catalog import TEMPLATE_KEYS, shipped_defaults
from notification_service.domain.wording import charge_name

POLICIES = default_policies()


def test_notification_renders_exactly_the_published_keys() -> None:
    assert set(TEMPLATE_KEYS) == set(RENDERED_KEYS)
    shipped = {key for key, _language in shipped_defaults().templates}
    assert shipped == set(RENDERED_KEYS)


@pytest.mark.parametrize("policy", POLICIES, ids=[p.policy_id for p in POLICIES])
def test_every_key_of_every_shipped_policy_has_a_template_in_every_language(policy: object) -> None:
    from dunning_service.domain.policies import Policy

    assert isinstance(policy, Policy)
    assert validate(policy) == []
    defaults = shipped_defaults()
    for number, step in enumerate(policy.steps, start=1):
        spec = template_spec(step.template_key)
        assert spec is not None, f"{policy.policy_id} step {number}: {step.template_key!r}"
        assert step.action in spec.actions
        if spec.packs:
            assert policy.policy_id.removeprefix("default-") in spec.packs
        if not spec.rendered:
            continue
        for language in LETTER_LANGUAGES:
            assert defaults.get(step.template_key, language) is not None, (
                policy.policy_id,
                step.template_key,
                language,
            )


def test_the_letters_no_policy_step_sends_exist_in_every_language_too() -> None:
    defaults = shipped_defaults()
    for key, spec in TEMPLATES.items():
        if spec.rendered:
            for language in LETTER_LANGUAGES:
                assert defaults.get(key, language) is not None, (key, language)


@pytest.mark.parametrize("pack", sorted(COSTS))
def test_every_charge_a_pack_allows_has_its_legal_name_in_every_language(pack: str) -> None:
    for rule in COSTS[pack]:
        assert rule.kind in CHARGE_KINDS
        assert rule.source
        for language in LETTER_LANGUAGES:
            assert charge_name(rule.kind, pack, language), (pack, rule.kind, language)
