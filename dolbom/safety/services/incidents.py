"""Incidents: raised by the rules (an alarm) or the clock (inactivity), answered by the emergency worker,
escalated when nobody answers.

One open incident per home and cause is a database constraint (models.Incident); ``incident_raise`` looks
for the open one under a row lock and, if two workers race to open the same one, the loser's insert fails
on the constraint inside a savepoint and it attaches instead. Either way the alarm is never lost and never
doubled.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from dolbom.accounts.models import Role, StaffProfile
from dolbom.accounts.scope import lock_in_scope
from dolbom.lib.errors import DomainError
from dolbom.safety import events
from dolbom.safety.errors import SafetyErrorCode
from dolbom.safety.models import (
    ALARM_CAUSES,
    LEVEL_ORDER,
    LEVEL_SEVERITY,
    WORKER_OUTCOMES,
    Cause,
    CheckinStatus,
    Escalation,
    FalseAlarmReason,
    Home,
    Incident,
    IncidentLog,
    IncidentStatus,
    Level,
    LogKind,
    Outcome,
    Report119,
    Responder,
    SafetySettings,
    Severity,
)
from dolbom.safety.services.common import clean_note, clock_restart, open_case, require, system_user

log = logging.getLogger(__name__)

# Repeats of one alarm (a detector sounding every few seconds) are counted on the incident; the first ones
# are also written to its log, enough to see the pattern without a row per beep.
REPEATS_LOGGED = 20


def _log(incident: Incident, kind: LogKind, *, actor: User | None, at: dt.datetime | None = None,
         event_id: int | None = None, note: str = "", data: dict | None = None) -> IncidentLog:
    return IncidentLog.objects.create(incident=incident, at=at or timezone.now(), kind=kind, actor=actor,
                                      event_id=event_id, note=note[:500], data=data or {})


def _notify_worker(incident_id: int, who: str) -> None:
    """A text to the responders concerned: the incident number, cause and dong only. An SMS is not a secure
    channel, so no name or address goes into it (개인정보 보호법 §29)."""
    from dolbom.integrations.messaging import MessageError, MessagePurpose, message_send

    incident = Incident.objects.select_related("home", "dong").filter(pk=incident_id).first()
    if incident is None or incident.resolved_at is not None:
        return
    if who == "worker":
        phones = list(Responder.objects.filter(user_id=incident.home.worker_id, active=True)
                      .exclude(phone="").values_list("phone", flat=True))
    else:
        phones = list(Responder.objects.filter(centre_id=incident.home.centre_id, is_lead=True, active=True)
                      .exclude(phone="").values_list("phone", flat=True))
    what = events.CAUSE_LABELS.get(incident.cause, incident.cause)
    text = f"[응급안전] {incident.dong.name} {what} 경보 #{incident.pk} 미확인. 관제 화면에서 확인 바랍니다."
    for phone in phones:
        try:
            message_send(to=phone, text=text, purpose=MessagePurpose.ALERT, reference=f"safety-{incident.pk}-{who}")
        except MessageError:
            log.warning("safety: text for incident %s to %s refused", incident.pk, who)


def _dong_receiver(home: Home) -> User | None:
    """Who receives a danger-level incident without a case: the dong's welfare officer (the dong office
    acts on emergencies), else one of its case managers."""
    for role in (Role.DONG_OFFICER, Role.CASE_MANAGER):
        staff = (StaffProfile.objects.filter(role=role, dong_id=home.dong_id, user__is_active=True)
                 .select_related("user").order_by("pk").first())
        if staff is not None:
            return staff.user
    return None


def _discover_case(incident: Incident) -> None:
    """Danger-level inactivity and nobody's case: open a discovered case in the resident's dong, so that the
    dong office follows up whatever the night's outcome (Act §9: finding people in need)."""
    from dolbom.cases.models import CaseOrigin
    from dolbom.cases.services import case_discover

    receiver = _dong_receiver(incident.home)
    if receiver is None:
        _log(incident, LogKind.CASE, actor=None, note="동 담당자가 없어 발굴 사례를 열지 못함")
        return
    note = f"응급안전안심서비스: 활동 미감지 위험 단계 (경보 #{incident.pk})"
    try:
        with transaction.atomic():
            case = case_discover(actor=receiver, resident=incident.home.resident, origin=CaseOrigin.CRISIS_DISCOVERY,
                                 note=note, manager=receiver)
    except DomainError as exc:
        _log(incident, LogKind.CASE, actor=None, note=f"발굴 사례를 열지 못함: {exc.message}")
        return
    incident.case = case
    incident.save(update_fields=["case"])
    _log(incident, LogKind.CASE, actor=receiver, note=f"발굴 사례 {case.number} 생성", data={"case_id": case.pk})
    events.safety_incident(case=case, incident=incident, actor=system_user())


