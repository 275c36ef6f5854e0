"""Web pages of the visits app (mounted at /visits/)."""

from django.urls import path  # noqa: F401

app_name = "visits"

urlpatterns: list = []
