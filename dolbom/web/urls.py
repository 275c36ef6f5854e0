from django.contrib.auth import views as auth_views
from django.urls import path

from dolbom.web.views import dashboard

app_name = "web"

# The shell's own pages. Each domain app mounts its pages in dolbom/urls.py.
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