def _on_timeline(incident: Incident, *, raised_from: str = "") -> None:
    case = incident.case if incident.case_id else open_case(incident.home.resident_id)
    if case is None or case.is_closed:
        return
    if incident.case_id != case.pk:
        incident.case = case
        incident.save(update_fields=["case"])
    events.safety_incident(case=case, incident=incident, actor=system_user(), raised_from=raised_from)


def _report_119(cause: str, gateway_report: str | None) -> str:
    if cause in (Cause.FIRE, Cause.GAS) and gateway_report == "sent":
        return Report119.AUTO_SENT
    return Report119.NONE


def incident_raise(*, home: Home, cause: Cause | str, at: dt.datetime, event_id: int | None = None,
                   level: Level | str = "", report_119: str | None = None,
                   now: dt.datetime | None = None) -> tuple[Incident, bool]:
    """Open the home's incident for ``cause``, or attach to the open one. Returns (incident, opened).

    Runs inside the caller's transaction (the ingest batch, the deadline sweep): the alarm and the event
    that caused it commit together. Alarms are P1 at once; inactivity takes the severity of its level."""
    now = now or timezone.now()
    severity = Severity.P1 if cause in ALARM_CAUSES else LEVEL_SEVERITY[Level(level)]
    existing = Incident.objects.select_for_update().filter(home=home, cause=cause, resolved_at__isnull=True).first()
    if existing is None:
        try:
            with transaction.atomic():
                incident = Incident.objects.create(
                    home=home, dong_id=home.dong_id, cause=cause, level=level, severity=severity,
                    status=IncidentStatus.OPEN, opened_at=now, first_event_id=event_id, event_at=at, last_event_at=at,
                    report_119=_report_119(cause, report_119),
                    report_119_at=now if report_119 == "sent" else None)
        except IntegrityError:
            # Another worker opened it between our look and our insert: attach to theirs.
            existing = Incident.objects.select_for_update().get(home=home, cause=cause, resolved_at__isnull=True)
        else:
            _log(incident, LogKind.OPENED, actor=None, at=now, event_id=event_id,
                 data={"level": level, "report_119": report_119 or ""})
            _on_timeline(incident)
            if level == Level.DANGER and incident.case_id is None:
                _discover_case(incident)
            if severity == Severity.P1:
                transaction.on_commit(lambda pk=incident.pk: _notify_worker(pk, "worker"))
            return incident, True
    return _attach(existing, at=at, event_id=event_id, level=level, severity=severity, report_119=report_119,
                   now=now), False


