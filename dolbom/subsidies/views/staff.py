"""Officers' pages: programmes, the rules editor, applications, selection, decisions, completion.

Thin: a form checks the shape, one selector or service call, a template. Actions on one application
post to ``application_action`` with the action's name; each maps to one service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dolbom.areas.models import Dong
from dolbom.audit.logged import with_default_purpose
from dolbom.lib.errors import DomainError, NotFound
from dolbom.registry.selectors import resident_get
from dolbom.subsidies import forms as f
from dolbom.subsidies import notices, selectors, services, storage
from dolbom.subsidies.display import fact_rows
from dolbom.subsidies.errors import SubsidyErrorCode
from dolbom.subsidies.models import (
    Application,
    ApplicationStatus,
    Objection,
    ObjectionStatus,
    Programme,
    SelectionRun,
)
from dolbom.subsidies.services.applications import document_label
from dolbom.subsidies.services.decisions import decision_current
from dolbom.web.views.common import access_context, error_page, forbidden_page

from . import rules_editor

INTAKE_PURPOSE = "지원사업 신청 접수 (주민 대리 신청)"
POINTER_PURPOSE = "사례관리 대상 가구의 지원사업 안내"


def _staff(request: HttpRequest) -> HttpResponse | None:
    if not selectors.can_see_programmes(request.user):
        return forbidden_page(request)
    return None


def programme_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of one programme (no personal data of its own): any staff member, the programme by its code."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if (refused := _staff(request)) is not None:
            return refused
        try:
            programme = selectors.programme_get(code=code)
        except DomainError as exc:
            return error_page(request, exc)
        return view(request, programme, *args, **kwargs)

    return wrapper


# Programmes -------------------------------------------------------------------------------------

@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    if (refused := _staff(request)) is not None:
        return refused
    rows = [{"programme": p, "board": selectors.board(programme=p), "manage": selectors.can_manage(request.user, p)}
            for p in selectors.programme_list()]
    return render(request, "subsidies/programme_list.html", {"rows": rows})


@programme_page
def programme_detail(request: HttpRequest, programme: Programme) -> HttpResponse:
    rule_set = selectors.rule_set_in_force(programme=programme, on=timezone.localdate())
    return render(request, "subsidies/programme_detail.html", {
        "programme": programme, "budget": programme.budget, "board": selectors.board(programme=programme),
        "rule_set": rule_set, "versions": selectors.rule_set_versions(programme=programme),
        "rounds": programme.rounds.all(), "manage": selectors.can_manage(request.user, programme),
        "statuses": [(s, ApplicationStatus(s).label, n) for s, n in
                     sorted(selectors.status_counts(programme=programme).items())],
        "objections": selectors.open_objections(programme=programme).count(),
        "pointers": selectors.pointer_queue(viewer=request.user).filter(programme=programme),
        "ledger": programme.budget.entries.select_related("application", "actor__staff").order_by("-pk")[:12],
        "today": timezone.localdate(), "can_apply": selectors.can_take_applications(request.user),
    })


@login_required
@require_POST
def round_action(request: HttpRequest, code: str, number: int, action: str) -> HttpResponse:
    try:
        round = selectors.round_get(programme=selectors.programme_get(code=code), number=number)
        if action == "close":
            services.round_close(actor=request.user, round=round)
            messages.success(request, _("The round is closed."))
        elif action == "select":
            run = services.selection_run(actor=request.user, round=round)
            messages.success(request, _("Selection done: %(selected)s selected, %(waitlisted)s on the waiting list.")
                             % {"selected": run.selected, "waitlisted": run.waitlisted})
            return redirect("subsidies:selection", code, number)
        elif action == "decide":
            counts = services.round_decide(actor=request.user, round=round)
            messages.success(request, _("%(approved)s approved, %(refused)s refused, %(skipped)s left for review.")
                             % counts)
        else:
            raise NotFound(SubsidyErrorCode.PROGRAMME_NOT_FOUND)
    except DomainError as exc:
        return error_page(request, exc)
    return redirect("subsidies:programme_detail", code)


@programme_page
def selection_page(request: HttpRequest, programme: Programme, number: int) -> HttpResponse:
    round = programme.rounds.filter(number=number).first()
    run = SelectionRun.objects.filter(round=round).select_related("rule_set", "run_by__staff").first() if round else None
    rows = []
    if run is not None:
        ids = [row[0] for row in run.order]
        visible = {a.pk: a for a in selectors.application_list(
            viewer=request.user, context=access_context(request),
            filters=selectors.ApplicationFilters(programme_id=programme.pk, ids=tuple(ids)), limit=len(ids))}
        for app_id, rank, group in run.order:
            rows.append({"rank": rank, "group": group, "application": visible.get(app_id)})
    groups = {g["key"]: g["label"] for g in (run.rule_set.definition.get("priority_groups", []) if run else [])}
    names = {c.code: c.name for c in programme.categories.all()}
    summary = [{"name": names.get(code, code), **s} for code, s in (run.summary.items() if run else [])]
    return render(request, "subsidies/selection.html", {"programme": programme, "round": round, "run": run,
                                                        "rows": rows, "groups": groups, "summary": summary})


@programme_page
def rules_page(request: HttpRequest, programme: Programme) -> HttpResponse:
    return rules_editor.page(request, programme, can_edit=selectors.can_manage(request.user, programme))


# Applications -----------------------------------------------------------------------------------

@programme_page
def application_list(request: HttpRequest, programme: Programme) -> HttpResponse:
    form = f.ApplicationFilterForm(request.GET or None, programme=programme)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.application_list(viewer=request.user, context=access_context(request), filters=selectors.ApplicationFilters(
        programme_id=programme.pk, category_id=data.get("category"), status=data.get("status", ""),
        query=data.get("query", "")))
    return render(request, "subsidies/application_list.html", {
        "programme": programme, "form": form, "rows": rows, "at_limit": len(rows) >= selectors.LIST_LIMIT})


def _compiled(programme):
    rule_set = selectors.rule_set_in_force(programme=programme, on=timezone.localdate())
    if rule_set is None:
        raise DomainError(SubsidyErrorCode.NO_RULES_IN_FORCE)
    return services.rules_compiled(rule_set)


def _declared(form) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}


@login_required
def application_new(request: HttpRequest, code: str) -> HttpResponse:
    """At the office, on a resident's behalf: the officer picks the person from the registry (resident=ID
    from the resident page) or types the applicant's details for someone not in it."""
    if not selectors.can_take_applications(request.user):
        return forbidden_page(request)
    try:
        programme = selectors.programme_get(code=code)
        compiled = _compiled(programme)
        round = selectors.round_open(programme=programme)
        resident = None
        rid = request.GET.get("resident") or request.POST.get("resident")
        if rid and rid.isdigit():
            # Opening the record to take the person's application is the purpose itself (logged as such).
            resident = resident_get(viewer=request.user, resident_id=int(rid), context=with_default_purpose(
                access_context(request, f"resident:{rid}"), INTAKE_PURPOSE))
    except DomainError as exc:
        if exc.code == "purpose_required":
            return redirect("registry:resident_detail", int(rid))
        return error_page(request, exc)
    initial = {}
    if resident is not None:
        initial = {"name": resident.name, "birth_date": resident.birth_date, "phone": resident.phone,
                   "address": resident.household.road_address, "dong": resident.dong_id}
    FactsForm = f.facts_form_class(compiled)
    applicant_form = f.ApplicantForm(request.POST or None, programme=programme, initial=initial)
    facts_form = FactsForm(request.POST or None, prefix="f")
    kinds = [(d.key, d.label) for d in compiled.definition.documents]
    uploads = [(k, label) for k, label in kinds]
    if request.method == "POST" and round is not None and applicant_form.is_valid() and facts_form.is_valid():
        a = applicant_form.cleaned_data
        try:
            docs = [services.Upload(kind=k, data=storage.read_upload(request.FILES[f"doc_{k}"]),
                                    name=request.FILES[f"doc_{k}"].name) for k, _l in uploads if f"doc_{k}" in request.FILES]
            application = services.application_submit(
                actor=request.user, programme=programme, round=round, category=a["category"],
                applicant=services.Applicant(name=a["name"], birth_date=a["birth_date"], phone=a["phone"],
                                             address=a["address"], rrn=a["rrn"],
                                             dong=Dong.objects.filter(pk=a["dong"]).first() if a["dong"] else None),
                declared=_declared(facts_form), resident=resident, documents=docs,
                welfare_consent=request.POST.get("welfare_consent") == "on")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Received as %(number)s.") % {"number": application.number})
            return redirect("subsidies:application_detail", application.pk)
    return render(request, "subsidies/application_new.html", {
        "programme": programme, "round": round, "resident": resident, "applicant_form": applicant_form,
        "facts_form": facts_form, "uploads": uploads}, status=400 if request.method == "POST" else 200)


