"""A small synthetic city with one discovery cycle: agency files generated for its households, imported,
a first model trained on the hidden truth, the visit lists written. Built once per test session on a
template and copied per test by the database rollback."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from dolbom.discovery import pipeline, services
from dolbom.discovery.models import Cycle, CycleKind, ModelVersion

HOUSEHOLDS = 1500
AS_OF = dt.date(2026, 11, 1)


@dataclass
class World:
    cycle: Cycle
    sources: dict[str, Path]
    truth: Path
    model: ModelVersion | None = None


def build_city() -> None:
    call_command("registry", "generate-city", households=HOUSEHOLDS, seed=7, as_of=AS_OF, verbosity=0)


def build_cycle(*, actor: User, out_dir: Path, name: str = "2026-6차", seed: int = 3) -> World:
    manifest = pipeline.synthetic_sources(out_dir=out_dir, seed=seed, as_of=AS_OF, fmt="parquet")
    cycle = services.cycle_create(actor=actor, name=name, kind=CycleKind.NATIONAL, starts_on=AS_OF)
    return World(cycle=cycle, sources=dict(manifest.source_paths), truth=manifest.truth_path)


def import_all(world: World, actor: User) -> None:
    results = services.cycle_import(actor=actor, cycle=world.cycle, files=[(p.name, p) for p in world.sources.values()])
    assert all(r.status == "imported" for r in results), [(r.file_name, r.errors[:3]) for r in results]


@pytest.fixture
def login():
    """login(user) -> a test client logged in as that persona."""

    def _login(user: User) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return _login


@pytest.fixture
def city_world(city, tmp_path, settings) -> World:
    """Registry, one imported cycle and a trained model; not yet scored."""
    settings.DATA_DIR = tmp_path / "data"
    build_city()
    world = build_cycle(actor=city, out_dir=tmp_path / "synthetic")
    import_all(world, city)
    world.model = services.model_retrain(actor=city, seed=0, truth_path=world.truth, truth_cycle=world.cycle)
    return world


@pytest.fixture
def scored_world(city_world, city) -> World:
    services.cycle_score(actor=city, cycle=city_world.cycle)
    return city_world
