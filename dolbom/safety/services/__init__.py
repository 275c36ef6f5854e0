"""Writes of the safety app, one module per part: homes and equipment, the ingest of events and its rules,
incidents, device tickets, the periodic sweep."""

from dolbom.safety.services.homes import (
    DeviceSpec,
    Installed,
    absence_cancel,
    absence_register,
    device_add,
    device_replace,
    device_retire,
    gateway_authenticate,
    gateway_replace,
    gateway_token_rotate,
    home_assign,
    home_end,
    home_install,
    home_settings_update,
    responder_set,
    safety_settings_update,
    waitlist_add,
)
from dolbom.safety.services.incidents import (
    incident_acknowledge,
    incident_false_alarm,
    incident_resolve,
    incident_respond,
    incidents_escalate,
)
from dolbom.safety.services.ingest import IngestResult, events_ingest, reject_record
from dolbom.safety.services.sweep import SweepReport, deadlines_fire, supervision_check, sweep
from dolbom.safety.services.tickets import ticket_resolve

__all__ = [
    "DeviceSpec", "IngestResult", "Installed", "SweepReport", "absence_cancel", "absence_register", "deadlines_fire",
    "device_add", "device_replace", "device_retire", "events_ingest", "gateway_authenticate", "gateway_replace",
    "gateway_token_rotate", "home_assign", "home_end", "home_install", "home_settings_update", "incident_acknowledge",
    "incident_false_alarm", "incident_resolve", "incident_respond", "incidents_escalate", "reject_record",
    "responder_set", "safety_settings_update", "supervision_check", "sweep", "ticket_resolve", "waitlist_add",
]
