"""Wiring in one place: every app's API router, pages, demo and commands are found where they should be.

Each check starts from the files in the package, not from a list kept by hand, so that a new app whose
router, ``urls.py``, ``demo.py`` or command is not wired fails here rather than in front of a user.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

from django.apps import apps
from django.core.management import get_commands, load_command_class
from django.urls import URLResolver, get_resolver

from dolbom.demo import DEMO_OPTIONS, demo_modules
from dolbom.lib.commands import AppCommand

PACKAGE = Path(__file__).resolve().parents[1]


def _modules(file_name: str) -> list[str]:
    """Dotted names of every ``file_name`` in an app (the project's own top-level one and tests aside)."""
    names = []
    for path in sorted(PACKAGE.rglob(file_name)):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        if len(rel.parts) > 2 and "tests" not in rel.parts and "migrations" not in rel.parts:
            names.append(".".join(rel.parts))
    return names


def _app_of(module: str) -> str | None:
    """The installed app that holds a module, if any."""
    config = apps.get_containing_app_config(module)
    return config.name if config else None


def test_every_api_router_is_mounted_on_the_project_api():
    from dolbom.api import api

    # ninja keeps the mounted routers here (public since 1.0 "for backward compatibility").
    mounted = {id(router) for _, router in api._routers}
    routers = {name: importlib.import_module(name).router for name in _modules("api.py")
               if hasattr(importlib.import_module(name), "router")}
    assert routers, "no app router found: the discovery itself is broken"
    assert [name for name, router in routers.items() if id(router) not in mounted] == []
    assert [name for name in routers if _app_of(name) is None] == []


def _included(patterns: list) -> set[str]:
    found: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            name = getattr(pattern.urlconf_name, "__name__", pattern.urlconf_name)
            if isinstance(name, str):
                found.add(name)
            found |= _included(pattern.url_patterns)
    return found


def test_every_apps_pages_are_included_in_the_project_urls():
    pages = _modules("urls.py")
    assert pages, "no app urls.py found: the discovery itself is broken"
    included = _included(get_resolver("dolbom.urls").url_patterns)
    assert [name for name in pages if name not in included] == []
    assert [name for name in pages if _app_of(name) is None] == []


def test_every_apps_demo_is_seeded_in_installed_apps_order():
    seeded = [m.__name__ for m in demo_modules()]
    assert sorted(seeded) == sorted(_modules("demo.py"))
    order = [config.name for config in apps.get_app_configs()]
    assert seeded == sorted(seeded, key=lambda name: order.index(_app_of(name)))


def test_every_seed_demo_takes_only_what_the_demo_gives():
    for module in demo_modules():
        parameters = inspect.signature(module.seed_demo).parameters
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values()), module.__name__
        assert {"seed", "out"} <= set(parameters) <= {"seed", "out", *DEMO_OPTIONS}, module.__name__
        for user in getattr(module, "DEMO_USERS", []):
            assert len(user) == 6, f"{module.__name__}: (username, name, role, dong, institution, note)"


_VERB = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


def test_every_command_is_dolbom_app_verb():
    commands = {name: app for name, app in get_commands().items() if app.startswith("dolbom.")}
    files = [name.rpartition(".")[2] for name in _modules("*.py") if ".management.commands." in name
             and not name.endswith("__init__")]
    assert sorted(files) == sorted(commands), "a command module outside an installed app"
    for name, app in commands.items():
        assert name == apps.get_containing_app_config(app).label, f"{app}: its command is named after the app"
        command = load_command_class(app, name)
        assert isinstance(command, AppCommand), f"{name}: Command must be a dolbom.lib.commands.AppCommand"
        verbs = command.verbs()
        assert verbs, f"{name}: no verbs"
        assert [v for v in verbs if not _VERB.fullmatch(v)] == [], f"{name}: verbs are kebab-case"
        parser = command.create_parser("dolbom", name)
        choices = next(a.choices for a in parser._actions if a.dest == "verb")
        assert list(choices) == list(verbs)
