"""Writes of the checkins app, one module per part: enrolment, calls, memory, alerts, campaigns, runner."""

from dolbom.checkins.services.alerts import (
    alert_acknowledge,
    alert_act,
    alert_close,
    alert_raise,
    alerts_escalate,
)
from dolbom.checkins.services.calls import (
    TurnResult,
    call_hang_up,
    call_no_answer,
    call_now,
    call_reply,
    call_start,
    callback_record,
)
from dolbom.checkins.services.campaigns import campaign_create, checkin_settings_update
from dolbom.checkins.services.enrolment import (
    Preferences,
    Schedule,
    calls_schedule,
    enrolment_create,
    enrolment_set_status,
    next_due,
)
from dolbom.checkins.services.memory import memory_correct
from dolbom.checkins.services.runner import RunReport, run_due

__all__ = [
    "Preferences", "RunReport", "Schedule", "TurnResult", "alert_acknowledge", "alert_act", "alert_close",
    "alert_raise", "alerts_escalate", "call_hang_up", "call_no_answer", "call_now", "call_reply", "call_start",
    "callback_record", "calls_schedule", "campaign_create", "checkin_settings_update", "enrolment_create", "enrolment_set_status",
    "memory_correct", "next_due", "run_due",
]
