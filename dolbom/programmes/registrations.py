"""What the programmes app adds to lower apps' pages and registries, called from ``apps.py`` (ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from dolbom.programmes import jobs, metrics, selectors
    from dolbom.programmes.views import staff
    from dolbom.registry.panels import ResidentPanel, resident_panel_register
    from dolbom.web.dashboard import DashboardPanel, dashboard_panel_register
    from dolbom.web.nav import NavItem, nav_register

    jobs.register()
    metrics.register()
    nav_register(NavItem(url_name="programmes:programmes", label=_("Programmes"), visible=selectors.can_see_programmes,
                         order=60, sections=("programmes", "programme_new", "programme", "programme_edit", "session", "door",
                                             "adviser_new", "adviser", "adviser_day", "referrals", "referral")))
    dashboard_panel_register(DashboardPanel(key="programme_sessions", template="programmes/_dashboard_sessions.html",
                                            context=staff.dashboard_sessions, visible=staff.show_dashboard_sessions,
                                            order=60, slot="side"))
    dashboard_panel_register(DashboardPanel(key="programme_referrals", template="programmes/_dashboard_referrals.html",
                                            context=staff.dashboard_referrals, visible=staff.show_dashboard_referrals,
                                            order=55, slot="side"))
    resident_panel_register(ResidentPanel(key="programmes", template="programmes/_resident_panel.html",
                                          context=staff.resident_panel, visible=selectors.can_sign_up_residents,
                                          order=60))
