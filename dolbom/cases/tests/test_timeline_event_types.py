"""Timeline event types registered by domain apps (cases/models.py event_types_register)."""

from __future__ import annotations

import pytest
from django.db import models

from dolbom.cases import events
from dolbom.cases.models import CaseEvent, CaseEventType, event_type_label, event_types_register
from dolbom.testing import personas


class _TrialEventType(models.TextChoices):
    TRIAL_NOTED = "trial_noted", "시범 기록"


def test_a_registered_type_is_written_and_shown_with_its_label(officer, resident):
    event_types_register(_TrialEventType)
    case = personas.open_case(officer, resident)
    event = events.write_event(case, _TrialEventType.TRIAL_NOTED, officer, new={"summary": "x"})
    assert CaseEvent.objects.get(pk=event.pk).type_label == "시범 기록"
    assert event_type_label(CaseEventType.APPLICATION_RECORDED) == str(CaseEventType.APPLICATION_RECORDED.label)
    assert event_type_label("never_registered") == "never_registered"


def test_an_unregistered_type_is_refused_before_anything_is_written(officer, resident):
    case = personas.open_case(officer, resident)
    before = case.events.count()
    with pytest.raises(ValueError):
        events.write_event(case, "no_such_type", officer)
    assert case.events.count() == before


def test_two_apps_cannot_give_one_type_two_meanings():
    class Clash(models.TextChoices):
        CLOSED = "closed", "다른 뜻"

    with pytest.raises(ValueError):
        event_types_register(Clash)
