"""Web pages of the discovery app (mounted at /discovery/)."""

from django.urls import path

from dolbom.discovery import views

app_name = "discovery"

urlpatterns = [
    path("", views.index, name="cycles"),
    path("limit/", views.limit_update, name="limit"),
    path("cycles/<int:cycle_id>/", views.cycle_detail, name="cycle"),
    path("cycles/<int:cycle_id>/import/", views.cycle_import, name="cycle_import"),
    path("cycles/<int:cycle_id>/score/", views.cycle_score, name="cycle_score"),
    path("cycles/<int:cycle_id>/list/", views.visit_list, name="visit_list"),
    path("cycles/<int:cycle_id>/referral/", views.referral, name="referral"),
    path("entries/<int:entry_id>/", views.entry_detail, name="entry"),
    path("entries/<int:entry_id>/outcome/", views.entry_outcome, name="entry_outcome"),
    path("entries/<int:entry_id>/case/", views.entry_case, name="entry_case"),
    path("objections/", views.objection, name="objection"),
    path("models/", views.model_list, name="model_versions"),
    path("models/<str:version>/", views.model_quality, name="model_quality"),
    path("models/<str:version>/file/", views.model_quality_file, name="model_file"),
]
