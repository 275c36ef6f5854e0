"""Web pages of the safety app (mounted at /safety/)."""

from django.urls import path

from dolbom.safety import views

app_name = "safety"

urlpatterns = [
    path("", views.board, name="board"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident"),
    path("incidents/<int:incident_id>/<slug:step>/", views.incident_step, name="incident_step"),
    path("homes/", views.home_list, name="homes"),
    path("homes/<int:home_id>/", views.home_detail, name="home"),
    path("homes/<int:home_id>/install/", views.install, name="install"),
    path("homes/<int:home_id>/<slug:step>/", views.home_step, name="home_step"),
    path("devices/<int:device_id>/<slug:step>/", views.device_step, name="device_step"),
    path("absences/<int:absence_id>/end/", views.absence_cancel, name="absence_cancel"),
    path("waiting/", views.waiting, name="waiting"),
    path("waiting/<int:resident_id>/", views.waitlist_add, name="waitlist_add"),
    path("tickets/", views.tickets, name="tickets"),
    path("tickets/<int:ticket_id>/resolve/", views.ticket_resolve, name="ticket_resolve"),
    path("report/", views.report, name="report"),
    path("settings/", views.safety_settings, name="settings"),
]
