from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "dolbom.referrals"
    label = "referrals"
    verbose_name = "서비스 연계"

    def ready(self) -> None:
        from dolbom.referrals import metrics

        metrics.register()  # its indicators, for the reports app (lib/metrics.py)
        from dolbom.accounts.models import Role
        from dolbom.cases.hooks import case_closed
        from dolbom.referrals import jobs
        from dolbom.referrals.services import referrals_end_for_case, referrals_end_for_consent
        from dolbom.registry.hooks import consent_withdrawn

        # Referrals end with the case and with the consent they relied on, inside those writes.
        case_closed.connect(referrals_end_for_case)
        consent_withdrawn.connect(referrals_end_for_consent)
        jobs.register()
        from dolbom.accounts.scope import can_see_personal_data, role_of
        from dolbom.web.nav import NavItem, nav_register

        nav_register(NavItem(url_name="referrals:referral_list", label=_("Referrals"), visible=can_see_personal_data,
                             order=40, sections=("referral_list", "referral_detail", "referral_create")))
        nav_register(NavItem(url_name="referrals:partner_list", label=_("Referred clients"),
                             visible=lambda u: role_of(u) == Role.PARTNER, order=40,
                             sections=("partner_list", "referral_detail", "discharge")))
        nav_register(NavItem(url_name="referrals:service_list", label=_("Service directory"),
                             visible=lambda u: role_of(u) is not None, order=45,
                             sections=("service_list", "service_new", "service_edit", "institution_new",
                                       "institution_edit")))
        from dolbom.cases.panels import CasePanel, case_panel_register
        from dolbom.referrals.panels import case_referrals_panel

        case_panel_register(CasePanel(key="referrals", template="referrals/_case_referrals.html",
                                      context=case_referrals_panel, order=10))
        self._register_start_page()

    def _register_start_page(self) -> None:
        """What partner workers and staff see of referrals on the start page and in the header's bell."""
        from dolbom.accounts.scope import can_see_personal_data
        from dolbom.referrals import panels
        from dolbom.referrals.selectors import is_partner
        from dolbom.web.dashboard import DashboardPanel, dashboard_panel_register
        from dolbom.web.notifications import NotificationSource, notification_source_register

        dashboard_panel_register(DashboardPanel(key="partner_referrals", template="referrals/_dashboard_partner.html",
                                                context=panels.dashboard_partner_referrals, visible=is_partner,
                                                order=10, slot="main"))
        dashboard_panel_register(DashboardPanel(key="referral_answers_overdue",
                                                template="referrals/_dashboard_overdue.html",
                                                context=panels.dashboard_overdue_answers,
                                                visible=can_see_personal_data, order=40, slot="side"))
        notification_source_register(NotificationSource(
            key="referrals_waiting", label=_("Referrals waiting for your answer"), count=panels.partner_waiting_count,
            url="referrals:partner_list", visible=is_partner, order=30))
        notification_source_register(NotificationSource(
            key="referral_answers_overdue", label=_("Referral answers overdue"), count=panels.overdue_answers_count,
            url="referrals:referral_list?overdue=on", visible=can_see_personal_data, order=30))
