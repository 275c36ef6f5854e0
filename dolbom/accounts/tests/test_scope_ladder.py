"""The role ladder, grants, caseloads and the scoped lock (accounts/scope.py), tested on their own.

The scope matrix (test_scope_matrix.py) checks every record kind end to end; these check the helpers
the kinds are built from, so that a new kind built on them inherits the same rules.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Q

from dolbom.accounts import scope
from dolbom.accounts.models import Role
from dolbom.lib.errors import NotFound
from dolbom.registry.errors import RegistryErrorCode
from dolbom.registry.models import Resident
from dolbom.testing import personas


@pytest.fixture
def two_dongs(officer, other_officer):
    here = personas.make_resident(officer, name="김영숙")
    there = personas.make_resident(other_officer, name="이순자", area_name="효자1동")
    return here, there


def _visible(viewer, **kw):
    return set(scope.visible_by_role(viewer, Resident.objects.all(), kind="test_resident", dong="dong_id", **kw)
               .values_list("name", flat=True))


def test_the_city_team_sees_every_dong(city, two_dongs):
    assert _visible(city) == {"김영숙", "이순자"}


def test_a_dong_officer_sees_only_their_own_dong(officer, two_dongs):
    assert _visible(officer) == {"김영숙"}


def test_a_case_manager_sees_their_dong_and_their_caseload(manager, two_dongs):
    _, there = two_dongs
    assert _visible(manager) == {"김영숙"}
    assert _visible(manager, caseload=Q(pk=there.pk)) == {"김영숙", "이순자"}


def test_a_caseload_is_not_given_to_a_dong_officer(officer, two_dongs):
    _, there = two_dongs
    assert _visible(officer, caseload=Q(pk=there.pk)) == {"김영숙"}


def test_partners_auditors_and_nurses_see_nothing_without_a_grant(partner, auditor, two_dongs):
    nurse = personas.make_staff("nurse1", "오하나", Role.NURSE)
    assert _visible(partner) == _visible(auditor) == _visible(nurse) == set()


def test_a_user_without_a_staff_profile_sees_nothing(django_user_model, two_dongs):
    assert _visible(django_user_model.objects.create_user("plain")) == set()


def test_a_registered_grant_widens_one_role_for_one_kind_only(two_dongs, monkeypatch):
    _, there = two_dongs
    nurse = personas.make_staff("nurse1", "오하나", Role.NURSE)
    monkeypatch.setattr(scope, "_GRANTS", {})
    scope.scope_grant_register(kind="test_resident", role=Role.NURSE, grant=lambda viewer: Q(pk=there.pk))
    scope.scope_grant_register(kind="test_resident", role=Role.NURSE, grant=scope._GRANTS[("test_resident", "nurse")][0])
    assert len(scope._GRANTS[("test_resident", "nurse")]) == 1  # the same grant twice counts once
    assert _visible(nurse) == {"이순자"}
    assert set(scope.visible_by_role(nurse, Resident.objects.all(), kind="other_kind", dong="dong_id")) == set()


def test_a_registered_caseload_counts_for_visibility_and_for_the_caseload_question(manager, two_dongs, monkeypatch):
    _, there = two_dongs
    monkeypatch.setattr(scope, "_CASELOADS", {})
    assert scope.caseload_q(manager, kind="test_resident") is None
    scope.caseload_register(kind="test_resident", caseload=lambda viewer: Q(pk=there.pk))
    assert _visible(manager) == {"김영숙", "이순자"}
    assert Resident.objects.filter(scope.caseload_q(manager, kind="test_resident")).get() == there


def test_the_scoped_lock_refuses_a_row_outside_scope_like_a_missing_one(officer, two_dongs):
    here, there = two_dongs
    visible = scope.visible_by_role(officer, Resident.objects.all(), kind="test_resident", dong="dong_id")
    with transaction.atomic():
        assert scope.lock_in_scope(visible, here.pk, RegistryErrorCode.RESIDENT_NOT_FOUND) == here
        for pk in (there.pk, 10**9):
            with pytest.raises(NotFound) as refused:
                scope.lock_in_scope(visible, pk, RegistryErrorCode.RESIDENT_NOT_FOUND)
            assert refused.value.code == RegistryErrorCode.RESIDENT_NOT_FOUND
