"""lib.hooks: how a lower app lets a higher one take part in its transaction."""

from __future__ import annotations

import pytest

from dolbom.lib.hooks import Hook
from dolbom.registry import hooks as registry_hooks
from dolbom.registry.models import Consent, ConsentPurpose
from dolbom.registry.services import consent_record, consent_withdraw


def test_receivers_run_in_the_order_they_connected_and_only_once_each():
    hook = Hook("test.hook")
    calls = []

    def first(**kw):
        calls.append(("first", kw))

    def second(**kw):
        calls.append(("second", kw))

    hook.connect(first)
    hook.connect(second)
    hook.connect(first)
    hook.run(x=1)
    assert calls == [("first", {"x": 1}), ("second", {"x": 1})]


def test_a_failing_receiver_rolls_the_whole_write_back(officer, resident, monkeypatch):
    consent = consent_record(actor=officer, resident=resident, purpose=ConsentPurpose.INFORMATION_SHARING,
                             recipient="전주 방문간호센터", recipient_code="I-1")

    def refuse(**kw):
        raise RuntimeError("the higher app could not end its records")

    monkeypatch.setattr(registry_hooks.consent_withdrawn, "_receivers", [refuse])
    # consent_withdraw is atomic: inside the test's transaction it is a savepoint, rolled back on the error.
    with pytest.raises(RuntimeError):
        consent_withdraw(actor=officer, consent=consent)
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


def test_the_referrals_app_is_connected_to_the_registry_and_cases_hooks():
    from dolbom.cases.hooks import case_closed
    from dolbom.referrals.services import referrals_end_for_case, referrals_end_for_consent

    assert referrals_end_for_consent in registry_hooks.consent_withdrawn.receivers
    assert referrals_end_for_case in case_closed.receivers
