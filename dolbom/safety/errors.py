from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class SafetyErrorCode(StrEnum):
    NOT_ALLOWED = "not_allowed"
    HOME_NOT_FOUND = "home_not_found"
    INCIDENT_NOT_FOUND = "incident_not_found"
    DEVICE_NOT_FOUND = "device_not_found"
    TICKET_NOT_FOUND = "ticket_not_found"
    ABSENCE_NOT_FOUND = "absence_not_found"
    RESIDENT_NOT_FOUND = "resident_not_found"
    ALREADY_IN_SERVICE = "already_in_service"
    NOT_WAITING = "not_waiting"
    NOT_ACTIVE = "not_active"
    SERIAL_TAKEN = "serial_taken"
    SERIAL_REQUIRED = "serial_required"
    KIND_INVALID = "kind_invalid"
    DEVICE_NOT_ACTIVE = "device_not_active"
    REPLACEMENT_KIND = "replacement_kind"
    WORKER_INVALID = "worker_invalid"
    LEVELS_INVALID = "levels_invalid"
    QUIET_HOURS_INVALID = "quiet_hours_invalid"
    ABSENCE_TOO_LONG = "absence_too_long"
    ABSENCE_DATES = "absence_dates"
    ABSENCE_REASON = "absence_reason"
    ABSENCE_OVER = "absence_over"
    INCIDENT_RESOLVED = "incident_resolved"
    ACTION_INVALID = "action_invalid"
    OUTCOME_INVALID = "outcome_invalid"
    FALSE_ALARM_REASON_REQUIRED = "false_alarm_reason_required"
    NOTE_TOO_LONG = "note_too_long"
    TICKET_RESOLVED = "ticket_resolved"
    END_REASON_REQUIRED = "end_reason_required"
    MONTH_INVALID = "month_invalid"
    SETTINGS_INVALID = "settings_invalid"

    @classmethod
    def messages(cls) -> dict[SafetyErrorCode, str]:
        return {
            cls.NOT_ALLOWED: _("Your role does not allow this."),
            cls.HOME_NOT_FOUND: _("The home does not exist or is outside your scope."),
            cls.INCIDENT_NOT_FOUND: _("The alert does not exist or is outside your scope."),
            cls.DEVICE_NOT_FOUND: _("The device does not exist or is outside your scope."),
            cls.TICKET_NOT_FOUND: _("The device ticket does not exist or is outside your scope."),
            cls.ABSENCE_NOT_FOUND: _("The absence does not exist or is outside your scope."),
            cls.RESIDENT_NOT_FOUND: _("The resident does not exist or is outside your scope."),
            cls.ALREADY_IN_SERVICE: _("This household is already in the service or on its waiting list."),
            cls.NOT_WAITING: _("Only a home on the waiting list can be installed."),
            cls.NOT_ACTIVE: _("The home is not in service."),
            cls.SERIAL_TAKEN: _("Serial number %(serial)s is already registered."),
            cls.SERIAL_REQUIRED: _("Enter the serial number."),
            cls.KIND_INVALID: _("Choose an activity, door, fire, gas or button device."),
            cls.DEVICE_NOT_ACTIVE: _("The device is no longer in use."),
            cls.REPLACEMENT_KIND: _("A device is replaced by one of the same kind."),
            cls.WORKER_INVALID: _("Choose an emergency worker of the centre."),
            cls.LEVELS_INVALID: _("The levels must grow: caution before warning before danger, each at least an hour "
                                  "and at most three days."),
            cls.QUIET_HOURS_INVALID: _("Quiet hours need a start and an end, at most twelve hours apart."),
            cls.ABSENCE_TOO_LONG: _("An absence lasts at most 31 days; register a new one after it."),
            cls.ABSENCE_DATES: _("The absence must end after it starts, and not in the past."),
            cls.ABSENCE_REASON: _("Choose the reason for the absence."),
            cls.ABSENCE_OVER: _("The absence is already over or cancelled."),
            cls.INCIDENT_RESOLVED: _("The alert is already resolved."),
            cls.ACTION_INVALID: _("Choose a phone call, a visit or a 119 dispatch."),
            cls.OUTCOME_INVALID: _("Choose how the alert ended."),
            cls.FALSE_ALARM_REASON_REQUIRED: _("Choose why it was a false alarm."),
            cls.NOTE_TOO_LONG: _("The note is longer than 500 characters."),
            cls.TICKET_RESOLVED: _("The device ticket is already resolved."),
            cls.END_REASON_REQUIRED: _("Choose why the service ends."),
            cls.MONTH_INVALID: _("Choose a month (YYYY-MM)."),
            cls.SETTINGS_INVALID: _("Check the figures: the city team is told after the team lead, within an hour; "
                                    "heartbeats every 5 minutes to a day."),
        }


