"""The dashboards' published part, rendered once per snapshot and kept in the cache.

Every figure a dashboard shows comes from ``Cell`` rows that change only when a refresh republishes them, and
every role that may read reports reads the same suppressed cells (reports/selectors.py can_see_reports), so the
part of a page made of figures, charts and the map is the same for every reader of it until the next refresh
that publishes cells. It is rendered without the request (no CSRF token, no user, no menu: those stay in the
page around it) and kept under a key made of the snapshot's version (the last refresh that wrote or
removed cells), the language, the registered indicators and what the page asks for. A refresh that publishes
cells makes a new version, so every process's cached fragments are left behind at once, with no message
between processes; a refresh that changed nothing keeps the version and the fragments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from dolbom.lib.metrics import indicators
from dolbom.reports.models import Refresh

# Long enough that a page is rendered once between two refreshes that publish; a new version leaves the old
# entries to expire.
TIMEOUT = 30 * 60


def snapshot_version() -> str | None:
    """The last finished refresh that wrote or removed cells, as a string (its id and end to the microsecond:
    ids are reused after a rolled-back test on SQLite, their time is not); None before any."""
    row = (Refresh.objects.filter(finished_at__isnull=False, error="").filter(Q(cells__gt=0) | Q(full=True))
           .order_by("-finished_at").values_list("pk", "finished_at").first())
    return None if row is None else f"{row[0]}.{row[1].timestamp():.6f}"


def _registry() -> str:
    # Tests and new apps register indicators: a fragment lists them, so the list is part of its key.
    return hashlib.blake2b("|".join(i.key for i in indicators()).encode(), digest_size=8).hexdigest()


def fragment(page: str, parts: tuple, template: str, context: Callable[[], dict]) -> SafeString:
    """``template`` rendered with ``context()``, from the cache when this snapshot's was rendered already."""
    version = snapshot_version()
    if version is None:  # nothing published yet: nothing worth keeping
        return mark_safe(render_to_string(template, context()))  # noqa: S308 - our own template's output
    key = "reports:" + ":".join(str(p) for p in (page, version, translation.get_language(), _registry(), *parts))
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, context())
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 - our own template's output
