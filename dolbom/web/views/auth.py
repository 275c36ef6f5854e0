"""Signing in: the password (with django-axes' lockout), the second factor, the password page and the
security page (recovery codes, API tokens). Thin: the rules are accounts' services."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from dolbom.accounts.models import ApiToken
from dolbom.accounts.scope import needs_second_factor
from dolbom.accounts.second_factor import (
    has_second_factor,
    recovery_codes_renew,
    second_factor_verify,
    totp_enrol_confirm,
    totp_pending,
)
from dolbom.accounts.services import api_token_issue, api_token_revoke, password_change
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError
from dolbom.web.views.common import error_page


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=gettext_lazy("Current password"), max_length=128,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label=gettext_lazy("New password"), max_length=128,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password_again = forms.CharField(label=gettext_lazy("New password again"), max_length=128,
                                         widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("new_password") != data.get("new_password_again"):
            raise forms.ValidationError(_("The two new passwords differ."))
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("What will use the token"), max_length=100)


class SignInView(LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict | None = None) -> HttpResponse:
    """django-axes' answer to a sign-in while the account or the address is locked: the same words whether or
    not the account exists."""
    from django.contrib.auth.forms import AuthenticationForm

    return render(request, "web/login.html", {"form": AuthenticationForm(request), "locked_out": True}, status=429)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _context(request: HttpRequest) -> AccessContext:
    return AccessContext.from_request(request)


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """The code from the app (or a recovery code) after the password."""
    if not has_second_factor(request.user):
        return redirect("web:second_factor_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor_verify(user=request.user, token=form.cleaned_data["code"], context=_context(request))
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            return redirect(_next(request))
    return render(request, "web/second_factor.html", {"form": form, "next": _next(request)},
                  status=400 if request.method == "POST" else 200)


@login_required
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in of a role that needs the second factor (or a person who chose one): scan, type a code,
    keep the recovery codes. The QR code is drawn here as SVG; the secret never leaves the server otherwise."""
    if has_second_factor(request.user) and not request.user.is_verified():
        return redirect("web:second_factor")
    device = totp_pending(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = totp_enrol_confirm(user=request.user, token=form.cleaned_data["code"],
                                               context=_context(request))
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            return render(request, "web/recovery_codes.html", {"codes": codes, "next": _next(request)})
    b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1b2733", light="#ffffff")
    return render(request, "web/second_factor_enrol.html", {
        "form": form, "qr": qr, "secret": " ".join(b32[i:i + 4] for i in range(0, len(b32), 4)),
        "required": needs_second_factor(request.user), "next": _next(request),
    }, status=400 if request.method == "POST" else 200)


@login_required
def password_change_page(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_change(user=request.user, old_password=form.cleaned_data["old_password"],
                            new_password=form.cleaned_data["new_password"], context=_context(request))
        except DomainError as exc:
            form.add_error("old_password" if exc.code == "password_wrong" else "new_password", exc.message)
        else:
            update_session_auth_hash(request, request.user)  # keeps this session, ends the others
            messages.success(request, _("Your password was changed."))
            return redirect("web:account_security")
    return render(request, "web/password_change.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def account_security(request: HttpRequest) -> HttpResponse:
    """The person's own sign-in: password, second factor, recovery codes, API tokens."""
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "web/account_security.html", {
        "has_second_factor": has_second_factor(request.user), "verified": request.user.is_verified(),
        "required": needs_second_factor(request.user), "tokens": tokens, "token_form": TokenForm(),
    })


@login_required
@require_POST
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    if not request.user.is_verified():
        return redirect("web:second_factor")
    codes = recovery_codes_renew(user=request.user, context=_context(request))
    return render(request, "web/recovery_codes.html", {"codes": codes, "next": "/account/security/"})


@login_required
@require_POST
def api_token_new(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Name the token after the script or system that will use it."))
        return redirect("web:account_security")
    try:
        token = api_token_issue(actor=request.user, name=form.cleaned_data["name"],
                                second_factor_verified=request.user.is_verified(), context=_context(request))
    except DomainError as exc:
        if exc.code == "second_factor_required":
            messages.info(request, exc.message)
            return redirect("web:second_factor_enrol" if not has_second_factor(request.user) else "web:second_factor")
        return error_page(request, exc)
    return render(request, "web/api_token.html", {"token": token, "name": form.cleaned_data["name"]})


@login_required
@require_POST
def api_token_remove(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        api_token_revoke(actor=request.user, token_id=token_id, context=_context(request))
    except DomainError as exc:
        return error_page(request, exc)
    messages.success(request, _("The token was revoked."))
    return redirect("web:account_security")
