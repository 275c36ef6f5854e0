"""Findings on the API's surface: the OpenAPI and the docs answered without login; nine schema names were
defined twice, so the OpenAPI documented wrong shapes (a case plan as the visits day plan) and 422 was not
documented; GET /api/cases/export gave partners, auditors, hospitals and nurses an empty 200."""

from __future__ import annotations

import collections

import pytest
from django.test import Client

from dolbom.accounts.models import Role
from dolbom.accounts.services import api_token_create
from dolbom.api import STANDARD_ERRORS, api
from dolbom.audit.models import AccessAction, AccessLog
from dolbom.lib.api import routers_of, schema_models
from dolbom.testing import personas
from dolbom.testing.api import api_as


def test_the_schema_and_the_docs_need_a_sign_in(officer, login):
    assert Client().get("/api/openapi.json").status_code == 401
    r = Client().get("/api/docs")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert login(officer).get("/api/openapi.json").status_code == 200
    assert login(officer).get("/api/docs").status_code == 200
    token = api_token_create(user=officer, name="generator")
    assert Client().get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def _models() -> list:
    return schema_models(routers_of(api), responses=True)


def test_every_schema_name_is_defined_once():
    """Two classes of one name overwrite each other in the OpenAPI's components: a new app that reuses a
    name fails here."""
    by_name = collections.defaultdict(set)
    for model in _models():
        by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    assert {name: sorted(where) for name, where in by_name.items() if len(where) > 1} == {}


def test_the_plans_are_documented_as_themselves(officer, login):
    schema = login(officer).get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    assert "versions" not in components["SupportPlanOut"]["properties"]
    assert {"lines", "version"} <= set(components["SupportPlanOut"]["properties"])
    assert {"routes", "unassigned"} <= set(components["DayPlanOut"]["properties"])


def test_every_operation_documents_422_and_the_standard_errors(officer, login):
    schema = login(officer).get("/api/openapi.json").json()
    missing = [(path, method, code) for path, item in schema["paths"].items() for method, op in item.items()
               for code in STANDARD_ERRORS if code not in op["responses"]]
    assert missing == []
    assert schema["components"]["schemas"]["ValidationErrorOut"]["properties"]["errors"]["type"] == "array"


@pytest.mark.parametrize("role", [Role.PARTNER, Role.AUDITOR, Role.NURSE])
def test_roles_without_export_rights_get_403_not_an_empty_file(db, role):
    user = personas.make_staff("someone", "오세영", role, "서신동" if role == Role.NURSE else None)
    r = api_as(user).get("/api/cases/export", {"reason": "월간 보고"})
    assert (r.status_code, r.json()["code"]) == (403, "not_allowed")
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_export_still_works_for_the_dong_officer_with_a_reason(officer):
    personas.open_case(officer, personas.make_resident(officer))
    r = api_as(officer).get("/api/cases/export", {"reason": "월간 보고"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert api_as(officer).get("/api/cases/export", {"reason": "."}).status_code == 400
