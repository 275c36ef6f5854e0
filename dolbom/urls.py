from django.urls import include, path

from dolbom.api import api

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("residents/", include("dolbom.registry.urls")),
    path("audit/", include("dolbom.audit.urls")),
    # The case pages sit under /cases/, /residents/<id>/cases/ and /settings/: cases/urls.py names them whole.
    path("", include("dolbom.cases.urls")),
    path("referrals/", include("dolbom.referrals.urls")),
    path("meetings/", include("dolbom.meetings.urls")),
    path("visits/", include("dolbom.visits.urls")),
    path("checkins/", include("dolbom.checkins.urls")),
    path("discovery/", include("dolbom.discovery.urls")),
    path("safety/", include("dolbom.safety.urls")),
    path("subsidies/", include("dolbom.subsidies.urls")),
    path("inspections/", include("dolbom.inspections.urls")),
    path("programmes/", include("dolbom.programmes.urls")),
    path("reports/", include("dolbom.reports.urls")),
    path("", include("dolbom.web.urls")),
]