def _document_kinds(application: Application) -> list[tuple[str, str]]:
    compiled = services.rules_compiled(application.rule_set) if application.rule_set else _compiled(application.programme)
    return [(d.key, d.label) for d in compiled.definition.documents] + [("photo", "사진"), ("other", "기타 서류")]


def _detail_context(request: HttpRequest, application: Application, bound: dict[str, Any] | None = None):
    bound = bound or {}
    compiled = services.rules_compiled(application.rule_set) if application.rule_set else _compiled(application.programme)
    kinds = _document_kinds(application)
    decision = decision_current(application)
    objection = Objection.objects.filter(decision__application=application).order_by("-filed_at").first()
    FactsForm = f.facts_form_class(compiled)
    declared = (application.versions.order_by("-version").first().data.get("declared", {})
                if application.versions.exists() else {})
    manage = selectors.can_manage(request.user, application.programme)
    forms_ = {
        "document": bound.get("document") or f.DocumentForm(kinds=kinds),
        "update": bound.get("update") or f.UpdateForm(),
        "facts": bound.get("facts") or FactsForm(initial=declared, prefix="f"),
        "approve": bound.get("approve") or f.ApproveForm(),
        "refuse": bound.get("refuse") or f.RefuseForm(initial={"reason": "not_eligible"} if application.eligible is False
                                                      else {}),
        "withdraw": bound.get("withdraw") or f.WithdrawForm(),
        "objection": bound.get("objection") or f.ObjectionForm(),
        "objection_decide": bound.get("objection_decide") or f.ObjectionDecideForm(),
        "inspection": bound.get("inspection") or f.InspectionForm(initial={"due_on": timezone.localdate() + dt.timedelta(days=3)}),
        "completion": bound.get("completion") or f.CompletionForm(),
        "payment": bound.get("payment") or f.PaymentForm(),
        "clawback": bound.get("clawback") or f.ClawbackForm(initial={"due_on": timezone.localdate() + dt.timedelta(days=30)}),
        "recovered": bound.get("recovered") or f.RecoveredForm(),
    }
    return {
        "application": application, "programme": application.programme, "facts": fact_rows(compiled, application.facts, application.fact_sources, application.verified,
                            category_name=application.category.name),
        "documents": [(d, document_label(compiled, d.kind)) for d in application.documents.all()],
        "versions": application.versions.select_related("changed_by__staff"),
        "supplements": application.supplements.all(), "decision": decision,
        "decisions": application.decisions.select_related("decided_by__staff"),
        "objection": objection, "completion": getattr(application, "completion", None),
        "payment": getattr(application, "payment", None), "clawbacks": application.clawbacks.all(),
        "trace": application.trace, "forms": forms_, "manage": manage, "Status": ApplicationStatus,
        "ObjectionStatus": ObjectionStatus, "today": timezone.localdate(),
        "ledger": application.ledger_entries.order_by("pk"),
    }


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    try:
        application = selectors.application_get(viewer=request.user, application_id=application_id,
                                                context=access_context(request))
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "subsidies/application_detail.html", _detail_context(request, application))


