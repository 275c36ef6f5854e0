"""`dolbom inspections load-template|add-inspector|summer-round|schedule-due|plan-visits`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser

from dolbom.lib.commands import AppCommand, verb


def _as(parser: CommandParser) -> None:
    parser.add_argument("--as", dest="username", required=True, help="a centre lead or city-team user (username)")


def _template_arguments(parser: CommandParser) -> None:
    parser.add_argument("file", help="a checklist version as JSON (see dolbom/inspections/data/checklist_v1.json)")


def _inspector_arguments(parser: CommandParser) -> None:
    parser.add_argument("username")
    parser.add_argument("--organisation", default="전주시 사회복지급식관리지원센터")
    parser.add_argument("--lead", action="store_true", help="may manage facilities, checklists, limits, rounds")
    parser.add_argument("--base-lon", type=float, default=127.1480, help="where the inspector's day starts")
    parser.add_argument("--base-lat", type=float, default=35.8242)


def _round_arguments(parser: CommandParser) -> None:
    _as(parser)
    parser.add_argument("--year", type=int, required=True)


def _plan_arguments(parser: CommandParser) -> None:
    _as(parser)
    parser.add_argument("--date", type=dt.date.fromisoformat, required=True, help="YYYY-MM-DD")
    parser.add_argument("--time-limit", type=float, default=5.0, help="seconds for the solver")


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    return user


class Command(AppCommand):
    help = "Hygiene inspections of welfare-facility kitchens: checklist versions, inspectors, rounds, visits."

    @verb("load-template", "publish a new checklist version from a JSON file", arguments=_template_arguments)
    def load_template(self, *, file: str, **options: Any) -> None:
        from dolbom.inspections.services import template_publish

        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        template = template_publish(actor=None, data=data)
        self.stdout.write(f"{template.title} v{template.version}: {template.items.count()} items, now current")

    @verb("add-inspector", "make a staff member an inspector of the meal-support centre",
          arguments=_inspector_arguments)
    def add_inspector(self, *, username: str, organisation: str, lead: bool, base_lon: float, base_lat: float,
                      **options: Any) -> None:
        from dolbom.inspections.services import inspector_set

        inspector = inspector_set(actor=None, user=_user(username), organisation=organisation, base_lon=base_lon,
                                  base_lat=base_lat, lead=lead)
        self.stdout.write(f"{inspector}: inspector{' (lead)' if inspector.lead else ''} of {inspector.organisation}")

    @verb("summer-round", "plan the summer special round: an inspection for every active kitchen",
          arguments=_round_arguments)
    def summer_round(self, *, username: str, year: int, **options: Any) -> None:
        from dolbom.inspections.services import summer_round_create

        rnd = summer_round_create(actor=_user(username), year=year)
        self.stdout.write(f"{rnd.name}: {rnd.inspections.count()} inspections planned")

    @verb("schedule-due", "a routine visit for every kitchen falling due within two weeks", arguments=_as)
    def schedule_due(self, *, username: str, **options: Any) -> None:
        from dolbom.inspections.services import schedule_due

        self.stdout.write(f"{schedule_due(actor=_user(username))} routine facility visits scheduled")

    @verb("plan-visits", "route the day's facility visits for the centre's inspectors", arguments=_plan_arguments)
    def plan_visits(self, *, username: str, date: dt.date, time_limit: float, **options: Any) -> None:
        from dolbom.inspections.services import facility_visits_plan

        plan = facility_visits_plan(actor=_user(username), date=date, time_limit=time_limit)
        planned = sum(len(r["visit_ids"]) for r in plan.routes)
        self.stdout.write(f"{date}: {planned} visits in {len(plan.routes)} routes, {len(plan.unassigned)} not planned,"
                          f" travel {plan.travel_seconds // 60} min")
