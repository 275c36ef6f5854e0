"""Web pages of the meetings app (mounted at /meetings/)."""

from django.urls import path  # noqa: F401

app_name = "meetings"

urlpatterns: list = []
