"""The public pages: no account, Korean, usable on a phone (390×844) and on a PC (1366×768).

They show no one's name: sessions show free places and the waiting list's length, a lottery shows receipt
numbers, a person's own page (reached by the link sent to their phone) shows their receipt number, party
size and status. The form's details wait in the server-side session between the form and the code.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.integrations.messaging import phone_masked
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError
from dolbom.programmes import selectors, services
from dolbom.programmes.forms import CodeForm, PublicBookingForm, PublicSignupForm
from dolbom.programmes.models import AdviserKind, BookingStatus, SignupStatus
from dolbom.programmes.services import consultations as consult_services
from dolbom.programmes.services import signups as signup_services
from dolbom.verification.services import challenge_verify

_PENDING = "programmes_pending"


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, f"programmes/public/{template}", context, status=status)


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _page(request, "error.html", {"message": exc.message}, status=exc.status_code)


def _ip(request: HttpRequest) -> str | None:
    return AccessContext.from_request(request).ip


def _pending_put(request: HttpRequest, token: str, data: dict[str, Any]) -> None:
    pending = dict(request.session.get(_PENDING, {}))
    pending[token] = data
    request.session[_PENDING] = dict(list(pending.items())[-5:])  # a few open forms per browser at most


def _pending(request: HttpRequest, token: str) -> dict[str, Any] | None:
    return request.session.get(_PENDING, {}).get(token)


def _pending_drop(request: HttpRequest, token: str) -> None:
    pending = dict(request.session.get(_PENDING, {}))
    pending.pop(token, None)
    request.session[_PENDING] = pending


def _start(request: HttpRequest, form: Any, start: Any, pending: dict[str, Any], keep: tuple[str, ...]
           ) -> tuple[HttpResponse | None, str]:
    """A public form's first step: on a valid form the service sends the code, the details wait in the
    server-side session, and the person goes on to the code page; otherwise the error to show."""
    if request.method != "POST":
        return None, ""
    if not form.is_valid():
        return None, _("Check the highlighted fields.")
    try:
        challenge = start(form.cleaned_data)
    except DomainError as exc:
        return None, exc.message
    _pending_put(request, challenge.token, {**pending, **{k: form.cleaned_data[k] for k in keep}})
    return redirect("programmes:public_verify", challenge.token), ""


def _demo_messages(phone: str) -> list[dict[str, Any]]:
    """Development only, with the file backend: the texts sent to this phone, so the demo can go on
    without a real phone. Production refuses that backend (integrations/messaging/backends.py)."""
    if settings.PRODUCTION or settings.DOLBOM_MESSAGE_BACKEND != "file":
        return []
    from dolbom.integrations.messaging.backends import file_messages

    return [m for m in file_messages() if m.get("to") == phone][-1:]


# Programmes and sessions --------------------------------------------------------------------------

def index(request: HttpRequest) -> HttpResponse:
    programmes = selectors.public_programmes()
    return _page(request, "index.html", {"programmes": programmes, "kinds": AdviserKind.choices})


def programme_page(request: HttpRequest, programme_id: int) -> HttpResponse:
    try:
        programme = selectors.programme_get(programme_id)
    except DomainError as exc:
        return _error(request, exc)
    now = timezone.now()
    sessions = [(s, selectors.signup_window(s, now=now)) for s in selectors.public_sessions(programme, now=now)]
    return _page(request, "programme.html", {"programme": programme, "sessions": sessions})


def session_page(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        session = selectors.session_get(session_id)
    except DomainError as exc:
        return _error(request, exc)
    programme = session.programme
    form = PublicSignupForm(request.POST or None, max_party=programme.max_party_size)
    done, error = _start(request, form, lambda d: signup_services.signup_start(
        session=session, name=d["name"], phone=d["phone"], party_size=d["party_size"], privacy_consent=d["privacy"],
        ip=_ip(request)), {"kind": "signup", "session": session.pk}, ("name", "phone", "party_size"))
    if done is not None:
        return done
    window = selectors.signup_window(session)
    counts = selectors.sessions_with_counts(type(session).objects.filter(pk=session.pk)).get()
    return _page(request, "session.html", {"session": counts, "programme": programme, "window": window,
                                            "form": form, "error": error},
                 status=400 if error else 200)


def verify_page(request: HttpRequest, token: str) -> HttpResponse:
    """The code step of both flows: the sign-up or booking is written when the code is right."""
    pending = _pending(request, token)
    if pending is None:
        return _page(request, "error.html", {"message": _("The form has expired. Start again.")}, status=404)
    form = CodeForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        purpose = signup_services.PURPOSE if pending["kind"] == "signup" else consult_services.PURPOSE
        try:
            challenge_verify(token=token, purpose=purpose, code=form.cleaned_data["code"])
            if pending["kind"] == "signup":
                _signup, link = services.signup_apply(session_id=pending["session"], challenge_token=token,
                                                      name=pending["name"], phone=pending["phone"],
                                                      party_size=pending["party_size"])
                target = reverse("programmes:public_signup", args=[link])
            else:
                _booking, link = services.booking_apply(slot_id=pending["slot"], challenge_token=token,
                                                        name=pending["name"], phone=pending["phone"],
                                                        topic=pending["topic"])
                target = reverse("programmes:public_booking", args=[link])
        except DomainError as exc:
            # A wrong code is the person's to fix (400); "busy, try again" is the server's (503).
            error, status = exc.message, exc.status_code
        else:
            _pending_drop(request, token)
            return redirect(target + "?new=1")
    from dolbom.integrations.messaging import phone_normalise

    phone = phone_normalise(pending["phone"])
    return _page(request, "verify.html", {"form": form, "error": error, "masked": phone_masked(phone),
                                           "demo_messages": _demo_messages(phone)}, status=status)


def signup_page(request: HttpRequest, token: str) -> HttpResponse:
    """The person's own sign-up, by the link sent to their phone: status, accept an offer, cancel."""
    try:
        signup = selectors.signup_by_token(token)
    except DomainError as exc:
        return _error(request, exc)
    return _page(request, "signup.html", {
        "signup": signup, "session": signup.session, "programme": signup.session.programme,
        "position": selectors.waiting_position(signup), "Status": SignupStatus, "token": token,
        "new": request.GET.get("new") == "1",
        "can_cancel": signup.is_active and timezone.now() < signup.session.starts_at,
    })


