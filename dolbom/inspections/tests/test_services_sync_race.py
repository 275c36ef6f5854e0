"""Two syncs of the same document at the same moment (a double tap, a retry while the first is still on its
way) store one inspection: the unique client id settles the race, the loser updates the winner's row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from dolbom.inspections import services
from dolbom.inspections.models import AtpReading, CorrectiveAction, Inspection
from dolbom.inspections.tests.conftest import action, answers, doc, reading

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_syncs_of_one_document_at_once_store_one_inspection(inspector, facility, hygiena):
    d = doc(facility, answers=answers(failing={"fridge_temperature": 12}), readings=[reading(hygiena, 5)],
            actions=[action("fridge_temperature")])
    start = threading.Barrier(2)
    results, errors = [], []

    def sync() -> None:
        try:
            start.wait(timeout=10)
            results.append(services.inspection_sync(actor=inspector, doc=d))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sync) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(r.created for r in results) == [False, True]
    assert (Inspection.objects.count(), AtpReading.objects.count(), CorrectiveAction.objects.count()) == (1, 1, 1)
