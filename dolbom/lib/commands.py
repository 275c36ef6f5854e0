"""One shape for every management command: ``dolbom <app> <verb> [options]``.

An app has at most one command module, named after the app (``registry/management/commands/registry.py``).
Its ``Command`` is an ``AppCommand`` and each verb is a method marked with ``@verb``::

    def _refresh_arguments(parser: CommandParser) -> None:
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None)

    class Command(AppCommand):
        help = "Registry: the synthetic city and the dongs households belong to."

        @verb("refresh-dongs", "Point households at the dong valid on a date.", arguments=_refresh_arguments)
        def refresh_dongs(self, *, on: dt.date | None, **options: Any) -> None:
            ...

``dolbom registry --help`` lists the verbs, ``dolbom registry refresh-dongs --help`` explains one, and
``call_command("registry", "refresh-dongs", on=day)`` works as for any Django command. A verb that a
service refuses (a ``DomainError``) ends as a ``CommandError`` with the service's Korean message, so the
command line shows the same words as the page. ``dolbom/tests/test_wiring.py`` holds every app to this
shape, so that a newcomer finds every command of an app in one file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dolbom.lib.errors import DomainError

Arguments = Callable[[CommandParser], None]
Method = TypeVar("Method", bound=Callable[..., None])


@dataclass(frozen=True)
class Verb:
    name: str
    help: str
    arguments: Arguments | None = None


def verb(name: str, help: str, *, arguments: Arguments | None = None) -> Callable[[Method], Method]:
    """Mark a method of an ``AppCommand`` as the verb ``name`` (kebab-case); ``arguments`` adds its options.

    The method is called with the parsed options as keyword arguments, Django's own among them (verbosity,
    ...), so it ends with ``**options``.
    """

    def mark(method: Method) -> Method:
        method.verb = Verb(name, help, arguments)  # type: ignore[attr-defined]
        return method

    return mark


class AppCommand(BaseCommand):
    """``dolbom <app> <verb>``: one sub-parser per ``@verb`` method, in the order they are written."""

    def add_common_arguments(self, parser: CommandParser) -> None:
        """Options that come before the verb and apply to all of them (``dolbom discovery --as USER score``)."""

    @classmethod
    def verbs(cls) -> dict[str, tuple[Verb, str]]:
        """Verb name -> (the verb, the name of its method)."""
        found: dict[str, tuple[Verb, str]] = {}
        for klass in reversed(cls.__mro__):
            for attribute, value in vars(klass).items():
                marked = getattr(value, "verb", None)
                if isinstance(marked, Verb):
                    found[marked.name] = (marked, attribute)
        return found

    def add_arguments(self, parser: CommandParser) -> None:
        self.add_common_arguments(parser)
        sub = parser.add_subparsers(dest="verb", required=True, title="verbs")
        for v, _ in self.verbs().values():
            verb_parser = sub.add_parser(v.name, help=v.help, description=v.help)
            if v.arguments is not None:
                v.arguments(verb_parser)

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        method = getattr(self, self.verbs()[verb][1])
        try:
            method(**options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
