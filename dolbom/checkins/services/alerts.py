"""Alerts to the client's case manager: raise, acknowledge, act, close, escalate when nobody looks."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.accounts.models import Role, StaffProfile
from dolbom.accounts.scope import lock_in_scope
from dolbom.cases.models import Case
from dolbom.checkins import events
from dolbom.checkins.errors import CheckinErrorCode
from dolbom.checkins.models import (
    Alert,
    AlertKind,
    AlertStatus,
    Call,
    CheckinSettings,
    EscalationLevel,
    Severity,
)
from dolbom.checkins.services.common import caller_user, require_writer
from dolbom.integrations.messaging import MessageError, MessagePurpose, message_send
from dolbom.lib.errors import DomainError
from dolbom.web.selectors import alert_phone_for

log = logging.getLogger(__name__)


def _recipients(alert: Alert, who: str) -> list[int]:
    """Who a high alert is texted to: the case manager when it is raised, the dong's welfare officers when
    it escalates there, the city team after that."""
    if who == "case_manager":
        return [alert.case.manager_id]
    roles = {"dong": (Role.DONG_OFFICER, alert.dong_id), "city": (Role.CITY_TEAM, None)}.get(who)
    if roles is None:
        return []
    staff = StaffProfile.objects.filter(role=roles[0], user__is_active=True)
    if roles[1] is not None:
        staff = staff.filter(dong_id=roles[1])
    return list(staff.values_list("user_id", flat=True))


def _masked(name: str) -> str:
    # A text message leaves the city's systems: the client's name only as "김*숙".
    return name[0] + "*" * (len(name) - 2) + name[-1] if len(name) > 2 else name[:1] + "*"


def _notify(alert_id: int, who: str) -> None:
    """After the commit that raised (or escalated) a high alert: a text message (SMS, or 알림톡 with
    DOLBOM_ALERT_MESSAGE_TEMPLATE) to each person it goes to who gave a number for urgent alerts (web's
    notification settings). The alert queue stays the record; a failed send is logged and changes nothing."""
    alert = (Alert.objects.select_related("case__resident").filter(pk=alert_id).first())
    if alert is None or alert.severity != Severity.HIGH:
        log.info("check-in alert %s for %s: no text message below high", alert_id, who)
        return
    text = (f"[전주시 통합돌봄] 긴급 안부전화 경보({AlertKind(alert.kind).label}): 사례 {alert.case.number} "
            f"{_masked(alert.case.resident.name)} 님. 안부전화 경보 목록에서 확인해 주세요.")
    for user_id in _recipients(alert, who):
        phone = alert_phone_for(user_id)
        if not phone:
            continue
        try:
            message_send(to=phone, text=text, purpose=MessagePurpose.ALERT,
                         template=settings.DOLBOM_ALERT_MESSAGE_TEMPLATE,
                         reference=f"checkin-alert-{alert_id}-{who}-{user_id}")
        except MessageError as exc:
            log.warning("check-in alert %s: text message to user %s not sent (%s)", alert_id, user_id, exc.code)


def alert_raise(*, actor: User, case: Case, kind: AlertKind | str, severity: Severity | str, excerpt: str,
                call: Call | None = None) -> Alert | None:
    """One alert per kind and call: a client who repeats "넘어졌어요" three times raises one alert.
    Runs in the caller's transaction (the call's turn or its closing)."""
    if call is not None and Alert.objects.filter(call=call, kind=kind).exists():
        return None
    if call is None and Alert.objects.filter(case=case, kind=kind).exclude(status=AlertStatus.CLOSED).exists():
        return None
    alert = Alert.objects.create(case=case, dong_id=case.dong_id, call=call, kind=kind, severity=severity,
                                 excerpt=excerpt[:1000], status=AlertStatus.OPEN, created_at=timezone.now())
    events.checkin_alert(alert=alert, actor=actor)
    transaction.on_commit(lambda: _notify(alert.pk, "case_manager"))
    return alert


def _lock(actor: User, alert: Alert) -> Alert:
    from dolbom.checkins.selectors import alert_visible

    require_writer(actor)
    return lock_in_scope(alert_visible(actor).select_related("case"), alert.pk, CheckinErrorCode.ALERT_NOT_FOUND,
                         actor=actor, record_type="checkin_alert", resident="case__resident_id")


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: Alert) -> Alert:
    alert = _lock(actor, alert)
    if alert.status != AlertStatus.OPEN:
        raise DomainError(CheckinErrorCode.ALERT_STATUS, status=AlertStatus(alert.status).label)
    alert.status, alert.acknowledged_at, alert.acknowledged_by = AlertStatus.ACKNOWLEDGED, timezone.now(), actor
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    events.checkin_alert(alert=alert, actor=actor, old_status=AlertStatus.OPEN, summary="경보 확인")
    return alert


def _lock_for_note(actor: User, alert: Alert, note: str, allowed: tuple[AlertStatus, ...]) -> tuple[Alert, str]:
    """Lock, check the status and the note, and acknowledge if nobody had: acting on or closing an
    alert shows that someone looked at it, which is what the time to acknowledge measures."""
    alert = _lock(actor, alert)
    if alert.status not in allowed:
        raise DomainError(CheckinErrorCode.ALERT_STATUS, status=AlertStatus(alert.status).label)
    if len(note.strip()) < 2:
        raise DomainError(CheckinErrorCode.NOTE_REQUIRED)
    old = alert.status
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), actor
    return alert, old


@transaction.atomic
def alert_act(*, actor: User, alert: Alert, note: str) -> Alert:
    """What was done (a visit, a call to the family, an ambulance)."""
    alert, old = _lock_for_note(actor, alert, note, (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED))
    alert.status, alert.acted_at, alert.action_note = AlertStatus.ACTED, timezone.now(), note.strip()
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "acted_at", "action_note"])
    events.checkin_alert(alert=alert, actor=actor, old_status=old, summary="경보 조치", note=alert.action_note)
    return alert


@transaction.atomic
def alert_close(*, actor: User, alert: Alert, note: str) -> Alert:
    alert, old = _lock_for_note(actor, alert, note,
                                (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.ACTED))
    alert.status, alert.closed_at, alert.closed_by = AlertStatus.CLOSED, timezone.now(), actor
    alert.close_note = note.strip()
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "closed_at", "closed_by",
                              "close_note"])
    events.checkin_alert_closed(alert=alert, actor=actor, old_status=old)
    return alert


_ESCALATION_SUMMARY = {EscalationLevel.DONG: "미확인 경보: 동 복지담당에게 알림",
                       EscalationLevel.CITY: "미확인 경보: 시 통합돌봄팀에 알림"}


def alerts_escalate(*, now: dt.datetime | None = None) -> int:
    """An unacknowledged high alert goes to the dong officer after the city's set time, and to the city
    team after twice that time; each step is on the case timeline."""
    now = now or timezone.now()
    wait = dt.timedelta(minutes=CheckinSettings.current().escalate_after_minutes)
    actor = caller_user()
    done = 0
    for level in (EscalationLevel.DONG, EscalationLevel.CITY):
        ids = list(Alert.objects.filter(status=AlertStatus.OPEN, severity=Severity.HIGH, escalation=level - 1,
                                        created_at__lte=now - wait * level).values_list("pk", flat=True))
        for pk in ids:
            with transaction.atomic():
                alert = (Alert.objects.select_for_update(of=("self",)).select_related("case")
                         .filter(pk=pk, status=AlertStatus.OPEN, escalation=level - 1).first())
                if alert is None:
                    continue
                alert.escalation, alert.escalated_at = level, now
                alert.save(update_fields=["escalation", "escalated_at"])
                events.checkin_alert(alert=alert, actor=actor, old_status=alert.status,
                                     summary=_ESCALATION_SUMMARY[level])
                transaction.on_commit(lambda pk=pk, level=level: _notify(pk, EscalationLevel(level).name.lower()))
                done += 1
    return done
