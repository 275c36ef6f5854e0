from django.urls import path

from dolbom.web import views

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
