from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dolbom.audit"
    label = "audit"
    verbose_name = "개인정보 접속기록"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dolbom.accounts.scope import can_read_access_log, scope_refused
        from dolbom.audit.services import access_denied_write
        from dolbom.web.dashboard import DashboardPanel, dashboard_panel_register
        from dolbom.web.nav import NavItem, nav_register

        # A write refused outside the actor's scope leaves its DENIED row like a refused read.
        scope_refused.connect(access_denied_write)
        nav_register(NavItem(url_name="audit:access_log", label=_("Access log"), visible=can_read_access_log,
                             order=90, sections=("access_log",)))
        nav_register(NavItem(url_name="audit:monthly_review", label=_("Monthly review"),
                             visible=can_read_access_log, order=91, sections=("monthly_review",)))
        nav_register(NavItem(url_name="audit:lockouts", label=_("Sign-ins and lockouts"),
                             visible=can_read_access_log, order=92, sections=("lockouts",)))
        # The auditor's start page: where the log is; auditors never see personal records.
        dashboard_panel_register(DashboardPanel(key="audit", template="audit/_dashboard.html",
                                                context=_dashboard_context, visible=can_read_access_log,
                                                slot="top"))


def _dashboard_context(request) -> dict:
    """The auditor's work on the start page: this month's refusals, downloads, revealed numbers and views
    outside a caseload with no purpose, each a link to those rows, and the accounts locked now."""
    from dolbom.audit.selectors import access_log_month_to_date, lockouts_current

    return {"month": access_log_month_to_date(viewer=request.user),
            "lockouts": len(lockouts_current(viewer=request.user))}
