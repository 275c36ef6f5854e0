"""Web pages of the checkins app (mounted at /checkins/)."""

from django.urls import path  # noqa: F401

app_name = "checkins"

urlpatterns: list = []
