from django.urls import path

from dolbom.registry import views

app_name = "registry"

# Mounted at /residents/ (dolbom/urls.py). Starting a case from this page is a cases URL (cases/urls.py).
urlpatterns = [
    path("", views.resident_search_page, name="resident_search"),
    path("new/", views.resident_register_page, name="resident_register"),
    path("<int:resident_id>/details/", views.resident_details_update, name="resident_details"),
    path("<int:resident_id>/move/", views.household_move_page, name="household_move"),
    path("<int:resident_id>/", views.resident_detail, name="resident_detail"),
    path("<int:resident_id>/purpose/", views.resident_purpose, name="resident_purpose"),
    path("<int:resident_id>/rrn/", views.resident_rrn, name="resident_rrn"),
    path("<int:resident_id>/consents/", views.consent_add, name="consent_add"),
    path("<int:resident_id>/consents/<int:consent_id>/withdraw/", views.consent_remove, name="consent_withdraw"),
]
