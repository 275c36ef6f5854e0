"""Indicators for the reports app, the daily job, the `dolbom inspections` verbs, and the translations."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.utils import timezone

from dolbom.inspections import services
from dolbom.inspections.jobs import schedule_due_job
from dolbom.inspections.models import FacilityVisit, InspectionRound, Inspector
from dolbom.inspections.tests.conftest import action, answers, doc, make_facility, reading
from dolbom.lib.metrics import indicator_get, month_floor
from dolbom.testing import personas

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "ko" / "LC_MESSAGES"


@pytest.mark.django_db
def test_the_indicators_count_closed_and_passed_inspections_and_failed_first_swabs(lead, inspector, facility, hygiena):
    services.inspection_sync(actor=inspector, doc=doc(facility, submit=True, readings=[reading(hygiena, 5)]))
    other = make_facility(lead, "효자1동")
    first = reading(hygiena, 90)
    services.inspection_sync(actor=inspector, doc=doc(
        other, submit=True, answers=answers(failing={"no_expired_food": "no"}), actions=[action("no_expired_food")],
        readings=[first, reading(hygiena, 4, retest_of=first.client_id)]))
    month = month_floor(timezone.localdate())
    end = (month + dt.timedelta(days=32)).replace(day=1)
    closed = {r["dong_id"]: r["numerator"] for r in indicator_get("inspections.closed").compute(month, end)}
    assert closed == {facility.dong_id: 1, other.dong_id: 1}
    passed = {r["dong_id"]: (r["numerator"], r["denominator"])
              for r in indicator_get("inspections.pass_rate").compute(month, end)}
    assert passed == {facility.dong_id: (1, 1), other.dong_id: (0, 1)}
    atp = {r["dong_id"]: (r["numerator"], r["denominator"])
           for r in indicator_get("inspections.atp_fail_rate").compute(month, end)}
    assert atp[other.dong_id] == (1, 1)  # the re-test is not a first swab


@pytest.mark.django_db
def test_overdue_actions_are_a_month_end_level(lead, inspector, facility):
    today = timezone.localdate()
    services.inspection_sync(actor=inspector, doc=doc(
        facility, submit=True, visited_on=today - dt.timedelta(days=40), answers=answers(
            failing={"fridge_temperature": 15}), actions=[action("fridge_temperature", days=-35)]), today=today)
    start = month_floor(today - dt.timedelta(days=40))
    rows = indicator_get("inspections.actions_overdue").compute(start, (today + dt.timedelta(days=32)).replace(day=1))
    assert sum(r["numerator"] for r in rows if r["month"] == month_floor(today)) == 1


@pytest.mark.django_db
def test_the_daily_job_schedules_due_kitchens_once(lead, inspector):
    make_facility(lead)  # never inspected: due now
    assert schedule_due_job().startswith("1 ")
    assert schedule_due_job().startswith("0 ")
    assert FacilityVisit.objects.count() == 1


@pytest.mark.django_db
def test_the_command_names_the_first_lead_plans_the_summer_round_and_routes_the_day(shipped_catalogue):
    from dolbom.accounts.models import Role

    personas.make_staff("boss", "센터장", Role.PARTNER, institution="센터")
    out = io.StringIO()
    call_command("inspections", "add-inspector", "boss", "--lead", stdout=out)
    assert Inspector.objects.get(user__username="boss").lead
    boss = Inspector.objects.get().user
    make_facility(boss)
    call_command("inspections", "summer-round", "--as", "boss", "--year", "2026", stdout=out)
    assert InspectionRound.objects.get().inspections.count() == 1
    call_command("inspections", "schedule-due", "--as", "boss", stdout=out)
    call_command("inspections", "plan-visits", "--as", "boss", "--date", timezone.localdate().isoformat(),
                 "--time-limit", "1", stdout=out)
    assert "2026년 하절기 특별위생점검: 1 inspections planned" in out.getvalue()
    assert "visits in 1 routes" in out.getvalue()


def test_every_inspections_message_has_a_korean_translation_and_is_compiled():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(LOCALE / "django.mo")) if not e.msgid_plural}
    assert [e.msgid for e in po.translated_entries() if not e.msgid_plural and compiled.get(e.msgid) != e.msgstr] == []


def test_the_official_korean_terms_are_used():
    po = {e.msgid: e.msgstr for e in polib.pofile(str(LOCALE / "django.po"))}
    assert po["Hygiene inspections"] == "위생점검"
    assert po["Summer special round"] == "하절기 특별점검"
    assert po["Corrective actions"] == "시정조치"
