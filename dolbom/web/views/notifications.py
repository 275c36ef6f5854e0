"""The header's bell: the counts a page polls (no names, so nothing to log), the page that lists them,
and the person's own settings (the tone, the number for urgent text messages)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dolbom.lib.errors import DomainError
from dolbom.web.forms import NotificationSettingsForm
from dolbom.web.notifications import notifications_for
from dolbom.web.selectors import notification_settings_for
from dolbom.web.services import notification_settings_update


@require_GET
def notification_counts(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        # A poll after the session ended: the page's next navigation goes to the login page.
        return JsonResponse({"code": "not_signed_in"}, status=401)
    items = notifications_for(request.user)
    return JsonResponse({
        "total": sum(i["count"] for i in items),
        "alarm": sum(i["count"] for i in items if i["alarm"]),
        "items": [{k: i[k] for k in ("key", "label", "count", "url")} for i in items if i["count"]],
        "muted": notification_settings_for(request.user).mute_sound,
    })


@login_required
def notifications_page(request: HttpRequest) -> HttpResponse:
    current = notification_settings_for(request.user)
    form = NotificationSettingsForm(request.POST or None, initial={"mute_sound": current.mute_sound,
                                                                  "alert_phone": current.alert_phone})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                notification_settings_update(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error("alert_phone", exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("web:notifications")
        status = 400
    return render(request, "web/notifications.html", {"items": notifications_for(request.user), "form": form},
                  status=status)


@login_required
@require_POST
def notification_mute(request: HttpRequest) -> HttpResponse:
    """The header's mute button: flips the tone and goes back to the page it was pressed on."""
    current = notification_settings_for(request.user)
    notification_settings_update(actor=request.user, mute_sound=not current.mute_sound,
                                 alert_phone=current.alert_phone)
    messages.success(request, _("The alert tone is off.") if not current.mute_sound else _("The alert tone is on."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "/"
    return redirect(back)
