"""Who may see what: every role against every record kind, through the selectors and through the API.

Three people, each with a household, a consent and a case that has a timeline and a support plan:

- ``own``: lives in 서신동 (the officer's and the case manager's dong); the case is managed by the city team
- ``caseload``: lives in 효자1동; the case is managed by 박정우, the case manager from 서신동
- ``other``: lives in 효자1동; the case is managed by 한도윤, 효자1동's officer

Out of scope is a 404, the same answer as for a record that does not exist, and the attempt on a
person's record is written to the access log as DENIED.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.audit.selectors import access_log_list
from dolbom.cases.models import Case, CaseStatus
from dolbom.cases.selectors import case_get, case_list, case_timeline, plan_get
from dolbom.lib.access import AccessContext
from dolbom.lib.errors import DomainError, Forbidden, NotFound
from dolbom.registry.selectors import household_get, resident_consents, resident_get, resident_search
from dolbom.registry.services import consent_record
from dolbom.testing import personas
from dolbom.testing.api import api_as

PURPOSE = "정기 점검"
CTX = AccessContext(ip="127.0.0.1", path="/matrix", purpose=PURPOSE)
NO_PURPOSE = AccessContext(ip="127.0.0.1", path="/matrix")

TARGETS = ("own", "caseload", "other")
VIEWERS = ("officer", "manager", "city", "partner", "auditor")
# (viewer, target) -> may see the person's records. Everything not listed is out of scope.
VISIBLE = {
    ("officer", "own"),                                   # dong officer: own dong
    ("manager", "own"), ("manager", "caseload"),          # case manager: own dong and own caseload anywhere
    ("city", "own"), ("city", "caseload"), ("city", "other"),  # city team: every dong
}
# A record in the viewer's own caseload opens without a purpose.
IN_CASELOAD = {("manager", "caseload"), ("city", "own")}
NAMES = {"own": "김영숙", "caseload": "김순자", "other": "김말순"}


@dataclass
class Person:
    resident: Any
    case: Case
    consent_id: int


@pytest.fixture
def world(officer, manager, city, partner, auditor, other_officer) -> dict[str, Any]:
    def person(target: str, area: str, author: User, case_manager: User) -> Person:
        resident = personas.make_resident(author, name=NAMES[target], area_name=area)
        consent = consent_record(actor=author, resident=resident, purpose="case_management", recipient="전주시")
        case = personas.open_case(author, resident, manager=case_manager)
        personas.survey(author, case)
        personas.decide(author, case)
        personas.plan(author, case)
        return Person(resident=resident, case=case, consent_id=consent.pk)

    people = {
        "own": person("own", "서신동", officer, city),
        "caseload": person("caseload", "효자1동", other_officer, manager),
        "other": person("other", "효자1동", other_officer, other_officer),
    }
    return {"people": people, "users": {"officer": officer, "manager": manager, "city": city,
                                        "partner": partner, "auditor": auditor}}


# Record kinds: (selector read, API path, 404 code, DENIED row expected) ----------------------

def _resident(viewer: User, p: Person) -> int:
    return resident_get(viewer=viewer, resident_id=p.resident.pk, context=CTX).pk


def _household(viewer: User, p: Person) -> int:
    return household_get(viewer=viewer, household_id=p.resident.household_id, context=CTX).pk


def _consent(viewer: User, p: Person) -> list[int]:
    resident = resident_get(viewer=viewer, resident_id=p.resident.pk, context=CTX)
    return [c.pk for c in resident_consents(resident=resident)]


def _case(viewer: User, p: Person) -> int:
    return case_get(viewer=viewer, case_id=p.case.pk, context=CTX).pk


def _timeline(viewer: User, p: Person) -> list[str]:
    return [e.type for e in case_timeline(case=case_get(viewer=viewer, case_id=p.case.pk, context=CTX))]


def _plan(viewer: User, p: Person) -> int:
    return plan_get(case=case_get(viewer=viewer, case_id=p.case.pk, context=CTX), version=1).case_id


@dataclass(frozen=True)
class Kind:
    read: Callable[[User, Person], Any]
    expected: Callable[[Person], Any]      # what the selector returns when in scope
    url: Callable[[Person], str]
    api_check: Callable[[Any, Person], bool]  # the API body when in scope
    not_found_code: str
    logs_denied: bool


KINDS = {
    "resident": Kind(_resident, lambda p: p.resident.pk, lambda p: f"/api/residents/{p.resident.pk}",
                     lambda body, p: body["id"] == p.resident.pk and body["name"] == p.resident.name,
                     "resident_not_found", True),
    "household": Kind(_household, lambda p: p.resident.household_id,
                      lambda p: f"/api/households/{p.resident.household_id}",
                      lambda body, p: [m["id"] for m in body["members"]] == [p.resident.pk],
                      "household_not_found", False),
    "consent": Kind(_consent, lambda p: [p.consent_id], lambda p: f"/api/residents/{p.resident.pk}/consents",
                    lambda body, p: [c["id"] for c in body] == [p.consent_id], "resident_not_found", True),
    "case": Kind(_case, lambda p: p.case.pk, lambda p: f"/api/cases/{p.case.pk}",
                 lambda body, p: body["id"] == p.case.pk and body["status"] == "in_service",
                 "case_not_found", True),
    "case_timeline": Kind(_timeline, lambda p: ["application_recorded", "survey_recorded", "decision_recorded",
                                                "plan_created"],
                          lambda p: f"/api/cases/{p.case.pk}/timeline",
                          lambda body, p: [e["type"] for e in body][-1] == "plan_created", "case_not_found", True),
    "support_plan": Kind(_plan, lambda p: p.case.pk, lambda p: f"/api/cases/{p.case.pk}/plans/1",
                         lambda body, p: body["version"] == 1 and body["lines"][0]["content"] == "병원동행",
                         "case_not_found", True),
}

MATRIX = [(v, t, k) for v in VIEWERS for t in TARGETS for k in KINDS]


def _ids(params: list[tuple[str, str, str]]) -> list[str]:
    return [f"{v}-{t}-{k}-{'visible' if (v, t) in VISIBLE else 'hidden'}" for v, t, k in params]


def _denied_rows(viewer: User, p: Person) -> list[AccessLog]:
    return list(AccessLog.objects.filter(actor=viewer, action=AccessAction.DENIED, resident_id=p.resident.pk))


@pytest.mark.parametrize("viewer, target, kind", MATRIX, ids=_ids(MATRIX))
def test_selector_scope(world, viewer, target, kind):
    user, person, k = world["users"][viewer], world["people"][target], KINDS[kind]
    if (viewer, target) in VISIBLE:
        assert k.read(user, person) == k.expected(person)
        assert not _denied_rows(user, person)
    else:
        with pytest.raises(NotFound):
            k.read(user, person)
        assert len(_denied_rows(user, person)) == (1 if k.logs_denied else 0)
        assert not AccessLog.objects.filter(actor=user, action=AccessAction.VIEW).exists()


@pytest.mark.parametrize("viewer, target, kind", MATRIX, ids=_ids(MATRIX))
def test_api_scope(world, viewer, target, kind):
    user, person, k = world["users"][viewer], world["people"][target], KINDS[kind]
    r = api_as(user).get(k.url(person), {"purpose": PURPOSE})
    if (viewer, target) in VISIBLE:
        assert r.status_code == 200, r.content
        assert k.api_check(r.json(), person)
    else:
        assert (r.status_code, r.json()["code"]) == (404, k.not_found_code)
        assert NAMES[target] not in r.content.decode()
        rows = _denied_rows(user, person)
        assert len(rows) == (1 if k.logs_denied else 0)
        if rows:
            assert (rows[0].ip, rows[0].path.split("?")[0]) == ("127.0.0.1", k.url(person))


# Access log: auditors only, for every other role refused --------------------------------------

@pytest.mark.parametrize("viewer", VIEWERS)
def test_access_log_scope(world, viewer):
    user = world["users"][viewer]
    api_as(world["users"]["officer"]).get(f"/api/residents/{world['people']['own'].resident.pk}",
                                          {"purpose": PURPOSE})
    r = api_as(user).get("/api/access-log")
    if viewer == "auditor":
        assert access_log_list(viewer=user).count() == 1
        assert r.status_code == 200 and r.json()["count"] == 1
    else:
        with pytest.raises(Forbidden):
            access_log_list(viewer=user)
        assert (r.status_code, r.json()["code"]) == (403, "not_allowed")


# Lists and searches return only what is in scope -----------------------------------------------

def _visible_targets(viewer: str) -> set[str]:
    return {t for t in TARGETS if (viewer, t) in VISIBLE}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_search_returns_only_people_in_scope_and_logs_them_once(world, viewer):
    user, people = world["users"][viewer], world["people"]
    expected = {people[t].resident.pk for t in _visible_targets(viewer)}
    assert {r.pk for r in resident_search(viewer=user, query="김", context=CTX)} == expected
    r = api_as(user).get("/api/residents", {"q": "ㄱ"})
    assert r.status_code == 200 and {p["id"] for p in r.json()} == expected
    rows = AccessLog.objects.filter(actor=user, action=AccessAction.SEARCH)
    # One row per search that returned people, holding exactly the ids it returned.
    assert [set(row.subject_ids) for row in rows] == ([expected, expected] if expected else [])


@pytest.mark.parametrize("viewer", VIEWERS)
def test_case_lists_hold_only_cases_in_scope(world, viewer):
    user, people = world["users"][viewer], world["people"]
    expected = {people[t].case.pk for t in _visible_targets(viewer)}
    assert set(case_list(viewer=user).values_list("pk", flat=True)) == expected
    r = api_as(user).get("/api/cases")
    assert r.status_code == 200 and {c["id"] for c in r.json()} == expected


# Purpose: outside the caseload a record opens only with a stated purpose -----------------------

VISIBLE_PAIRS = sorted(VISIBLE)


@pytest.mark.parametrize("viewer, target", VISIBLE_PAIRS, ids=[f"{v}-{t}" for v, t in VISIBLE_PAIRS])
def test_reading_outside_the_caseload_without_a_purpose_is_refused(world, viewer, target):
    user, person = world["users"][viewer], world["people"][target]
    api = api_as(user)
    for url in [f"/api/residents/{person.resident.pk}", f"/api/cases/{person.case.pk}"]:
        r = api.get(url)
        if (viewer, target) in IN_CASELOAD:
            assert r.status_code == 200
        else:
            assert (r.status_code, r.json()["code"]) == (400, "purpose_required")
    if (viewer, target) in IN_CASELOAD:
        resident_get(viewer=user, resident_id=person.resident.pk, context=NO_PURPOSE)
        assert AccessLog.objects.filter(actor=user, action=AccessAction.VIEW, in_caseload=True).count() == 3
    else:
        with pytest.raises(DomainError) as exc:
            case_get(viewer=user, case_id=person.case.pk, context=NO_PURPOSE)
        assert exc.value.code == "purpose_required"
        assert not AccessLog.objects.filter(actor=user, action=AccessAction.VIEW).exists()


# Writes out of scope: refused like reads, logged, nothing changed ------------------------------

HIDDEN_PAIRS = [(v, t) for v in VIEWERS for t in TARGETS if (v, t) not in VISIBLE]


@pytest.mark.parametrize("viewer, target", HIDDEN_PAIRS, ids=[f"{v}-{t}" for v, t in HIDDEN_PAIRS])
def test_a_step_on_a_case_out_of_scope_is_refused_and_logged(world, viewer, target):
    user, person = world["users"][viewer], world["people"][target]
    r = api_as(user).post(f"/api/cases/{person.case.pk}/close?purpose=x", {"reason": "refusal", "note": "거부"})
    assert (r.status_code, r.json()["code"]) == (404, "case_not_found")
    person.case.refresh_from_db()
    assert person.case.status == CaseStatus.IN_SERVICE
    assert len(_denied_rows(user, person)) == 1


@pytest.mark.parametrize("viewer", ["partner", "auditor"])
def test_partners_and_auditors_can_neither_open_cases_nor_reveal_numbers(world, viewer):
    user, person = world["users"][viewer], world["people"]["own"]
    api = api_as(user)
    r = api.post("/api/cases?purpose=x", {"resident_id": person.resident.pk, "applicant_type": "self"})
    assert r.status_code == 404
    r = api.post(f"/api/residents/{person.resident.pk}/rrn?purpose=x")
    assert r.status_code == 404 and "rrn" not in r.json()
    assert Case.objects.count() == 3


# Partner: a referral opens the referral view only, never the full records ------------------------

def test_a_partner_reaches_a_referred_client_only_through_the_referral(world):
    from dolbom.accounts.models import StaffProfile
    from dolbom.referrals.models import Institution, Service
    from dolbom.referrals.services import referral_create

    users, people = world["users"], world["people"]
    partner, own = users["partner"], people["own"]
    inst = Institution.objects.create(code="JJ-HN-001", name="전주 방문간호센터", kind="home_nursing_agency")
    service = Service.objects.create(institution=inst, code="SV-1", name="방문간호", category_code="A02", citywide=True)
    StaffProfile.objects.filter(user=partner).update(institution_code=inst.code)
    partner.staff.refresh_from_db()
    consent_record(actor=users["officer"], resident=own.resident, purpose="information_sharing",
                   recipient=inst.name, recipient_code=inst.code)
    referral = referral_create(actor=users["city"], case=own.case, service=service)
    api = api_as(partner)
    assert [r["id"] for r in api.get("/api/referrals").json()] == [referral.pk]
    assert api.get(f"/api/referrals/{referral.pk}").json()["client"]["name"] == NAMES["own"]
    for target in TARGETS:
        for kind in KINDS.values():
            r = api.get(kind.url(people[target]), {"purpose": PURPOSE})
            assert r.status_code == 404, (target, kind.url(people[target]))
