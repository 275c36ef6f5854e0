from __future__ import annotations

import polars as pl
import pytest

from dolbom.discovery import services
from dolbom.discovery.errors import DiscoveryErrorCode
from dolbom.discovery.models import ModelVersion, Outcome, VisitListEntry
from dolbom.lib.errors import DomainError, Forbidden


def _label_from_truth(world) -> int:
    """Field outcomes as the synthetic truth says they would turn out (test set-up, not the behaviour)."""
    truth = pl.read_parquet(world.truth)
    needs = set(truth.filter(pl.col("needs_support")).get_column("household_id").to_list())
    entries = VisitListEntry.objects.filter(cycle=world.cycle)
    entries.filter(household_id__in=needs).update(outcome=Outcome.SUPPORTED_PUBLIC)
    entries.exclude(household_id__in=needs).update(outcome=Outcome.NOT_TARGET)
    return entries.count()


def test_retraining_needs_enough_outcomes_of_each_kind(scored_world, city):
    with pytest.raises(DomainError) as exc:
        services.model_retrain(actor=city, seed=1)
    assert exc.value.code == DiscoveryErrorCode.TOO_FEW_LABELS


def test_retraining_on_visit_outcomes_keeps_every_version_and_its_metrics(scored_world, city):
    first = scored_world.model
    labelled = _label_from_truth(scored_world)

    new = services.model_retrain(actor=city, seed=1)

    assert new.pk != first.pk and new.version != first.version
    assert set(ModelVersion.objects.values_list("version", flat=True)) == {first.version, new.version}
    assert new.label_source.startswith("visit outcomes") and new.training_rows == labelled
    assert new.metrics["evaluated_on"].startswith("held-out")
    assert 0.5 <= new.metrics["auc_test"] <= 1.0
    assert new.quality["overall"]["households"] < labelled  # the report is on held-out households only
    assert bytes(first.artefact) != bytes(new.artefact)


def test_every_score_traces_to_the_model_that_made_it(scored_world, city):
    first = scored_world.model
    _label_from_truth(scored_world)
    worked_on = set(VisitListEntry.objects.filter(cycle=scored_world.cycle).values_list("pk", flat=True))
    VisitListEntry.objects.filter(pk__in=list(worked_on)[:10]).update(outcome="")
    new = services.model_retrain(actor=city, seed=1)

    services.cycle_score(actor=city, cycle=scored_world.cycle)

    versions = dict(VisitListEntry.objects.filter(cycle=scored_world.cycle)
                    .values_list("outcome", "model_version__version").distinct())
    assert versions[Outcome.SUPPORTED_PUBLIC] == first.version or versions[Outcome.NOT_TARGET] == first.version
    assert versions[""] == new.version


def test_retraining_on_the_same_labels_returns_the_same_version(scored_world, city):
    _label_from_truth(scored_world)
    a = services.model_retrain(actor=city, seed=1)
    b = services.model_retrain(actor=city, seed=1)
    assert a.pk == b.pk
    assert ModelVersion.objects.count() == 2


def test_only_the_city_team_retrains(scored_world, officer):
    with pytest.raises(Forbidden):
        services.model_retrain(actor=officer, seed=1)
