"""City integrated-care team settings: the follow-up intervals (bounded by the Decree)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dolbom.accounts.models import Role
from dolbom.accounts.scope import role_of
from dolbom.cases.models import CitySettings
from dolbom.cases.rules import FIRST_FOLLOW_UP_MAX_DAYS, FOLLOW_UP_MAX_DAYS
from dolbom.cases.services import city_settings_update
from dolbom.lib.errors import DomainError
from dolbom.web.forms import CitySettingsForm
from dolbom.web.views.common import error_page, forbidden_page


@login_required
def city_settings_page(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) != Role.CITY_TEAM:
        return forbidden_page(request)
    current = CitySettings.current()
    form = CitySettingsForm(request.POST or None, initial={
        "first_follow_up_days": current.first_follow_up_days,
        "follow_up_interval_days": current.follow_up_interval_days,
    })
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                city_settings_update(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                if exc.status_code != 400:
                    return error_page(request, exc)
                error, status = exc.message, 400
            else:
                messages.success(request, _("Follow-up intervals saved."))
                return redirect("web:city_settings")
        else:
            status = 400
    return render(request, "web/city_settings.html", {
        "form": form, "error": error, "first_max": FIRST_FOLLOW_UP_MAX_DAYS, "later_max": FOLLOW_UP_MAX_DAYS,
    }, status=status)
