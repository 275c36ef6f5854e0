"""Web pages of the checkins app (mounted at /checkins/)."""

from django.urls import path

from dolbom.checkins import views

app_name = "checkins"

urlpatterns = [
    path("", views.alert_queue, name="alerts"),
    path("alerts/<int:alert_id>/<slug:step>/", views.alert_step, name="alert_step"),
    path("enrolments/", views.enrolment_list, name="enrolments"),
    path("enrolments/<int:enrolment_id>/", views.enrolment_detail, name="enrolment"),
    path("enrolments/<int:enrolment_id>/status/", views.enrolment_status, name="enrolment_status"),
    path("enrolments/<int:enrolment_id>/memory/", views.memory_correct, name="memory_correct"),
    path("enrolments/<int:enrolment_id>/call/", views.call_now, name="call_now"),
    path("calls/<int:call_id>/", views.call_page, name="call"),
    path("calls/<int:call_id>/<slug:step>/", views.call_step, name="call_step"),
    path("purpose/<int:case_id>/", views.purpose, name="purpose"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/<int:task_id>/", views.callback_record, name="callback_record"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("settings/", views.settings_update, name="settings"),
    path("dashboard/", views.dashboard, name="checkin_dashboard"),
]
