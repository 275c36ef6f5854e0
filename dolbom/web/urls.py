from django.contrib.auth import views as auth_views
from django.urls import path

from dolbom.web.views import audit, cases, city, dashboard, residents

app_name = "web"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Residents
    path("residents/", residents.resident_search_page, name="resident_search"),
    path("residents/<int:resident_id>/", residents.resident_detail, name="resident_detail"),
    path("residents/<int:resident_id>/purpose/", residents.resident_purpose, name="resident_purpose"),
    path("residents/<int:resident_id>/rrn/", residents.resident_rrn, name="resident_rrn"),
    path("residents/<int:resident_id>/consents/", residents.consent_add, name="consent_add"),
    path("residents/<int:resident_id>/consents/<int:consent_id>/withdraw/", residents.consent_remove,
         name="consent_withdraw"),
    path("residents/<int:resident_id>/cases/open/", residents.case_start, name="case_open"),
    path("residents/<int:resident_id>/cases/discover/", residents.case_start_discovered, name="case_discover"),
    # Cases
    path("cases/", cases.case_list_page, name="case_list"),
    path("cases/download/", cases.case_list_download, name="case_list_download"),
    path("cases/<int:case_id>/", cases.case_detail, name="case_detail"),
    path("cases/<int:case_id>/purpose/", cases.case_purpose, name="case_purpose"),
    path("cases/<int:case_id>/steps/<slug:step>/", cases.case_step, name="case_step"),
    path("cases/<int:case_id>/plans/", cases.plan_versions, name="plan_versions"),
    path("cases/<int:case_id>/plans/<int:version>/", cases.plan_print, name="plan_print"),
    # Audit and city settings
    path("audit/access-log/", audit.access_log_page, name="access_log"),
    path("audit/monthly-review/", audit.monthly_review_page, name="monthly_review"),
    path("settings/follow-up/", city.city_settings_page, name="city_settings"),
]
