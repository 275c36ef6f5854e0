"""`dolbom visits plan --date D` and `dolbom visits solve-vrptw FILE --time-limit S [--routes FILE]`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser

from dolbom.lib.commands import AppCommand, verb


def _plan_arguments(plan: CommandParser) -> None:
    plan.add_argument("--date", required=True, help="YYYY-MM-DD")
    plan.add_argument("--as", dest="username", default="",
                      help="the team leader (username); default: the first city-team user")
    plan.add_argument("--time-limit", type=float, default=10.0, help="seconds for the solver")
    plan.add_argument("--matrix", default="", help="travel-time CSV (from,to,seconds) from a routing engine")


def _solve_arguments(vrp: CommandParser) -> None:
    vrp.add_argument("file")
    vrp.add_argument("--time-limit", type=float, required=True)
    vrp.add_argument("--routes", default="", help="write the routes to this file")
    vrp.add_argument("--seed", type=int, default=1)


class Command(AppCommand):
    help = "Home visits: the morning plan, and the Solomon VRPTW solver."

    @verb("solve-vrptw", "solve a Solomon-format VRPTW instance", arguments=_solve_arguments)
    def solve_vrptw(self, **opts: Any) -> None:
        from dolbom.visits.solver.checker import check_solution
        from dolbom.visits.solver.solomon import SolomonFormatError, format_routes, read_solomon
        from dolbom.visits.solver.vrptw import solve_vrptw

        try:
            instance = read_solomon(opts["file"])
        except (OSError, SolomonFormatError) as exc:
            raise CommandError(str(exc)) from exc
        if opts["time_limit"] <= 0:
            raise CommandError("--time-limit must be positive")
        result = solve_vrptw(instance, time_limit=float(opts["time_limit"]), seed=int(opts["seed"]))
        check = check_solution(instance, result.routes)
        if opts["routes"]:
            Path(opts["routes"]).write_text(format_routes(result.routes), encoding="utf-8")
        if int(opts.get("verbosity", 1)) > 1:
            for n, at in result.fleet_log:
                self.stderr.write(f"feasible with {n} vehicles after {at:.1f} s")
        if not check.feasible:
            for e in check.errors[:10]:
                self.stderr.write(e)
            raise CommandError("no feasible solution found within the time limit")
        self.stdout.write(f"vehicles={check.vehicles} distance={check.distance:.6f}")

    @verb("plan", "plan the day's routes for a team leader's workers", arguments=_plan_arguments)
    def plan(self, **opts: Any) -> None:
        from dolbom.accounts.models import Role
        from dolbom.visits.services import REASON_LABELS, visits_plan
        from dolbom.visits.solver.travel import MatrixFile

        try:
            date = dt.date.fromisoformat(str(opts["date"]))
        except ValueError as exc:
            raise CommandError("--date must be YYYY-MM-DD") from exc
        if opts["username"]:
            actor = User.objects.filter(username=opts["username"]).first()
        else:
            actor = User.objects.filter(staff__role=Role.CITY_TEAM).order_by("pk").first()
        if actor is None:
            raise CommandError("no such team leader; pass --as USERNAME")
        travel = MatrixFile(Path(str(opts["matrix"]))) if opts["matrix"] else None
        plan = visits_plan(actor=actor, date=date, time_limit=float(opts["time_limit"]), travel=travel)
        from dolbom.visits.models import Visit

        ids = [i for r in plan.routes.all() for i in r.visit_ids] + [int(k) for k in plan.unassigned]
        visits = Visit.objects.in_bulk(ids)
        for r in plan.routes.select_related("worker__user__staff"):
            if not r.visit_ids:
                self.stdout.write(f"{r.worker}: no visits")
                continue
            self.stdout.write(f"{r.worker}: leave {r.depart:%H:%M}, back {r.back:%H:%M}, "
                              f"travel {r.travel_seconds // 60} min, {len(r.visit_ids)} visits"
                              + (f", break {r.break_at:%H:%M}" if r.break_at else ""))
            for k, vid in enumerate(r.visit_ids, 1):
                v = visits[vid]
                self.stdout.write(f"  {k}. {v.planned_start:%H:%M} visit {v.pk} {v.get_visit_type_display()} "
                                  f"({v.duration_minutes} min, {v.window_start:%H:%M}-{v.window_end:%H:%M})")
        for vid, why in plan.unassigned.items():
            self.stdout.write(f"not planned: visit {vid}: {REASON_LABELS.get(why, why)}")
        planned = sum(len(r.visit_ids) for r in plan.routes.all())
        self.stdout.write(f"planned={planned} unassigned={len(plan.unassigned)} "
                          f"travel_minutes={plan.travel_seconds // 60} seconds={plan.seconds:.1f}")
