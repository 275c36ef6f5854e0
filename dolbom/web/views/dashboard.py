"""The start page: the panels the domain apps registered (web/dashboard.py) for this user."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from dolbom.web.dashboard import dashboard_panels


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "web/dashboard.html", {"panels": dashboard_panels.render(request)})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: answer with the shipped icon, not a 404."""
    return redirect(static("dolbom/favicon.ico"), permanent=True)
