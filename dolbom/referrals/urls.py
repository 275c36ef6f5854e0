"""Web pages of the referrals app (mounted at /referrals/)."""

from django.urls import path  # noqa: F401

app_name = "referrals"

urlpatterns: list = []
