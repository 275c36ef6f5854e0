"""The tablet's page for a kitchen without signal, its service worker, and a fresh CSRF token.

The page embeds what an inspection needs (selectors.field_data) and its script (static/inspections/
field.js) keeps every entry in the tablet's IndexedDB under a UUID made on the tablet, sending it to
``POST /api/inspections/sync`` when the network is back. The service worker keeps the page and its files
so that the page opens again in the kitchen; it is served from /inspections/field/ so that its scope is
that page and nothing else, and it never touches the API's requests (they must reach the server or fail).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from dolbom.inspections import selectors
from dolbom.web.views.common import forbidden_page

SHELL_STATIC = ("inspections/field.js", "inspections/field.css", "inspections/inspections.css", "dolbom/dolbom.css",
                "dolbom/htmx.min.js", "dolbom/fonts/PretendardVariable.woff2")

# The script's texts, translated here with the rest of the app (locale/ko).
STRINGS = {
    "online": gettext_lazy("Online"), "offline": gettext_lazy("Offline: saved on this tablet"), "syncing": gettext_lazy("Sending…"),
    "pending_count": gettext_lazy("Waiting to send:"), "no_local": gettext_lazy("No inspection on this tablet yet."),
    "state_pending": gettext_lazy("Waiting to send"), "state_synced": gettext_lazy("Sent"), "state_closed": gettext_lazy("Sent and closed"),
    "state_error": gettext_lazy("Refused: correct and send again"), "sync_failed": gettext_lazy("The server refused the inspection."),
    "score": gettext_lazy("Score"), "open": gettext_lazy("Open inspection"), "view": gettext_lazy("View"), "delete": gettext_lazy("Delete"),
    "confirm_delete": gettext_lazy("Delete this inspection from the tablet? It has not been sent."),
    "photo": gettext_lazy("Photo"), "met": gettext_lazy("Met"), "not_met": gettext_lazy("Not met"), "na": gettext_lazy("Not applicable"),
    "yes": gettext_lazy("Yes"), "no": gettext_lazy("No"), "note": gettext_lazy("Note"), "atp": gettext_lazy("ATP readings"),
    "instrument": gettext_lazy("Instrument"), "surface": gettext_lazy("Surface"), "after_cleaning": gettext_lazy("Right after cleaning"),
    "add_reading": gettext_lazy("Add reading"), "add_retest": gettext_lazy("Add re-test"), "cancel": gettext_lazy("Cancel"),
    "retest_for": gettext_lazy("Re-test after re-cleaning:"), "is_retest": gettext_lazy("re-test"),
    "retest": gettext_lazy("Re-clean and re-test"), "result_pass": gettext_lazy("Pass"), "result_caution": gettext_lazy("Caution"),
    "result_fail": gettext_lazy("Fail"), "actions": gettext_lazy("Corrective actions"), "atp_or_other": gettext_lazy("ATP or other"),
    "action_description": gettext_lazy("What must be corrected"), "action_owner": gettext_lazy("Owner at the facility"),
    "due_on": gettext_lazy("Due on"), "item": gettext_lazy("Checklist item"), "add_action": gettext_lazy("Add action"),
    "coaching": gettext_lazy("Coaching given"), "materials": gettext_lazy("Materials left"), "attendees": gettext_lazy("Attendees"),
    "back": gettext_lazy("Back to the list"), "visited_on": gettext_lazy("Visit date"), "general_note": gettext_lazy("Note on the visit"),
    "answered": gettext_lazy("Answered"), "failed_items": gettext_lazy("Not met"), "retests_needed": gettext_lazy("Re-tests needed"),
    "closed_note": gettext_lazy("The office has closed this inspection."), "submit": gettext_lazy("Finish and send"),
    "saved_locally": gettext_lazy("Every entry is saved on this tablet as you go."),
    "no_planned": gettext_lazy("Nothing planned for you; choose a facility below."), "start": gettext_lazy("Start inspection"),
    "no_storage": gettext_lazy("This browser cannot keep data offline (IndexedDB is off). Use the office PC or another browser."),
}


@lru_cache(maxsize=1)
def _shell_version() -> str:
    """Changes whenever a cached file changes, so tablets replace their copy."""
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        path = finders.find(name)
        if path:
            with open(path, "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()[:12]


@never_cache
@login_required
def field_page(request: HttpRequest) -> HttpResponse:
    if not selectors.is_inspector(request.user):
        return forbidden_page(request, _("Only an inspector of the meal-support centre can use the tablet page."))
    return render(request, "inspections/field.html", {
        "data": selectors.field_data(viewer=request.user),
        "urls": {"sync": "/api/inspections/sync", "photo": "/api/inspections/photos",
                 "token": reverse("inspections:field_token"), "sw": reverse("inspections:field_sw"),
                 "login": f"{reverse('web:login')}?next={reverse('inspections:field')}",
                 "inspection": reverse("inspections:inspection_list"), "scope": reverse("inspections:field")},
        "strings": {k: str(v) for k, v in STRINGS.items()},
        "csrf": get_token(request),
    })


@never_cache
def field_token(request: HttpRequest) -> JsonResponse:
    """A fresh CSRF token for a page that was cached before a new login rotated it. Answers 401 (not a
    redirect to the login page) when the session is gone, so the script can tell the inspector to log in."""
    if not request.user.is_authenticated:
        return JsonResponse({"code": "unauthenticated", "message": _("Log in, or send a valid API token.")},
                            status=401)
    return JsonResponse({"csrf": get_token(request)})


def field_sw(request: HttpRequest) -> HttpResponse:
    script = render(request, "inspections/field_sw.js", {
        "version": _shell_version(), "page": reverse("inspections:field"),
        "files": [static(name) for name in SHELL_STATIC],
    }, content_type="text/javascript; charset=utf-8")
    # The browser checks for a new worker at every visit when the script is not cached.
    script["Cache-Control"] = "no-cache"
    script["Service-Worker-Allowed"] = reverse("inspections:field")
    return script
