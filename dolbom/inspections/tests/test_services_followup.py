"""Corrective actions with proof, referral of legal violations to the sanitation department, coaching."""

from __future__ import annotations

import io
import uuid

import pytest
from django.utils import timezone
from PIL import Image

from dolbom.inspections import services
from dolbom.inspections.errors import InspectionErrorCode
from dolbom.inspections.models import ActionStatus, Escalation, EscalationStatus, InspectionEvent
from dolbom.inspections.tests.conftest import action, answers, doc, make_facility
from dolbom.lib.errors import DomainError, Forbidden

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def failed(inspector, facility):
    return services.inspection_sync(actor=inspector, doc=doc(
        facility, submit=True, answers=answers(failing={"retained_sample": "no", "fridge_temperature": 14}),
        actions=[action("retained_sample"), action("fridge_temperature")])).inspection


@pytest.fixture
def contacts(lead):
    services.sanitation_contact_set(actor=lead, gu="완산구", department="완산구청 환경위생과", officer="위생 담당",
                                    phone="010-0000-1601")


def test_an_action_is_done_only_with_proof_and_then_verified(lead, inspector, failed):
    a = failed.actions.get(item__code="fridge_temperature")
    with pytest.raises(DomainError) as exc:
        services.action_done(actor=inspector, action=a)
    assert exc.value.code == InspectionErrorCode.PROOF_REQUIRED
    services.photo_upload(actor=inspector, client_id=uuid.uuid4(), inspection_client_id=failed.client_id,
                          data=_jpeg(), action_client_id=a.client_id)
    done = services.action_done(actor=inspector, action=a)
    assert done.status == ActionStatus.DONE and done.done_recorded_by_id == inspector.pk
    verified = services.action_verify(actor=lead, action=a)
    assert verified.status == ActionStatus.VERIFIED
    with pytest.raises(DomainError):
        services.action_done(actor=inspector, action=a)
    assert InspectionEvent.objects.filter(type__in=["action_done", "action_verified"]).count() == 2


def test_legal_violations_go_to_the_districts_sanitation_department_as_a_record_and_a_text(
        lead, failed, contacts, django_capture_on_commit_callbacks, message_outbox):
    with django_capture_on_commit_callbacks(execute=True):
        e = services.escalation_create(actor=lead, inspection=failed, note="보존식 미보관")
    e.refresh_from_db()
    assert [v["code"] for v in e.violations] == ["retained_sample"]  # the fridge item is not a statutory duty
    assert "제88조제2항제2호" in e.violations[0]["legal_basis"]
    assert e.status == EscalationStatus.SENT and e.binding is False
    (sent,) = message_outbox
    assert sent.to == "01000001601" and "보존식" in sent.text and "집단급식소 기준 준용" in sent.text
    assert failed.facility.name in sent.text


def test_nothing_is_referred_without_a_statutory_failure_or_without_a_department(lead, inspector, facility, failed):
    with pytest.raises(DomainError) as exc:
        services.escalation_create(actor=lead, inspection=failed)
    assert exc.value.code == InspectionErrorCode.NO_SANITATION_CONTACT
    clean = services.inspection_sync(actor=inspector, doc=doc(make_facility(lead), submit=True)).inspection
    with pytest.raises(DomainError) as exc:
        services.escalation_create(actor=lead, inspection=clean)
    assert exc.value.code == InspectionErrorCode.NO_VIOLATION
    assert Escalation.objects.count() == 0


def test_a_registered_group_meal_service_is_referred_as_bound_by_the_act(lead, inspector, contacts, message_outbox,
                                                                         django_capture_on_commit_callbacks):
    kitchen = make_facility(lead, group_meal_service=True, diners_per_day=80)
    i = services.inspection_sync(actor=inspector, doc=doc(kitchen, submit=True, answers=answers(
        failing={"no_expired_food": "no"}), actions=[action("no_expired_food")])).inspection
    with django_capture_on_commit_callbacks(execute=True):
        e = services.escalation_create(actor=lead, inspection=i)
    assert e.binding and "집단급식소 신고 시설" in message_outbox[0].text


def test_a_message_the_gateway_refuses_leaves_the_referral_marked_failed(lead, failed, django_capture_on_commit_callbacks):
    from dolbom.inspections.models import SanitationContact

    SanitationContact.objects.create(gu="완산구", department="완산구청", officer="x", phone="063-000-0000")
    with django_capture_on_commit_callbacks(execute=True):
        e = services.escalation_create(actor=lead, inspection=failed)
    e.refresh_from_db()
    assert e.status == EscalationStatus.FAILED and e.message_error


def test_only_a_lead_refers_violations(inspector, failed, contacts):
    with pytest.raises(Forbidden):
        services.escalation_create(actor=inspector, inspection=failed)


def test_coaching_records_training_and_materials(inspector, facility):
    r = services.coaching_record(actor=inspector, inspection=None, facility_id=facility.pk,
                                 given_on=timezone.localdate(), topics=["hand_washing"],
                                 materials=["self_checklist", "poster"], attendees=4)
    assert r.topic_labels() == ["손 씻기"] and len(r.material_labels()) == 2
    with pytest.raises(DomainError):
        services.coaching_record(actor=inspector, inspection=None, facility_id=facility.pk,
                                 given_on=timezone.localdate(), topics=[], materials=[], attendees=1)


def test_an_office_action_is_added_to_a_synced_inspection(inspector, facility):
    i = services.inspection_sync(actor=inspector, doc=doc(facility)).inspection
    a = services.action_create(actor=inspector, inspection=i, description="방충망 설치", owner="시설장",
                               due_on=timezone.localdate())
    assert a.facility_id == facility.pk and a.status == ActionStatus.OPEN