def _attach(incident: Incident, *, at: dt.datetime, event_id: int | None, level: str, severity: int,
            report_119: str | None, now: dt.datetime) -> Incident:
    incident.repeats += 1
    incident.last_event_at = max(incident.last_event_at or at, at)
    fields = ["repeats", "last_event_at"]
    raised_from = ""
    if level and incident.level and LEVEL_ORDER.index(Level(level)) > LEVEL_ORDER.index(Level(incident.level)):
        raised_from = incident.level
        incident.level, incident.severity = level, severity
        fields += ["level", "severity"]
    if report_119 == "sent" and incident.report_119 == Report119.NONE:
        incident.report_119, incident.report_119_at = Report119.AUTO_SENT, now
        fields += ["report_119", "report_119_at"]
    incident.save(update_fields=fields)
    if raised_from:
        _log(incident, LogKind.LEVEL, actor=None, at=now, data={"from": raised_from, "to": level})
        _on_timeline(incident, raised_from=raised_from)
        if level == Level.DANGER and incident.case_id is None:
            _discover_case(incident)
    elif incident.repeats <= REPEATS_LOGGED:
        _log(incident, LogKind.REPEAT, actor=None, at=now, event_id=event_id)
    return incident


def incident_cleared(*, home_id: int, cause: Cause | str, event_id: int, now: dt.datetime) -> Incident | None:
    """The detector stopped, or the person pressed cancel: noted on the open incident, which stays open.
    A cancelled button is still called back (a fall may leave someone able to press cancel, not to stand)."""
    incident = Incident.objects.select_for_update().filter(home_id=home_id, cause=cause, resolved_at__isnull=True).first()
    if incident is not None:
        _log(incident, LogKind.CLEARED, actor=None, at=now, event_id=event_id)
    return incident


# The worker's steps ---------------------------------------------------------------------------------

ACTIONS = {"phone_call": LogKind.PHONE_CALL, "visit": LogKind.VISIT, "dispatch_119": LogKind.DISPATCH_119}


def _lock(actor: User, incident: Incident) -> Incident:
    from dolbom.safety.selectors import can_respond, incident_visible

    require(can_respond(actor))
    locked = lock_in_scope(incident_visible(actor).select_related("home"), incident.pk,
                           SafetyErrorCode.INCIDENT_NOT_FOUND, actor=actor, record_type="safety_incident",
                           resident="home__resident_id")
    if locked.resolved_at is not None:
        raise DomainError(SafetyErrorCode.INCIDENT_RESOLVED)
    return locked


def _acknowledge(incident: Incident, actor: User, now: dt.datetime) -> list[str]:
    """Looking at an incident (or acting on it, which shows one did) is what the 60-second target measures."""
    if incident.acknowledged_at is not None:
        return []
    incident.acknowledged_at, incident.acknowledged_by, incident.status = now, actor, IncidentStatus.ACKNOWLEDGED
    _log(incident, LogKind.ACKNOWLEDGED, actor=actor, at=now)
    return ["acknowledged_at", "acknowledged_by", "status"]


@transaction.atomic
def incident_acknowledge(*, actor: User, incident: Incident) -> Incident:
    incident = _lock(actor, incident)
    fields = _acknowledge(incident, actor, timezone.now())
    if fields:
        incident.save(update_fields=fields)
    return incident


@transaction.atomic
def incident_respond(*, actor: User, incident: Incident, action: str, note: str = "") -> Incident:
    """One click: a phone call made, a visit made (someone is at the door: attended), 119 dispatched."""
    if action not in ACTIONS:
        raise DomainError(SafetyErrorCode.ACTION_INVALID)
    note = clean_note(note)
    incident = _lock(actor, incident)
    now = timezone.now()
    fields = _acknowledge(incident, actor, now)
    if action in ("visit", "dispatch_119") and incident.attended_at is None:
        incident.attended_at = now
        fields.append("attended_at")
    if action == "dispatch_119":
        incident.report_119, incident.report_119_at = Report119.DISPATCHED, now
        fields += ["report_119", "report_119_at"]
    if fields:
        incident.save(update_fields=fields)
    _log(incident, ACTIONS[action], actor=actor, at=now, note=note)
    case = open_case(incident.home.resident_id)
    if case is not None:
        events.safety_response(case=case, incident=incident, actor=actor, action=action, note=note)
    return incident


