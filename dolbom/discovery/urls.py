"""Web pages of the discovery app (mounted at /discovery/)."""

from django.urls import path  # noqa: F401

app_name = "discovery"

urlpatterns: list = []