@require_POST
def signup_action(request: HttpRequest, token: str, action: str) -> HttpResponse:
    try:
        if action == "accept":
            services.offer_accept(token=token)
        elif action in ("cancel", "decline"):
            services.signup_cancel(token=token, reason="본인 취소" if action == "cancel" else "자리 제안 거절")
        else:
            return _page(request, "error.html", {"message": _("Not found.")}, status=404)
    except DomainError as exc:
        try:
            selectors.signup_by_token(token)
        except DomainError:
            return _error(request, exc)
        messages.error(request, exc.message)
        return redirect("programmes:public_signup", token)
    messages.success(request, {"accept": _("Your place is confirmed."), "cancel": _("Your sign-up is cancelled."),
                               "decline": _("You declined the place; it goes to the next family.")}[action])
    return redirect("programmes:public_signup", token)


def lottery_page(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        session = selectors.session_get(session_id)
    except DomainError as exc:
        return _error(request, exc)
    return _page(request, "lottery.html", {"session": session, "programme": session.programme,
                                            "publication": selectors.lottery_publication(session)})


# Consultations ----------------------------------------------------------------------------------

def consult_page(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    slots = selectors.open_slots(kind=kind if kind in AdviserKind.values else "")
    days: dict[Any, list] = {}
    for slot in slots[:200]:
        days.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
    for day_slots in days.values():  # one row of times per adviser on each day
        day_slots.sort(key=lambda s: (s.adviser.kind, s.adviser.name, s.starts_at))
    return _page(request, "consult.html", {"days": days, "kind": kind, "kinds": AdviserKind.choices})


def slot_page(request: HttpRequest, slot_id: int) -> HttpResponse:
    try:
        slot = selectors.slot_get(slot_id)
    except DomainError as exc:
        return _error(request, exc)
    form = PublicBookingForm(request.POST or None)
    done, error = _start(request, form, lambda d: services.booking_start(
        slot=slot, name=d["name"], phone=d["phone"], topic=d["topic"], privacy_consent=d["privacy"], ip=_ip(request)),
        {"kind": "booking", "slot": slot.pk}, ("name", "phone", "topic"))
    if done is not None:
        return done
    return _page(request, "slot.html", {"slot": slot, "adviser": slot.adviser, "form": form, "error": error},
                 status=400 if error else 200)


def booking_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        booking = selectors.booking_by_token(token)
    except DomainError as exc:
        return _error(request, exc)
    active = booking.status == BookingStatus.BOOKED and booking.slot.starts_at > timezone.now()
    return _page(request, "booking.html", {
        "booking": booking, "slot": booking.slot, "adviser": booking.adviser, "token": token, "active": active,
        "options": selectors.reschedule_options(booking)[:30] if active else [],
        "new": request.GET.get("new") == "1", "Status": BookingStatus,
    })


@require_POST
def booking_action(request: HttpRequest, token: str, action: str) -> HttpResponse:
    try:
        if action == "cancel":
            services.booking_cancel(token=token)
        elif action == "move":
            slot = selectors.slot_get(int(request.POST.get("slot") or 0))
            services.booking_reschedule(token=token, slot=slot)
        else:
            return _page(request, "error.html", {"message": _("Not found.")}, status=404)
    except (DomainError, ValueError) as exc:
        try:
            selectors.booking_by_token(token)
        except DomainError as missing:
            return _error(request, missing)
        messages.error(request, exc.message if isinstance(exc, DomainError) else _("Choose another time."))
        return redirect("programmes:public_booking", token)
    messages.success(request, {"cancel": _("Your booking is cancelled."), "move": _("Your booking is moved.")}[action])
    return redirect("programmes:public_booking", token)
