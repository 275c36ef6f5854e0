"""The rules editor: a programme's requirements, amounts and score items as rows an officer edits, tried on
the programme's golden cases before a new version is published. Facts, documents and priority groups are
carried over from the version in force (they change with the notice file: ``dolbom subsidies load``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dolbom.lib.errors import DomainError
from dolbom.subsidies import forms as f
from dolbom.subsidies import programmes as shipped
from dolbom.subsidies import selectors, services
from dolbom.subsidies.models import Programme


def _rows(formset) -> list[dict[str, Any]]:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            continue
        rows.append({k: v for k, v in data.items() if k != "DELETE"})
    return rows


def _bound(request: HttpRequest | None, definition: dict[str, Any]):
    data = request.POST if request is not None else None
    amount = definition["amount"]
    eligibility = [{**r, "when": r.get("when") or "true"} for r in definition["eligibility"]]
    return (
        f.RulesForm(data, initial={"cap": amount.get("cap", ""), "round_down_to": amount.get("round_down_to", 1),
                                   "effective_from": timezone.localdate()}),
        f.EligibilityFormSet(data, initial=eligibility, prefix="elig"),
        f.TierFormSet(data, initial=amount["tiers"], prefix="tier"),
        f.TopUpFormSet(data, initial=amount.get("top_ups", []), prefix="top"),
        f.ScoreFormSet(data, initial=definition.get("score", []), prefix="score"),
    )


def _definition(base: dict[str, Any], rules_form, elig, tiers, tops, score) -> dict[str, Any]:
    return {**base, "eligibility": _rows(elig), "score": _rows(score),
            "amount": {"tiers": _rows(tiers), "top_ups": _rows(tops), "cap": rules_form.cleaned_data["cap"] or "",
                       "round_down_to": rules_form.cleaned_data["round_down_to"]}}


def golden_results(definition: dict[str, Any], code: str) -> list[dict[str, Any]]:
    """The programme's golden cases through a candidate definition: what each gives, and whether that is
    what the notice says."""
    golden = shipped.golden(code)
    if golden is None:
        return []
    return shipped.check_cases(services.rules_check(definition), golden["cases"])


def page(request: HttpRequest, programme: Programme, *, can_edit: bool) -> HttpResponse:
    current = selectors.rule_set_in_force(programme=programme, on=timezone.localdate()) or \
        selectors.rule_set_versions(programme=programme).first()
    if current is None:
        return render(request, "subsidies/rules.html", {"programme": programme, "current": None})
    base = current.definition
    posted = request.method == "POST" and can_edit
    rules_form, elig, tiers, tops, score = _bound(request if posted else None, base)
    results: list[dict[str, Any]] = []
    error = ""
    if posted and all(x.is_valid() for x in (rules_form, elig, tiers, tops, score)):
        definition = _definition(base, rules_form, elig, tiers, tops, score)
        try:
            results = golden_results(definition, programme.code)
            if request.POST.get("publish") == "1":
                rule_set = services.rule_set_save(actor=request.user, programme=programme, definition=definition,
                                                  effective_from=rules_form.cleaned_data["effective_from"],
                                                  note=rules_form.cleaned_data["note"])
                messages.success(request, _("Version %(version)s published.") % {"version": rule_set.version})
                return redirect("subsidies:rules", programme.code)
        except DomainError as exc:
            error = exc.message
    elif not posted:
        results = golden_results(base, programme.code)
    return render(request, "subsidies/rules.html", {
        "programme": programme, "current": current, "definition": base, "can_edit": can_edit,
        "rules_form": rules_form, "elig": elig, "tiers": tiers, "tops": tops, "score": score,
        "results": results, "error": error, "versions": selectors.rule_set_versions(programme=programme),
    }, status=400 if posted and (error or not rules_form.is_valid()) else 200)
