"""Report pages (mounted at /reports/)."""

from django.urls import path

from dolbom.reports import views

app_name = "reports"

urlpatterns: list = [
    path("", views.city, name="city"),
    path("dongs/<int:dong_id>/", views.dong, name="dong"),
    path("indicators/", views.catalogue, name="indicators"),
    path("indicators/<str:key>/", views.indicator, name="indicator"),
    path("map/", views.map_page, name="map"),
    path("brief/", views.brief, name="brief"),
    path("export/", views.export, name="export"),
    path("export/people/", views.people, name="people"),
    path("plans/", views.plans, name="plans"),
    path("plans/<int:year>/", views.plan_page, name="plan"),
    path("plans/<int:year>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:year>/sign/", views.plan_sign, name="plan_sign"),
    path("plans/<int:year>/export/", views.plan_export, name="plan_export"),
]