def _upload(request: HttpRequest, form: f.DocumentForm, application: Application) -> None:
    upload = form.cleaned_data["file"]
    services.document_add(actor=request.user, application=application, kind=form.cleaned_data["kind"],
                          data=storage.read_upload(upload), name=upload.name)


def _update(request: HttpRequest, application: Application) -> Any:
    compiled = services.rules_compiled(application.rule_set) if application.rule_set else _compiled(application.programme)
    facts = f.facts_form_class(compiled)(request.POST, prefix="f")
    reason = f.UpdateForm(request.POST)
    if not (facts.is_valid() and reason.is_valid()):
        return {"facts": facts, "update": reason}
    services.application_update(actor=request.user, application=application, declared=_declared(facts),
                                reason=reason.cleaned_data["reason"])
    return None


ACTIONS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    # name: (form class or builder, run(request, application, cleaned) -> None)
    "approve": (f.ApproveForm, lambda r, a, d: services.application_approve(actor=r.user, application=a, **d)),
    "refuse": (f.RefuseForm, lambda r, a, d: services.application_refuse(actor=r.user, application=a, **d)),
    "withdraw": (f.WithdrawForm, lambda r, a, d: services.application_withdraw(actor=r.user, application=a, **d)),
    "check": (None, lambda r, a, d: services.application_check(actor=r.user, application=a)),
    "objection": (f.ObjectionForm, lambda r, a, d: services.objection_file(
        actor=r.user, decision=decision_current(a), grounds=d["grounds"])),
    "inspection": (f.InspectionForm, lambda r, a, d: services.inspection_schedule(actor=r.user, application=a, **d)),
    "completion": (f.CompletionForm, lambda r, a, d: services.completion_check(actor=r.user, application=a, **d)),
    "payment": (f.PaymentForm, lambda r, a, d: services.payment_record(actor=r.user, application=a, **d)),
    "clawback": (f.ClawbackForm, lambda r, a, d: services.clawback_decide(actor=r.user, application=a, **d)),
}


