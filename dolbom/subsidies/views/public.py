"""Public pages: the board (counts only, like the national EV portal), the online application and the
applicant's own status page, each step behind a one-time code. No one's name is shown but the applicant's
own, masked, after their code."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dolbom.areas.models import Dong
from dolbom.integrations.messaging import phone_masked
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError
from dolbom.subsidies import forms as f
from dolbom.subsidies import notices, selectors, services, storage
from dolbom.subsidies.models import Application, ApplicationStatus
from dolbom.subsidies.services.decisions import decision_current
from dolbom.subsidies.services.public import APPLY, STATUS

STATUS_MINUTES = 30


class PhoneForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20)


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from the text message"), max_length=8)


class StatusForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Receipt number"), max_length=30)
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20)


class ConsentForm(forms.Form):
    privacy = forms.BooleanField(label=gettext_lazy("I agree that the city collects and uses the data in this form to "
                                             "decide on the subsidy (개인정보 보호법 §15)."), required=True)
    welfare = forms.BooleanField(label=gettext_lazy("If I am refused because I cannot bear my own share, the dong "
                                             "welfare team may contact me about other support (optional)."),
                                 required=False)


def _ip(request: HttpRequest) -> str | None:
    return AccessContext.from_request(request).ip


def board(request: HttpRequest) -> HttpResponse:
    rows = [{"programme": p, "board": selectors.board(programme=p), "round": selectors.round_open(programme=p)}
            for p in selectors.programme_list(public=True)]
    return render(request, "subsidies/public_board.html", {"rows": rows})


def _key(code: str) -> str:
    return f"subsidy_apply:{code}"


def apply(request: HttpRequest, code: str) -> HttpResponse:
    try:
        programme = selectors.programme_get(code=code, public=True)
    except DomainError as exc:
        return render(request, "subsidies/public_message.html", {"message": exc.message}, status=404)
    round = selectors.round_open(programme=programme)
    if round is None:
        return render(request, "subsidies/public_message.html", {"programme": programme,
                                                                 "message": _("This programme is not receiving "
                                                                              "applications now.")})
    state: dict[str, Any] = request.session.get(_key(code), {})
    # The step comes from the session, never from the form: a posted "step" only says which form it is,
    # and a form for another step than the session's is not read.
    step = "form" if state.get("verified") else "code" if state.get("token") else "phone"
    if request.method == "POST" and request.POST.get("step") != step:
        return redirect("subsidies:public_apply", code)
    ctx: dict[str, Any] = {"programme": programme, "round": round, "step": step}
    try:
        if step == "phone":
            form = PhoneForm(request.POST or None)
            if request.method == "POST" and form.is_valid():
                challenge = services.public_code_send(phone=form.cleaned_data["phone"], purpose=APPLY,
                                                      subject=code, ip=_ip(request))
                request.session[_key(code)] = {"token": challenge.token, "phone": form.cleaned_data["phone"]}
                return redirect("subsidies:public_apply", code)
            ctx["form"] = form
        elif step == "code":
            form = CodeForm(request.POST or None)
            if request.method == "POST" and form.is_valid():
                services.public_code_check(token=state["token"], purpose=APPLY, code=form.cleaned_data["code"])
                request.session[_key(code)] = {**state, "verified": True}
                return redirect("subsidies:public_apply", code)
            ctx.update(form=form, phone=phone_masked(state.get("phone", "")))
        else:
            return _apply_form(request, programme, round, state, ctx)
    except DomainError as exc:
        messages.error(request, exc.message)
        if exc.code in ("verification_not_found", "verification_expired", "verification_too_many_attempts",
                        "verification_already_used"):
            request.session.pop(_key(code), None)
        return redirect("subsidies:public_apply", code)
    return render(request, "subsidies/public_apply.html", ctx)


def _apply_form(request: HttpRequest, programme, round, state: dict[str, Any], ctx: dict[str, Any]) -> HttpResponse:
    rule_set = selectors.rule_set_in_force(programme=programme, on=round.opens_at.date())
    compiled = services.rules_compiled(rule_set)
    post = request.POST if request.method == "POST" and request.POST.get("step") == "form" else None
    applicant_form = f.ApplicantForm(post, programme=programme, initial={"phone": state.get("phone", "")})
    applicant_form.fields["phone"].disabled = True
    facts_form = f.facts_form_class(compiled)(post, prefix="f")
    consent = ConsentForm(post)
    uploads = [(d.key, d.label) for d in compiled.definition.documents]
    if post is not None and applicant_form.is_valid() and facts_form.is_valid() and consent.is_valid():
        a = applicant_form.cleaned_data
        try:
            docs = [services.Upload(kind=k, data=storage.read_upload(request.FILES[f"doc_{k}"]),
                                    name=request.FILES[f"doc_{k}"].name) for k, _l in uploads if f"doc_{k}" in request.FILES]
            application = services.public_apply(
                token=state["token"], phone=state["phone"], programme=programme, round=round, category=a["category"],
                applicant=services.Applicant(name=a["name"], birth_date=a["birth_date"], phone=state["phone"],
                                             address=a["address"], rrn=a["rrn"],
                                             dong=Dong.objects.filter(pk=a["dong"]).first() if a["dong"] else None),
                declared={k: v for k, v in facts_form.cleaned_data.items() if v not in (None, "")},
                documents=docs, welfare_consent=consent.cleaned_data["welfare"],
                privacy_consent=consent.cleaned_data["privacy"], ip=_ip(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            request.session.pop(_key(programme.code), None)
            return render(request, "subsidies/public_done.html", {"programme": programme, "application": application})
    ctx.update(step="form", applicant_form=applicant_form, facts_form=facts_form, consent=consent, uploads=uploads)
    return render(request, "subsidies/public_apply.html", ctx, status=400 if post is not None else 200)


# The applicant's own application ------------------------------------------------------------------

def _own(request: HttpRequest) -> Application | None:
    state = request.session.get("subsidy_status") or {}
    if not state or state.get("until", 0) < time.time():
        return None
    return Application.objects.select_related("programme", "round", "category").filter(pk=state["id"]).first()


def status(request: HttpRequest) -> HttpResponse:
    application = _own(request)
    if application is not None:
        return _status_page(request, application)
    pending = request.session.get("subsidy_status_pending") or {}
    try:
        if pending and request.POST.get("step") == "code":
            form = CodeForm(request.POST)
            if form.is_valid():
                services.public_code_check(token=pending["token"], purpose=STATUS, code=form.cleaned_data["code"])
                own = services.public_status_open(token=pending["token"], phone=pending["phone"], number=pending["number"])
                request.session["subsidy_status"] = {"id": own.pk, "until": time.time() + STATUS_MINUTES * 60}
                request.session.pop("subsidy_status_pending", None)
                return redirect("subsidies:public_status")
            return render(request, "subsidies/public_status.html", {"step": "code", "form": form})
        if pending and request.method == "GET" and request.GET.get("restart") != "1":
            return render(request, "subsidies/public_status.html", {
                "step": "code", "form": CodeForm(), "phone": phone_masked(pending["phone"])})
        form = StatusForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            number = form.cleaned_data["number"].strip().upper()
            challenge = services.public_code_send(phone=form.cleaned_data["phone"], purpose=STATUS, subject=number,
                                                  ip=_ip(request))
            request.session["subsidy_status_pending"] = {"token": challenge.token, "phone": form.cleaned_data["phone"],
                                                         "number": number}
            return redirect("subsidies:public_status")
    except DomainError as exc:
        messages.error(request, exc.message)
        request.session.pop("subsidy_status_pending", None)
        return redirect("subsidies:public_status")
    return render(request, "subsidies/public_status.html", {"step": "number", "form": form})


def _masked(name: str) -> str:
    return name[0] + "*" * max(1, len(name) - 2) + (name[-1] if len(name) > 2 else "") if name else ""


def _status_page(request: HttpRequest, application: Application) -> HttpResponse:
    decision = decision_current(application)
    compiled = services.rules_compiled(application.rule_set) if application.rule_set else None
    kinds = ([(d.key, d.label) for d in compiled.definition.documents] if compiled else []) + [("photo", "사진")]
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "document":
                form = f.DocumentForm(request.POST, request.FILES, kinds=kinds)
                if form.is_valid():
                    upload = form.cleaned_data["file"]
                    services.document_add(actor=None, application=application, kind=form.cleaned_data["kind"],
                                          data=storage.read_upload(upload), name=upload.name)
                    messages.success(request, _("The file was received."))
            elif action == "objection" and decision is not None:
                form = f.ObjectionForm(request.POST)
                if form.is_valid():
                    services.objection_file(actor=None, decision=decision, grounds=form.cleaned_data["grounds"])
                    messages.success(request, _("Your objection was received."))
            elif action == "completion" and application.status == ApplicationStatus.APPROVED:
                upload = request.FILES.get("file")
                photos = [services.Upload("photo", storage.read_upload(upload), upload.name)] if upload else []
                services.completion_report(actor=None, application=application, photos=photos,
                                           note=request.POST.get("note", ""))
                messages.success(request, _("The completion report was received; an inspector will visit."))
            elif action == "end":
                request.session.pop("subsidy_status", None)
                return redirect("subsidies:public_board")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("subsidies:public_status")
    return render(request, "subsidies/public_status.html", {
        "step": "open", "application": application, "name": _masked(application.applicant_name),
        "decision": decision, "supplement": application.supplements.filter(answered_at__isnull=True,
                                                                          lapsed_at__isnull=True).first(),
        "document_form": f.DocumentForm(kinds=kinds), "objection_form": f.ObjectionForm(),
        "can_object": decision is not None and decision.objection_until is not None
        and not decision.objections.filter(status="open").exists(),
    })


def notice(request: HttpRequest) -> HttpResponse:
    application = _own(request)
    decision = decision_current(application) if application else None
    if decision is None:
        return redirect("subsidies:public_status")
    response = HttpResponse(notices.notice_pdf(decision), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{decision.number}.pdf"'
    return response
