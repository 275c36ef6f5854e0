"""Web pages of the meetings app (mounted at /meetings/)."""

from django.urls import path

from dolbom.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meetings"),
    path("new/", views.meeting_new, name="meeting_new"),
    path("<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("<int:meeting_id>/agenda/", views.agenda_add, name="agenda_add"),
    path("<int:meeting_id>/agenda/<int:item_id>/", views.agenda_item, name="agenda_item"),
    path("<int:meeting_id>/attendees/", views.attendee_invite, name="attendee_invite"),
    path("<int:meeting_id>/minutes/", views.minutes_save, name="minutes_save"),
    path("<int:meeting_id>/minutes/sign/", views.minutes_sign, name="minutes_sign"),
    path("<int:meeting_id>/action-items/", views.action_item_add, name="action_add"),
    path("action-items/<int:item_id>/done/", views.action_item_done, name="action_done"),
    path("action-items/overdue/", views.overdue_actions, name="actions_overdue"),
    path("cases/<int:case_id>/", views.case_items, name="case_meetings"),
    path("councils/", views.council_list, name="councils"),
    path("councils/<int:council_id>/", views.council_detail, name="council"),
]
