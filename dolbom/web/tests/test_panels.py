"""The panel registries that let higher apps fill the shell's pages (web/panels.py, web/dashboard.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import RequestFactory

from dolbom.web import panels as panels_module
from dolbom.web.dashboard import dashboard_panels
from dolbom.web.panels import Panel, PanelRegistry


@pytest.fixture
def rendered(monkeypatch):
    """Panels render to 'template|context' so that the order, slots and contexts can be read back."""
    monkeypatch.setattr(panels_module, "render_to_string",
                        lambda template, context, request: f"{template}|{sorted(context.items())}")


def _request(role: str):
    request = RequestFactory().get("/")
    request.user = SimpleNamespace(role=role)
    return request


def test_it_renders_the_visible_panels_in_order_within_their_slots(rendered):
    registry = PanelRegistry("test page", slots=("main", "side"))
    registry.register(Panel(key="late", template="late.html", context=lambda request, n: {"n": n}, order=20))
    registry.register(Panel(key="early", template="early.html", context=lambda request, n: {"n": n + 1}, order=10))
    registry.register(Panel(key="aside", template="aside.html", context=lambda request, n: {}, slot="side"))
    registry.register(Panel(key="hidden", template="hidden.html", context=lambda request, n: {},
                            visible=lambda user: user.role == "auditor"))
    html = registry.render(_request("officer"), 1)
    assert html == {"main": ["early.html|[('n', 2)]", "late.html|[('n', 1)]"], "side": ["aside.html|[]"]}
    assert "hidden.html|[]" in registry.render(_request("auditor"), 1)["main"]


def test_a_second_registration_of_a_key_replaces_the_first(rendered):
    registry = PanelRegistry("test page", slots=("main",))
    registry.register(Panel(key="box", template="old.html", context=lambda request: {}))
    registry.register(Panel(key="box", template="new.html", context=lambda request: {}))
    assert registry.render(_request("officer")) == {"main": ["new.html|[]"]}


def test_it_refuses_a_slot_the_page_does_not_have():
    registry = PanelRegistry("test page", slots=("main",))
    with pytest.raises(ValueError, match="unknown slot 'footer'"):
        registry.register(Panel(key="box", template="box.html", context=lambda request: {}, slot="footer"))


def test_the_dashboard_without_any_visible_panel_shows_its_empty_state(login, officer, monkeypatch):
    monkeypatch.setattr(dashboard_panels, "_panels", {})
    html = login(officer).get("/").content.decode()
    assert "아직 소속 기관에 공유된 기록이 없습니다" in html
    assert "grid-side" not in html