@login_required
@require_POST
def application_action(request: HttpRequest, application_id: int, action: str) -> HttpResponse:
    try:
        application = selectors.application_get(viewer=request.user, application_id=application_id,
                                                context=access_context(request))
        bound = None
        if action == "document":
            form = f.DocumentForm(request.POST, request.FILES, kinds=_document_kinds(application))
            bound = None if form.is_valid() else {"document": form}
            if bound is None:
                _upload(request, form, application)
        elif action == "update":
            bound = _update(request, application)
        elif action == "review":
            raw = request.POST.get("document", "")
            doc = application.documents.filter(pk=int(raw)).first() if raw.isdigit() else None
            form = f.ReviewForm(request.POST)
            if doc is None or not form.is_valid():
                raise NotFound(SubsidyErrorCode.DOCUMENT_NOT_FOUND)
            services.document_review(actor=request.user, document=doc, **form.cleaned_data)
        elif action == "objection_decide":
            form = f.ObjectionDecideForm(request.POST)
            objection = Objection.objects.filter(decision__application=application, status=ObjectionStatus.OPEN).first()
            if objection is None:
                raise DomainError(SubsidyErrorCode.OBJECTION_CLOSED)
            bound = None if form.is_valid() else {"objection_decide": form}
            if bound is None:
                services.objection_decide(actor=request.user, objection=objection, **form.cleaned_data)
        elif action == "recovered":
            form = f.RecoveredForm(request.POST)
            claw = application.clawbacks.filter(recovered_on__isnull=True).first()
            if claw is None or not form.is_valid():
                raise DomainError(SubsidyErrorCode.BAD_STATUS, status=application.get_status_display())
            services.clawback_recovered(actor=request.user, clawback=claw, **form.cleaned_data)
        elif action in ACTIONS:
            form_cls, run = ACTIONS[action]
            form = form_cls(request.POST) if form_cls else None
            if form is not None and not form.is_valid():
                bound = {action: form}
            else:
                run(request, application, form.cleaned_data if form else {})
        else:
            raise NotFound(SubsidyErrorCode.APPLICATION_NOT_FOUND)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("subsidies:application_detail", application_id)
    if bound:
        application.refresh_from_db()
        return render(request, "subsidies/application_detail.html", _detail_context(request, application, bound),
                      status=400)
    messages.success(request, _("Saved."))
    return redirect("subsidies:application_detail", application_id)


@login_required
def document_download(request: HttpRequest, document_id: int) -> HttpResponse:
    try:
        document = selectors.document_get(viewer=request.user, document_id=document_id, context=access_context(request))
    except DomainError as exc:
        return error_page(request, exc)
    response = FileResponse(storage.path_of(document.stored_name).open("rb"), content_type=document.content_type,
                            as_attachment=True, filename=document.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def notice_download(request: HttpRequest, decision_id: int) -> HttpResponse:
    try:
        decision = selectors.decision_get(viewer=request.user, decision_id=decision_id, context=access_context(request))
    except DomainError as exc:
        return error_page(request, exc)
    return _pdf(notices.notice_pdf(decision), decision.number)


def _pdf(data: bytes, number: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Care ---------------------------------------------------------------------------------------------

@login_required
@require_POST
def pointer_create(request: HttpRequest, resident_id: int) -> HttpResponse:
    form = f.PointerForm(request.POST)
    back = request.POST.get("next") or reverse("web:dashboard")
    if not back.startswith("/"):
        back = reverse("web:dashboard")
    try:
        resident = resident_get(viewer=request.user, resident_id=resident_id, context=with_default_purpose(
            access_context(request, f"resident:{resident_id}"), POINTER_PURPOSE))
        if not form.is_valid():
            raise DomainError(SubsidyErrorCode.PROGRAMME_NOT_FOUND)
        case = None
        case_id = request.POST.get("case")
        if case_id and case_id.isdigit():
            from dolbom.cases.selectors import case_visible

            case = case_visible(request.user).filter(pk=int(case_id)).first()
        services.pointer_create(actor=request.user, programme=form.cleaned_data["programme"], resident=resident,
                                case=case, note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, _("The programme's office will see this household in its queue."))
    return redirect(back)


@login_required
def suggestion_list(request: HttpRequest) -> HttpResponse:
    if (refused := _staff(request)) is not None:
        return refused
    if request.method == "POST":
        form = f.SuggestionForm(request.POST)
        suggestion = selectors.suggestion_visible(request.user).filter(pk=request.POST.get("suggestion") or 0).first()
        if suggestion is not None and form.is_valid():
            try:
                services.suggestion_handle(actor=request.user, suggestion=suggestion, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Saved."))
        return redirect("subsidies:suggestion_list")
    rows = selectors.suggestion_list(viewer=request.user, context=access_context(request),
                                     open_only=request.GET.get("all") != "1")
    return render(request, "subsidies/suggestion_list.html", {"rows": rows, "form": f.SuggestionForm()})


