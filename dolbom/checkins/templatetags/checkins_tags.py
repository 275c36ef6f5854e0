"""Korean labels for signal kinds and severities stored as codes on calls and turns."""

from __future__ import annotations

from typing import Any

from django import template

from dolbom.checkins.models import AlertKind, Severity, Topic

register = template.Library()


@register.filter
def signal_label(kind: str) -> str:
    try:
        return str(AlertKind(kind).label)
    except ValueError:
        return kind


@register.filter
def severity_label(severity: str) -> str:
    try:
        return str(Severity(severity).label)
    except ValueError:
        return severity


@register.filter
def topic_labels(topics: list[str]) -> str:
    labels = {t.value: str(t.label) for t in Topic}
    return ", ".join(labels.get(t, t) for t in topics)


@register.filter
def client_address(enrolment: Any) -> str:
    """How the caller addresses the client (the honorific fitted to their sex and age)."""
    from dolbom.checkins.services.calls import client_address as address

    return address(enrolment)