def _resolve(incident: Incident, *, actor: User, outcome: str, note: str, now: dt.datetime,
             reason: str = "", automatic: bool = False) -> Incident:
    # The service closing a caution by itself is not someone acknowledging it: the response-time figures
    # count people only.
    fields = [] if automatic else _acknowledge(incident, actor, now)
    incident.status, incident.resolved_at, incident.resolved_by = IncidentStatus.RESOLVED, now, actor
    incident.outcome, incident.false_alarm_reason, incident.resolution_note = outcome, reason, note
    if outcome == Outcome.FALSE_ALARM and incident.report_119 == Report119.NONE:
        incident.report_119 = Report119.NOT_NEEDED
        fields.append("report_119")
    incident.save(update_fields=[*fields, "status", "resolved_at", "resolved_by", "outcome", "false_alarm_reason",
                                 "resolution_note"])
    _log(incident, LogKind.FALSE_ALARM if outcome == Outcome.FALSE_ALARM else LogKind.RESOLVED, actor=actor, at=now,
         note=note, data={"outcome": outcome, "reason": reason})
    if incident.cause == Cause.INACTIVITY:
        # However it ended, someone established how the person is at this moment: count from here.
        clock_restart(incident.home, now)
    case = open_case(incident.home.resident_id)
    if case is not None:
        events.safety_resolved(case=case, incident=incident, actor=actor)
    return incident


@transaction.atomic
def incident_false_alarm(*, actor: User, incident: Incident, reason: str, note: str = "") -> Incident:
    """One click with a reason code: cooking smoke, a button pressed by mistake, a test, a faulty device."""
    if reason not in FalseAlarmReason.values:
        raise DomainError(SafetyErrorCode.FALSE_ALARM_REASON_REQUIRED)
    note = clean_note(note)
    incident = _lock(actor, incident)
    return _resolve(incident, actor=actor, outcome=Outcome.FALSE_ALARM, note=note, now=timezone.now(), reason=reason)


@transaction.atomic
def incident_resolve(*, actor: User, incident: Incident, outcome: str, note: str = "",
                     reason: str = "") -> Incident:
    if outcome not in WORKER_OUTCOMES:
        raise DomainError(SafetyErrorCode.OUTCOME_INVALID)
    if outcome == Outcome.FALSE_ALARM:
        return incident_false_alarm(actor=actor, incident=incident, reason=reason, note=note)
    note = clean_note(note)
    incident = _lock(actor, incident)
    return _resolve(incident, actor=actor, outcome=outcome, note=note, now=timezone.now())


def incident_resolve_automatically(*, incident: Incident, outcome: Outcome, note: str, now: dt.datetime) -> Incident:
    """The service closes a caution itself: the person moved again, or answered the check-in call and said
    they were well. Runs in the caller's transaction on a row it locked."""
    return _resolve(incident, actor=system_user(), outcome=outcome, note=note, now=now, automatic=True)


# Escalation -----------------------------------------------------------------------------------------

_LADDER = ((Escalation.LEAD, "escalate_lead_seconds", "lead"), (Escalation.CITY, "escalate_city_seconds", "city"))


def incidents_escalate(*, now: dt.datetime | None = None) -> int:
    """An unacknowledged P1 goes up the ladder on a clock: the worker's team lead after a minute, the city
    team after three (the published targets: 97.5% of alarms answered within 60 s, 99% within 3 min)."""
    now = now or timezone.now()
    settings_ = SafetySettings.current()
    done = 0
    for rung, attribute, who in _LADDER:
        wait = dt.timedelta(seconds=getattr(settings_, attribute))
        ids = list(Incident.objects.filter(resolved_at__isnull=True, acknowledged_at__isnull=True, severity=Severity.P1,
                                           escalation__lt=rung, opened_at__lte=now - wait)
                   .values_list("pk", flat=True)[:500])
        for pk in ids:
            with transaction.atomic():
                incident = (Incident.objects.select_for_update(skip_locked=True)
                            .filter(pk=pk, resolved_at__isnull=True, acknowledged_at__isnull=True,
                                    escalation__lt=rung).first())
                if incident is None:
                    continue
                incident.escalation, incident.escalated_at = rung, now
                incident.save(update_fields=["escalation", "escalated_at"])
                _log(incident, LogKind.ESCALATED, actor=None, at=now, data={"to": int(rung)})
                if who == "lead":
                    transaction.on_commit(lambda pk=pk: _notify_worker(pk, "lead"))
                done += 1
    return done


