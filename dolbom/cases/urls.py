from django.urls import path

from dolbom.cases import views

app_name = "cases"

# Mounted at the root (dolbom/urls.py): the case pages live under /cases/, but a case is started from
# the resident page (/residents/<id>/cases/...) and the city sets its intervals under /settings/.
urlpatterns = [
    path("cases/", views.case_list_page, name="case_list"),
    path("cases/download/", views.case_list_download, name="case_list_download"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/purpose/", views.case_purpose, name="case_purpose"),
    path("cases/<int:case_id>/steps/<slug:step>/", views.case_step, name="case_step"),
    path("cases/<int:case_id>/plans/", views.plan_versions, name="plan_versions"),
    path("cases/<int:case_id>/plans/<int:version>/", views.plan_print, name="plan_print"),
    path("residents/<int:resident_id>/cases/open/", views.case_start, name="case_open"),
    path("residents/<int:resident_id>/cases/discover/", views.case_start_discovered, name="case_discover"),
    path("settings/follow-up/", views.city_settings_page, name="city_settings"),
]
