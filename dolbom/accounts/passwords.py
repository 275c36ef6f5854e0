"""Password rules beyond Django's own validators (settings.AUTH_PASSWORD_VALIDATORS lists them all).

- GuessablePasswordValidator: zxcvbn's estimate of how many guesses a password takes, with the person's ID,
  name and the city's own words counted as known to an attacker. zxcvbn ships a list of 30,000 passwords
  from leaked password collections (and English words, names); Django's CommonPasswordValidator adds its
  list of 20,000. Both are offline: no password, nor a hash of one, leaves the server.
- NoReuseValidator: none of the last DOLBOM_PASSWORD_HISTORY passwords again (kept as hashes in
  PasswordHistory when a password is set).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from zxcvbn import zxcvbn

from dolbom.accounts.models import PasswordHistory

# Words anyone attacking a dolbom account would try first.
CITY_WORDS = ["jeonju", "dolbom", "wansan", "deokjin", "전주", "돌봄", "완산", "덕진", "통합돌봄", "복지"]
# zxcvbn looks at the first 100 characters; longer passwords are not weaker for it.
_ZXCVBN_MAX = 100


def _known_words(user: Any) -> list[str]:
    words = list(CITY_WORDS)
    if user is not None:
        words += [str(getattr(user, "username", "") or "")]
        staff = getattr(user, "staff", None) if getattr(user, "pk", None) else None
        if staff is not None:
            words += [staff.display_name, staff.institution]
    return [w for w in words if w]


class GuessablePasswordValidator:
    def __init__(self, min_score: int | None = None) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        min_score = self.min_score if self.min_score is not None else settings.DOLBOM_PASSWORD_MIN_SCORE
        result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=_known_words(user))
        if result["score"] < min_score:
            raise ValidationError(
                _("This password is too easy to guess (a common password, a word with a few digits, or your "
                  "ID or name). Use a longer phrase of unrelated words."),
                code="password_guessable")

    def get_help_text(self) -> str:
        return _("Your password must not be easy to guess: not a common password, a word with a few digits, or "
                 "your ID or name.")


class NoReuseValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        earlier = [user.password] + list(PasswordHistory.objects.filter(user_id=user.pk)
                                         .values_list("password", flat=True)[:settings.DOLBOM_PASSWORD_HISTORY])
        if any(h and check_password(password, h) for h in earlier):
            raise ValidationError(
                _("You used this password before. Choose one you have not used for your last %(count)d passwords.")
                % {"count": settings.DOLBOM_PASSWORD_HISTORY}, code="password_reused")

    def password_changed(self, password: str, user: Any = None) -> None:
        # Called by Django once the new password is saved: remember its hash, forget the oldest.
        if user is None or not user.pk or not user.password:
            return
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        keep = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[
            :settings.DOLBOM_PASSWORD_HISTORY]
        PasswordHistory.objects.filter(user_id=user.pk).exclude(pk__in=list(keep)).delete()

    def get_help_text(self) -> str:
        return _("Your password must differ from your last %(count)d passwords.") % {
            "count": settings.DOLBOM_PASSWORD_HISTORY}
