"""The auditor's pages read Korean names for the codes the access log keeps (audit/labels.py)."""

from __future__ import annotations

from django import template

from dolbom.audit.labels import record_label, record_type_label, role_label

register = template.Library()

register.filter("role_label", role_label)
register.filter("record_type_label", record_type_label)


@register.simple_tag
def record_of(row) -> str:
    return record_label(row.record_type, row.record_id)