# The automatic check-in call --------------------------------------------------------------------------

def checkin_request(incident: Incident) -> None:
    """On a caution, ring the resident through the check-in calls (the checkins app) before sending anyone:
    most cautions are a long nap. The call is made by the check-in caller as the case manager would ask
    for it (call_now); its answer comes back to the incident (checkin_results)."""
    from dolbom.checkins.models import Enrolment, EnrolmentStatus
    from dolbom.checkins.services import call_now

    case = open_case(incident.home.resident_id)
    enrolment = (Enrolment.objects.filter(case=case, status=EnrolmentStatus.ACTIVE).first()
                 if case is not None else None)
    if enrolment is None:
        incident.checkin_status = CheckinStatus.NOT_ENROLLED
        incident.save(update_fields=["checkin_status"])
        return
    try:
        with transaction.atomic():
            call = call_now(actor=case.manager, enrolment=enrolment)
    except DomainError as exc:
        _log(incident, LogKind.CHECKIN, actor=None, note=f"안부전화 요청 실패: {exc.message}")
        incident.checkin_status = CheckinStatus.NOT_ENROLLED
        incident.save(update_fields=["checkin_status"])
        return
    incident.checkin_call, incident.checkin_status = call, CheckinStatus.REQUESTED
    incident.save(update_fields=["checkin_call", "checkin_status"])
    _log(incident, LogKind.CHECKIN, actor=None, note="자동 안부전화 요청", data={"call_id": call.pk})


def checkin_results(*, now: dt.datetime | None = None) -> int:
    """Attach the answers of the check-in calls made for cautions. Answered and well: the caution closes
    and the clock counts from the call. No answer, or a risk heard on the call: it stays for the worker."""
    from dolbom.checkins.models import CallStatus

    now = now or timezone.now()
    done = 0
    waiting = list(Incident.objects.filter(checkin_status=CheckinStatus.REQUESTED, resolved_at__isnull=True,
                                           checkin_call__status__in=[CallStatus.COMPLETED, CallStatus.MISSED,
                                                                     CallStatus.CANCELLED, CallStatus.RESCHEDULED])
                   .values_list("pk", flat=True)[:500])
    for pk in waiting:
        with transaction.atomic():
            incident = (Incident.objects.select_for_update(skip_locked=True, of=("self",)).select_related("home", "checkin_call")
                        .filter(pk=pk, checkin_status=CheckinStatus.REQUESTED, resolved_at__isnull=True).first())
            if incident is None:
                continue
            call = incident.checkin_call
            data = {"call_id": call.pk, "call_status": call.status, "summary": call.summary[:300]}
            if call.status == CallStatus.COMPLETED and not (call.safety or call.needs_followup):
                incident.checkin_status = CheckinStatus.ANSWERED
                incident.save(update_fields=["checkin_status"])
                _log(incident, LogKind.CHECKIN, actor=None, at=now, note="안부전화 응답: 이상 없음", data=data)
                incident_resolve_automatically(incident=incident, outcome=Outcome.CHECKIN_ANSWERED,
                                               note=call.summary[:500], now=call.ended_at or now)
            elif call.status == CallStatus.COMPLETED:
                incident.checkin_status = CheckinStatus.NEEDS_HELP
                incident.save(update_fields=["checkin_status"])
                _log(incident, LogKind.CHECKIN, actor=None, at=now, note="안부전화 응답: 확인 필요", data=data)
            else:
                incident.checkin_status = CheckinStatus.NO_ANSWER
                incident.save(update_fields=["checkin_status"])
                _log(incident, LogKind.CHECKIN, actor=None, at=now, note="안부전화 무응답", data=data)
            done += 1
    return done
