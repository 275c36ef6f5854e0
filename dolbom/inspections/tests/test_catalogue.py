"""The shipped checklist and ATP limits, and publishing a new checklist version."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.management import CommandError, call_command

from dolbom.inspections.catalogue import CatalogueError, shipped, validate_template
from dolbom.inspections.models import AtpThreshold, ChecklistTemplate, Inspection
from dolbom.inspections.selectors import current_template
from dolbom.inspections.tests.conftest import doc

pytestmark = pytest.mark.django_db


def test_every_shipped_item_has_a_legal_basis_and_the_severity_the_issue_sets(shipped_catalogue):
    items = {i.code: i for i in current_template().items.all()}
    assert all(i.legal_basis.strip() for i in items.values())
    severities = {code: items[code].severity for code in items}
    assert {c for c, s in severities.items() if s == "critical"} == {"retained_sample", "retained_sample_freezer",
                                                                      "no_expired_food"}
    for code in ("fridge_temperature", "hot_holding_temperature", "utensils_sanitised", "staff_health_exam"):
        assert severities[code] == "major"
    assert severities["labelling"] == severities["caps_and_masks"] == "minor"
    assert "제88조제2항제2호" in items["retained_sample"].legal_basis
    assert "영하 18도" in items["retained_sample_freezer"].legal_basis
    fridge, hot = items["fridge_temperature"], items["hot_holding_temperature"]
    assert (fridge.limit_op, fridge.limit_value, hot.limit_op, hot.limit_value) == ("le", 10, "ge", 60)


def test_the_shipped_atp_limits(shipped_catalogue):
    limits = {(t.instrument.model, t.surface): (t.pass_max, t.caution_max)
              for t in AtpThreshold.objects.select_related("instrument")}
    assert limits[("Hygiena EnSURE Touch", "")] == (10, 30)
    assert limits[("Kikkoman Lumitester Smart", "hands")][0] == 1500
    assert limits[("Kikkoman Lumitester Smart", "cutting_board")][0] == 500
    assert all(t.source for t in AtpThreshold.objects.all())


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["items"][0].pop("legal_basis"), "legal_basis"),
    (lambda d: d["items"][1].update(severity="urgent"), "severity"),
    (lambda d: d["items"][1].update(code=d["items"][0]["code"]), "repeated"),
    (lambda d: d["items"][3].pop("limit_op"), "limit_op"),
    (lambda d: d.update(items=[]), "non-empty"),
])
def test_a_checklist_file_with_a_fault_is_refused_with_the_reason(change, message):
    data = copy.deepcopy(shipped("checklist_v1.json"))
    change(data)
    with pytest.raises(CatalogueError, match=message):
        validate_template(data)


def test_a_new_version_becomes_current_and_inspections_keep_theirs(lead, inspector, facility, tmp_path):
    from dolbom.inspections import services

    old = current_template()
    first = services.inspection_sync(actor=inspector, doc=doc(facility)).inspection
    data = shipped("checklist_v1.json")
    data["version"] = 2
    data["items"] = data["items"][:-1]
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("inspections", "load-template", str(path))
    new = current_template()
    assert (new.version, new.items.count()) == (2, old.items.count() - 1)
    assert list(ChecklistTemplate.objects.filter(current=True)) == [new]
    assert Inspection.objects.get(pk=first.pk).template_id == old.pk
    with pytest.raises(CommandError, match="version"):
        call_command("inspections", "load-template", str(path))
