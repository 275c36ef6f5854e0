"""One-time codes that prove a phone number belongs to whoever fills a public form.

Public pages (a programme sign-up, a subsidy application) have no login: the person is who can read a
code sent to their phone. Neither the number nor the code is stored in clear: a leak of this table
lets nobody act as anyone or learn who signed up.
"""

from __future__ import annotations

from django.db import models


class PhoneChallenge(models.Model):
    token = models.CharField(max_length=32, unique=True)  # the public handle carried by the form
    purpose = models.CharField(max_length=60)  # "programmes.signup", "subsidies.apply"
    subject = models.CharField(max_length=100, blank=True)  # what the code is for, e.g. "session:12"
    phone_hash = models.CharField(max_length=64, db_index=True)  # HMAC of the normalised number
    phone_masked = models.CharField(max_length=13)  # 010-****-5678, for the page that asks for the code
    code_hash = models.CharField(max_length=64)  # HMAC of token and code
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)  # a verified code serves one action only
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} {self.phone_masked}"
