"""The second factor in tests.

``force_login`` (the page and API test clients) stands for a finished sign-in: password and, where the
role needs it, the second factor. ``dolbom/conftest.py`` makes every test client's force_login also mark
its session verified with a confirmed authenticator-app device, so that page tests of other apps keep
testing their pages. The sign-in itself, enrolment included, is tested through the real pages
(dolbom/tests/test_security_second_factor.py, and ``log_in`` in the browser helpers).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)


def mark_verified(client: Any, user: User) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_device(user).persistent_id
    session.save()


def current_code(device: TOTPDevice) -> str:
    """The code the person's app would show now.

    The app knows the clock, not the server's drift: django-otp sets the drift to -1 when a code arrives a
    step late (a slow POST on a loaded machine), and a code made with that drift is one step old. Signing in
    again in the same step, it is refused as already used although the app's own code would pass (the flaky
    partner sign-in of the referral walk-through)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Any, username: str, password: str | None = None) -> Any:
    """Sign in through the real pages, as a person would: the password, then the app's code (enrolling at
    the first sign-in, as the enrolment page asks). Returns the last response."""
    from dolbom.testing.personas import PASSWORD

    r = client.post("/login/", {"username": username, "password": password or PASSWORD})
    if r.status_code != 302:
        return r
    user = User.objects.get(username=username)
    r = client.get(r["Location"])
    if r.status_code == 302 and r["Location"].startswith("/account/second-factor/enrol/"):
        client.get(r["Location"])
        pending = TOTPDevice.objects.get(user=user, confirmed=False)
        return client.post("/account/second-factor/enrol/", {"code": current_code(pending)})
    if r.status_code == 302 and r["Location"].startswith("/account/second-factor/"):
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        return client.post("/account/second-factor/", {"code": current_code(device)})
    return r
