"""Web pages of the visits app (mounted at /visits/)."""

from django.urls import path

from dolbom.visits import views

app_name = "visits"

urlpatterns: list = [
    path("plan/", views.plan_page, name="plan"),
    path("plan/print/", views.plan_print, name="plan_print"),
    path("my-day/", views.my_day, name="my_day"),
    path("<int:visit_id>/mark/", views.visit_mark, name="visit_mark"),
]
