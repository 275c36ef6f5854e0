from django.urls import path

from dolbom.audit import views

app_name = "audit"

# Mounted at /audit/ (dolbom/urls.py).
urlpatterns = [
    path("access-log/", views.access_log_page, name="access_log"),
    path("monthly-review/", views.monthly_review_page, name="monthly_review"),
    path("lockouts/", views.lockouts_page, name="lockouts"),
    path("lockouts/lift/", views.lockout_lift_page, name="lockout_lift"),
]
