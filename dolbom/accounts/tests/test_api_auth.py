"""API authentication (session with CSRF, bearer tokens) and the self-hosted docs."""

from __future__ import annotations

import re

from django.test import Client
from django.utils import timezone

from dolbom.accounts.models import ApiToken
from dolbom.accounts.services import api_token_create
from dolbom.audit.models import AccessAction, AccessLog
from dolbom.testing.api import ApiClient


def test_a_bearer_token_authenticates_as_its_user(officer, resident):
    token = api_token_create(user=officer, name="행복e음 연계")
    r = ApiClient(token=token).get(f"/api/residents/{resident.pk}", {"purpose": "연계 점검"})
    assert r.status_code == 200 and r.json()["id"] == resident.pk
    assert AccessLog.objects.get(action=AccessAction.VIEW).actor_id == officer.pk
    assert ApiToken.objects.get(user=officer).last_used_at is not None


def test_a_bearer_token_may_write_without_a_csrf_token(officer, resident):
    token = api_token_create(user=officer, name="script")
    api = ApiClient(token=token, enforce_csrf_checks=True)
    r = api.post("/api/cases", {"resident_id": resident.pk, "applicant_type": "self"})
    assert r.status_code == 201


def test_a_revoked_token_is_refused(officer, resident):
    token = api_token_create(user=officer, name="old laptop")
    ApiToken.objects.filter(user=officer).update(revoked_at=timezone.now())
    api = ApiClient(token=token)
    r = api.get(f"/api/residents/{resident.pk}", {"purpose": "x"})
    assert (r.status_code, r.json()["code"]) == (401, "unauthenticated")
    r = api.post("/api/cases", {"resident_id": resident.pk, "applicant_type": "self"})
    assert (r.status_code, r.json()["code"]) == (401, "unauthenticated")
    assert not AccessLog.objects.exists()


def test_an_unknown_token_and_no_credentials_are_refused(resident):
    assert ApiClient(token="dlb_guess").get("/api/residents", {"q": "김"}).status_code == 401
    r = ApiClient().get("/api/cases")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_a_token_of_a_deactivated_user_is_refused(officer):
    token = api_token_create(user=officer, name="t")
    officer.is_active = False
    officer.save()
    assert ApiClient(token=token).get("/api/cases").status_code == 401


def test_a_session_write_needs_the_csrf_token(officer, resident):
    api = ApiClient(officer, enforce_csrf_checks=True)
    body = {"resident_id": resident.pk, "applicant_type": "self"}
    r = api.post("/api/cases", body)
    assert (r.status_code, r.json()["code"]) == (403, "csrf_failed")
    assert api.get("/api/cases").status_code == 200  # reads need no token
    api.client.get("/api/docs")  # the docs page sets the CSRF cookie, as the web UI does
    r = api.post("/api/cases", body, **{"X-CSRFToken": api.client.cookies["csrftoken"].value})
    assert r.status_code == 201


def test_the_docs_page_loads_nothing_from_outside(officer):
    client = Client()
    client.force_login(officer)  # the schema and its docs are for signed-in staff (dolbom/api.py)
    html = client.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/static/") for u in urls), urls
    assert '"validatorUrl": null' in html
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_the_openapi_schema_documents_the_endpoints(officer):
    client = Client()
    client.force_login(officer)
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in ["/api/residents", "/api/residents/{resident_id}", "/api/households/{household_id}",
                 "/api/cases", "/api/cases/{case_id}/plans/{version}", "/api/access-log", "/api/dongs/resolve"]:
        assert path in paths
    assert {"BearerTokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])
    assert "ErrorOut" in schema["components"]["schemas"]
