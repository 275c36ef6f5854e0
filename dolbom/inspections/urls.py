"""Web pages of the inspections app (mounted at /inspections/)."""

from django.urls import path

from dolbom.inspections.views import facilities, field, inspections, rounds

app_name = "inspections"

urlpatterns: list = [
    path("", facilities.facility_list, name="facility_list"),
    path("facilities/new/", facilities.facility_new, name="facility_new"),
    path("facilities/<int:facility_id>/", facilities.facility_detail, name="facility_detail"),
    path("facilities/<int:facility_id>/edit/", facilities.facility_edit, name="facility_edit"),
    path("facilities/<int:facility_id>/risk/", facilities.facility_risk, name="facility_risk"),
    path("facilities/<int:facility_id>/coaching/", facilities.coaching_new, name="coaching_new"),
    path("facilities/<int:facility_id>/export/", facilities.facility_export, name="facility_export"),
    path("list/", inspections.inspection_list, name="inspection_list"),
    path("<int:inspection_id>/", inspections.inspection_detail, name="inspection_detail"),
    path("<int:inspection_id>/close/", inspections.inspection_close, name="inspection_close"),
    path("<int:inspection_id>/escalate/", inspections.escalation_new, name="escalation_new"),
    path("<int:inspection_id>/actions/", inspections.action_new, name="action_new"),
    path("actions/", inspections.action_list, name="action_list"),
    path("actions/<int:action_id>/", inspections.action_detail, name="action_detail"),
    path("actions/<int:action_id>/verify/", inspections.action_verify, name="action_verify"),
    path("photos/<uuid:client_id>/", inspections.photo, name="photo"),
    path("escalations/", inspections.escalation_list, name="escalation_list"),
    path("rounds/", rounds.round_list, name="round_list"),
    path("rounds/<int:round_id>/", rounds.round_report, name="round_report"),
    path("rounds/<int:round_id>/export/", rounds.round_export, name="round_export"),
    path("visits/", rounds.visit_plan, name="visit_plan"),
    path("checklist/", rounds.checklist, name="checklist"),
    path("settings/", rounds.settings_page, name="settings"),
    path("field/", field.field_page, name="field"),
    path("field/sw.js", field.field_sw, name="field_sw"),
    path("field/token/", field.field_token, name="field_token"),
]
