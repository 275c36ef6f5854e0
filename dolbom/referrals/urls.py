"""Web pages of the referrals app (mounted at /referrals/)."""

from django.urls import path

from dolbom.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list_page, name="referral_list"),
    path("partner/", views.partner_list_page, name="partner_list"),
    path("discharge/", views.discharge_page, name="discharge"),
    path("services/", views.service_list_page, name="service_list"),
    path("services/new/", views.service_edit_page, name="service_new"),
    path("services/<int:service_id>/", views.service_edit_page, name="service_edit"),
    path("institutions/new/", views.institution_edit_page, name="institution_new"),
    path("institutions/<str:code>/", views.institution_edit_page, name="institution_edit"),
    path("cases/<int:case_id>/new/", views.referral_create_page, name="referral_create"),
    path("cases/<int:case_id>/consent/", views.share_consent_record, name="share_consent"),
    path("<int:referral_id>/", views.referral_detail_page, name="referral_detail"),
    path("<int:referral_id>/<slug:action>/", views.referral_action, name="referral_action"),
]