class IngestErrorCode(StrEnum):
    """Why an event was refused. Stable: gateways and their vendors read these codes."""

    MALFORMED_JSON = "malformed_json"
    TOO_LARGE = "too_large"
    BATCH_TOO_LARGE = "batch_too_large"
    FIELD_MISSING = "field_missing"
    FIELD_INVALID = "field_invalid"
    TIME_INVALID = "time_invalid"
    TIME_IN_FUTURE = "time_in_future"
    VERSION_UNSUPPORTED = "version_unsupported"
    STATUS_UNKNOWN = "status_unknown"
    STATUS_NOT_FOR_DEVICE = "status_not_for_device"
    TOPIC_INVALID = "topic_invalid"
    CONTROLLER_MISMATCH = "controller_mismatch"
    UNKNOWN_CONTROLLER = "unknown_controller"
    GATEWAY_RETIRED = "gateway_retired"
    UNKNOWN_DEVICE = "unknown_device"
    DEVICE_RETIRED = "device_retired"
    DEVICE_KIND_MISMATCH = "device_kind_mismatch"
    PROCESSING_FAILED = "processing_failed"
    TOKEN_INVALID = "token_invalid"

    @classmethod
    def messages(cls) -> dict[IngestErrorCode, str]:
        return {
            cls.MALFORMED_JSON: _("The message is not valid JSON (UTF-8)."),
            cls.TOO_LARGE: _("The message is larger than 64 KB."),
            cls.BATCH_TOO_LARGE: _("A batch holds at most %(limit)s events."),
            cls.FIELD_MISSING: _("A required field is missing: %(field)s."),
            cls.FIELD_INVALID: _("A field is not valid: %(field)s."),
            cls.TIME_INVALID: _("The time must be ISO 8601 with a UTC offset."),
            cls.TIME_IN_FUTURE: _("The time is more than ten minutes in the future: check the gateway's clock."),
            cls.VERSION_UNSUPPORTED: _("Schema version %(version)s is not supported."),
            cls.STATUS_UNKNOWN: _("Status code %(code)s is not in the schema."),
            cls.STATUS_NOT_FOR_DEVICE: _("Status code %(code)s does not come from a %(kind)s."),
            cls.TOPIC_INVALID: _("The topic is not dolbom's event topic."),
            cls.CONTROLLER_MISMATCH: _("The controller in the event is not the one of the topic or token."),
            cls.UNKNOWN_CONTROLLER: _("No gateway is registered with this serial number."),
            cls.GATEWAY_RETIRED: _("The gateway was replaced or retired."),
            cls.UNKNOWN_DEVICE: _("No device with this serial number is registered on the gateway."),
            cls.DEVICE_RETIRED: _("The device was replaced or retired."),
            cls.DEVICE_KIND_MISMATCH: _("The device kind is not the one registered for this device."),
            cls.PROCESSING_FAILED: _("The event could not be processed; it is kept for the operators."),
            cls.TOKEN_INVALID: _("The device token is not valid."),
        }
