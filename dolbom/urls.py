from django.urls import include, path

from dolbom.api import api

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("referrals/", include("dolbom.referrals.urls")),
    path("meetings/", include("dolbom.meetings.urls")),
    path("visits/", include("dolbom.visits.urls")),
    path("checkins/", include("dolbom.checkins.urls")),
    path("discovery/", include("dolbom.discovery.urls")),
    path("", include("dolbom.web.urls")),
]
