from __future__ import annotations

import pytest
from django.test import Client

from dolbom.areas.models import Dong
from dolbom.lib.errors import DomainError, Forbidden
from dolbom.referrals.models import Institution, Service
from dolbom.referrals.services import institution_save, service_save
from dolbom.testing.api import api_as

INST = {"code": "JJ-NEW-1", "name": "전주 새빛 재가센터", "kind": "home_care_agency", "phone": "063-1"}


def test_the_city_team_adds_institutions_and_services_through_the_api(city):
    api = api_as(city)
    seo = Dong.objects.get(name="서신동", valid_to__isnull=True)
    r = api.post("/api/referrals/institutions", {**INST, "dong_ids": [seo.pk]})
    assert r.status_code == 201 and r.json()["dong_ids"] == [seo.pk]
    r = api.post("/api/referrals/services", {"institution_code": "JJ-NEW-1", "code": "S-1", "name": "방문요양",
                                              "category_code": "B01", "capacity": 20, "waiting": 3,
                                              "dong_ids": [seo.pk]})
    assert r.status_code == 201, r.content
    assert r.json()["category_label"] == "장기요양 · 방문요양"
    sid = r.json()["id"]
    r = api.put(f"/api/referrals/services/{sid}", {"institution_code": "JJ-NEW-1", "code": "S-1", "name": "방문요양",
                                                    "category_code": "B01", "capacity": 25, "waiting": 0})
    assert r.status_code == 200 and r.json()["capacity"] == 25
    r = api.get("/api/referrals/services", {"dong_id": seo.pk, "category": "B"})
    assert [s["code"] for s in r.json()] == []  # the service no longer lists 서신동 after the update
    r = api.post("/api/referrals/services", {"institution_code": "JJ-NEW-1", "code": "S-2", "name": "x",
                                              "category_code": "Z9"})
    assert (r.status_code, r.json()["code"]) == (400, "category_unknown")
    assert api.get("/api/referrals/categories").json()["version"] == "2026.1"


@pytest.mark.parametrize("who", ["officer", "manager", "partner", "auditor"])
def test_only_the_city_team_changes_the_directory(db, request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        institution_save(actor=user, **INST)
    r = api_as(user).post("/api/referrals/institutions", INST)
    assert r.status_code == 403 and not Institution.objects.filter(code=INST["code"]).exists()
    c = Client()
    c.force_login(user)
    assert c.get("/referrals/institutions/new/").status_code == 403


def test_codes_are_unique(city):
    inst = institution_save(actor=city, **INST)
    with pytest.raises(DomainError) as exc:
        institution_save(actor=city, **{**INST, "name": "다른 이름"})
    assert exc.value.code == "code_taken"
    service_save(actor=city, institution=inst, code="S-1", name="a", category_code="C01")
    with pytest.raises(DomainError):
        service_save(actor=city, institution=inst, code="S-1", name="b", category_code="C01")


def test_the_directory_pages_work_for_the_city_team(city, client):
    client.force_login(city)
    r = client.post("/referrals/institutions/new/", {**INST, "active": "on"})
    assert r.status_code == 302
    inst = Institution.objects.get()
    r = client.post("/referrals/services/new/", {"institution": inst.pk, "code": "S-1", "name": "식사 배달",
                                                 "category_code": "C02", "capacity": 5, "waiting": 2,
                                                 "citywide": "on", "active": "on"})
    assert r.status_code == 302
    page = client.get("/referrals/services/").content.decode()
    assert "식사 배달" in page and "일상생활돌봄 · 식사 지원" in page
    svc = Service.objects.get()
    assert client.get(f"/referrals/services/{svc.pk}/").status_code == 200


def test_the_catalogue_page_lists_without_n_plus_one(officer, city, client, django_assert_max_num_queries):
    from dolbom.referrals.catalogue import catalogue_load

    catalogue_load()
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        r = client.get("/referrals/services/")
    assert r.status_code == 200 and r.content.decode().count("<tr>") >= 39
