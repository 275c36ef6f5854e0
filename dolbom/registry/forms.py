"""Forms of the resident pages: the search and the consent record."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dolbom.registry.models import ConsentPurpose
from dolbom.web.forms import DateInput, DateTimeInput, now_local


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name, initials (ㄱㅁㅅ) or registration number"), max_length=50, required=False)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    recipient = forms.CharField(label=_("Recipient"), max_length=100)
    given_at = forms.DateTimeField(label=_("Given at"), widget=DateTimeInput(), initial=now_local)
    expires_on = forms.DateField(label=_("Expires on"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
