"""Named points where a lower app lets higher apps take part in its writes.

Layers point one way (docs/ARCHITECTURE.md): registry may not import referrals, yet withdrawing a consent
must end the referrals that relied on it, in the same transaction. The lower app declares a Hook in its
own ``hooks.py`` and runs it inside its service; the higher app connects a receiver from its
``AppConfig.ready()``. Unlike a Django signal, a hook is declared where it runs and named in the
service's code, so a reader sees the effect where it happens, and an exception in a receiver rolls the
whole write back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc
        self._receivers: list[Callable[..., Any]] = []

    def connect(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Add a receiver (idempotent, so a second ``ready()`` does not run it twice)."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def run(self, **kwargs: Any) -> None:
        """Call every receiver, in the order they connected, inside the caller's transaction."""
        for receiver in list(self._receivers):
            receiver(**kwargs)

    @property
    def receivers(self) -> tuple[Callable[..., Any], ...]:
        return tuple(self._receivers)

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, {len(self._receivers)} receivers)"
