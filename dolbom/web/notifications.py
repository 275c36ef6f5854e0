"""The header's bell: counts of what needs someone now, filled by the domain apps from their AppConfig.ready().

``web`` imports no domain app, so each app registers a ``NotificationSource``: check-ins the open high
alerts, cases the overdue follow-ups, referrals the answers past their deadline. The bell shows the sum and
a page lists each count with a link; a source with ``alarm=True`` (a new high alert) also sounds the bell's
tone in the browser, unless the user muted it (web/models.py ``NotificationSettings``).

Counts only: a count names nobody, so polling it writes no access-log row. Whoever follows a link opens a
page that logs as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class NotificationSource:
    key: str  # unique, e.g. "checkins_high_alerts"
    label: Any  # a lazy translation: "New high alerts"
    count: Callable[[Any], int]  # user -> how many need them now (within their scope)
    # url name of the page that lists them, with an optional "?query"; or user -> that, where it depends on
    # the role (a case manager's own caseload, a dong officer's dong)
    url: str | Callable[[Any], str]
    visible: Callable[[Any], bool]  # user -> bool
    alarm: bool = False  # a rise of this count sounds the bell's tone
    order: int = 100


_SOURCES: dict[str, NotificationSource] = {}


def notification_source_register(source: NotificationSource) -> None:
    _SOURCES[source.key] = source


def _href(url: str) -> str:
    name, _, query = url.partition("?")
    return reverse(name) + (f"?{query}" if query else "")


def notifications_for(user: Any) -> list[dict[str, Any]]:
    """Each visible source with its count for ``user``; sources with nothing to show are kept, as zero,
    so that the notifications page can say "nothing overdue"."""
    rows = []
    for source in sorted(_SOURCES.values(), key=lambda s: (s.order, s.key)):
        if not source.visible(user):
            continue
        rows.append({"key": source.key, "label": str(source.label), "count": int(source.count(user)),
                     "url": _href(source.url(user) if callable(source.url) else source.url),
                     "alarm": source.alarm})
    return rows
