"""Writes of the subsidies app, one module per part of a programme's life.

programmes (rules, rounds, officers) → applications (receipt, checks, supplements, documents) →
selection → decisions (and the budget ledger, budget.py) → objections → completion (inspection,
payment, clawback); care links the programmes to case management.
"""

from dolbom.subsidies.services.applications import (
    Applicant,
    Upload,
    application_check,
    application_submit,
    application_update,
    application_withdraw,
    document_add,
    document_review,
    supplements_lapse,
)
from dolbom.subsidies.services.budget import budget_announce
from dolbom.subsidies.services.care import pointer_create, pointer_decline, suggestion_handle
from dolbom.subsidies.services.completion import (
    clawback_decide,
    clawback_recovered,
    completion_check,
    completion_report,
    inspection_schedule,
    payment_record,
)
from dolbom.subsidies.services.decisions import application_approve, application_refuse, round_decide
from dolbom.subsidies.services.objections import objection_decide, objection_file
from dolbom.subsidies.services.programmes import (
    officer_assign,
    programme_load,
    round_close,
    round_create,
    rule_set_publish,
    rule_set_save,
    rules_check,
    rules_compiled,
)
from dolbom.subsidies.services.public import (
    public_apply,
    public_code_check,
    public_code_send,
    public_status_open,
)
from dolbom.subsidies.services.selection import selection_run

__all__ = [
    "Applicant", "Upload", "application_approve", "application_check", "application_refuse", "application_submit",
    "application_update", "application_withdraw", "budget_announce", "clawback_decide", "clawback_recovered",
    "completion_check", "completion_report", "document_add", "document_review", "inspection_schedule",
    "objection_decide", "objection_file", "officer_assign", "payment_record", "pointer_create", "pointer_decline",
    "programme_load", "public_apply", "public_code_check", "public_code_send", "public_status_open", "round_close", "round_create", "round_decide", "rule_set_publish", "rule_set_save",
    "rules_check", "rules_compiled", "selection_run", "suggestion_handle", "supplements_lapse",
]
