from django.contrib.auth import views as auth_views
from django.urls import path

from dolbom.web.views import auth, dashboard, notifications

app_name = "web"

# The shell's own pages. Each domain app mounts its pages in dolbom/urls.py.
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("favicon.ico", dashboard.favicon, name="favicon"),
    path("notifications/", notifications.notifications_page, name="notifications"),
    path("notifications/count/", notifications.notification_counts, name="notification_counts"),
    path("notifications/mute/", notifications.notification_mute, name="notification_mute"),
    path("login/", auth.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/second-factor/", auth.second_factor, name="second_factor"),
    path("account/second-factor/enrol/", auth.second_factor_enrol, name="second_factor_enrol"),
    path("account/security/", auth.account_security, name="account_security"),
    path("account/password/", auth.password_change_page, name="password_change"),
    path("account/recovery-codes/", auth.recovery_codes_new, name="recovery_codes_new"),
    path("account/tokens/", auth.api_token_new, name="api_token_new"),
    path("account/tokens/<int:token_id>/revoke/", auth.api_token_remove, name="api_token_revoke"),
]
