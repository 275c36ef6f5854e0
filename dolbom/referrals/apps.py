from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "dolbom.referrals"
    label = "referrals"
    verbose_name = "서비스 연계"

    def ready(self) -> None:
        from dolbom.accounts.models import Role
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
