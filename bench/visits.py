"""Benchmark: the visit-route solver against a nearest-neighbour baseline, and a Jeonju day.

    .venv/bin/python bench/visits.py                                   # 6 generated 100-customer instances, 10 s each
    .venv/bin/python bench/visits.py --n 100 --time-limit 30 --seeds 1 2
    .venv/bin/python bench/visits.py --ortools                         # also OR-Tools routing, same limit
    .venv/bin/python bench/visits.py --solomon bench/data/solomon --time-limit 60   # gaps to best known
    .venv/bin/python bench/visits.py --skip-generated --day-workers 40 --day-visits 600 --day-limit 30

    .venv/bin/python bench/visits.py --suite --time-limit 60        # 27 Solomon C2/R2/RC2 + 60 G&H 200 + days
    .venv/bin/python bench/visits.py --suite --sets solomon2 --every 3 --time-limit 15   # a third, shorter
    nice -n 5 .venv/bin/python bench/visits.py --suite --budget cpu --shard 1/2 --skip-day > var/suite_1.txt &
    nice -n 5 .venv/bin/python bench/visits.py --suite --budget cpu --shard 2/2 > var/suite_2.txt   # two halves
    .venv/bin/python bench/visits.py --summary var/suite_*.txt          # both halves' summaries, as far as they got

The baseline is Solomon's (1987) nearest-neighbour heuristic that respects windows and capacity. Every
solution, ours and the baseline's, is verified by the independent checker before it is counted.

`--suite` prints one line per benchmark instance (vehicles and distance found, the best known, the
distance gap, seconds, and the checker's verdict), a summary per set against the targets (Solomon: at
most the best-known vehicles and distance within 1%; Gehring & Homberger 200: 3% on average), then the
Jeonju day (40 workers, 600 visits) and a province day (200 workers, 3,000 visits, planned area by area).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dolbom.visits.solver.baseline import nearest_neighbour  # noqa: E402
from dolbom.visits.solver.checker import check_solution  # noqa: E402
from dolbom.visits.solver.day import DayVisit, DayWorker, plan_day, plan_day_by_area  # noqa: E402
from dolbom.visits.solver.generator import LAYOUTS, WINDOWS, generate  # noqa: E402
from dolbom.visits.solver.instance import Instance  # noqa: E402
from dolbom.visits.solver.solomon import read_solomon  # noqa: E402
from dolbom.visits.solver.travel import Place  # noqa: E402
from dolbom.visits.solver.vrptw import solve_vrptw  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DONGS_CSV = ROOT / "dolbom" / "areas" / "data" / "jeonju_dongs.csv"
DATA = ROOT / "bench" / "data"
# name -> (folder, file name prefixes): the long-horizon Solomon classes and Gehring & Homberger's 200.
SUITES = {
    "solomon1": (DATA / "solomon", ("C1", "R1", "RC1")),  # only the 5 bundled of the 29
    "solomon2": (DATA / "solomon", ("C2", "R2", "RC2")),
    "gh200": (DATA / "homberger200", ("C1_2", "C2_2", "R1_2", "R2_2", "RC1_2", "RC2_2")),
}
SOLOMON_TARGET_GAP = 1.0  # %, with at most the best-known number of vehicles
GH_TARGET_MEAN_GAP = 3.0  # %, on average


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def solve_ortools(instance: Instance, time_limit: float) -> list[list[int]]:
    """OR-Tools routing with its usual VRPTW recipe: a fixed cost per vehicle, guided local search."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    scale = 1000
    n = len(instance.x)
    dist = [[int(round(instance.dist(i, j) * scale)) for j in range(n)] for i in range(n)]
    mgr = pywrapcp.RoutingIndexManager(n, instance.vehicles, 0)
    routing = pywrapcp.RoutingModel(mgr)

    def transit(a: int, b: int) -> int:
        i, j = mgr.IndexToNode(a), mgr.IndexToNode(b)
        return dist[i][j] + int(instance.service[i] * scale)

    def cost(a: int, b: int) -> int:
        return dist[mgr.IndexToNode(a)][mgr.IndexToNode(b)]

    t_cb = routing.RegisterTransitCallback(transit)
    c_cb = routing.RegisterTransitCallback(cost)
    routing.SetArcCostEvaluatorOfAllVehicles(c_cb)
    routing.SetFixedCostOfAllVehicles(100_000 * scale)
    horizon = int(instance.due[0] * scale)
    routing.AddDimension(t_cb, horizon, horizon, False, "time")
    tdim = routing.GetDimensionOrDie("time")
    for node in range(1, n):
        # ceil/floor keep the integer model inside the exact one
        tdim.CumulVar(mgr.NodeToIndex(node)).SetRange(int(instance.ready[node] * scale),
                                                      int(instance.due[node] * scale) - 2)
    d_cb = routing.RegisterUnaryTransitCallback(lambda a: instance.demand[mgr.IndexToNode(a)])
    routing.AddDimensionWithVehicleCapacity(d_cb, 0, [instance.capacity] * instance.vehicles, True, "load")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(time_limit * 1000))
    sol = routing.SolveWithParameters(params)
    routes: list[list[int]] = []
    if sol is None:
        return routes
    for v in range(instance.vehicles):
        idx = routing.Start(v)
        route = []
        while not routing.IsEnd(idx):
            node = mgr.IndexToNode(idx)
            if node:
                route.append(node)
            idx = sol.Value(routing.NextVar(idx))
        if route:
            routes.append(route)
    return routes


def run_generated(args: argparse.Namespace) -> None:
    print(f"Generated {args.n}-customer instances, solver limit {args.time_limit:g} s")
    head = f"{'instance':<14}{'NN veh':>7}{'NN dist':>10}{'our veh':>8}{'our dist':>10}{'veh ratio':>10}{'dist ratio':>11}"
    if args.ortools:
        head += f"{'OR veh':>7}{'OR dist':>10}"
    print(head)
    sums = [0.0, 0.0, 0, 0]
    for seed in args.seeds:
        for layout in LAYOUTS:
            for windows in WINDOWS:
                inst = generate(layout=layout, windows=windows, n=args.n, seed=seed)
                base = check_solution(inst, nearest_neighbour(inst), max_vehicles=args.n)
                ours = solve_vrptw(inst, time_limit=args.time_limit)
                chk = check_solution(inst, ours.routes)
                assert base.feasible and chk.feasible, (base.errors, chk.errors)
                sums[0] += base.distance
                sums[1] += chk.distance
                sums[2] += base.vehicles
                sums[3] += chk.vehicles
                line = (f"{inst.name:<14}{base.vehicles:>7}{base.distance:>10.1f}{chk.vehicles:>8}{chk.distance:>10.1f}"
                        f"{chk.vehicles / base.vehicles:>10.2f}{chk.distance / base.distance:>11.3f}")
                if args.ortools:
                    o = check_solution(inst, solve_ortools(inst, args.time_limit))
                    line += f"{o.vehicles:>7}{o.distance:>10.1f}" + ("" if o.feasible else " INFEASIBLE")
                print(line, flush=True)
    print(f"total: vehicles {sums[2]} → {sums[3]} (ratio {sums[3] / sums[2]:.3f}), "
          f"distance {sums[0]:.1f} → {sums[1]:.1f} (ratio {sums[1] / sums[0]:.3f})")


def run_solomon(args: argparse.Namespace) -> None:
    folder = Path(args.solomon)
    bks = json.loads((folder / "bks.json").read_text(encoding="utf-8"))
    files = sorted(folder.glob("*.txt"))
    if args.only:
        files = [f for f in files if f.stem.upper() in {o.upper() for o in args.only}]
    print(f"Solomon instances in {folder}, limit {args.time_limit:g} s")
    print(f"{'instance':<8}{'BKS veh':>8}{'BKS dist':>10}{'veh':>5}{'dist':>10}{'gap %':>8}{'s':>6}")
    for f in files:
        inst = read_solomon(f)
        res = solve_vrptw(inst, time_limit=args.time_limit)
        chk = check_solution(inst, res.routes)
        b = bks[inst.name.upper()]
        gap = 100 * (chk.distance / b["distance"] - 1)
        flag = "" if chk.feasible else " INFEASIBLE"
        print(f"{inst.name:<8}{b['vehicles']:>8}{b['distance']:>10.2f}{chk.vehicles:>5}{chk.distance:>10.2f}"
              f"{gap:>8.2f}{res.seconds:>6.1f}{flag}", flush=True)


def _natural(name: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def suite_instances(name: str) -> list[tuple[Path, dict]]:
    """The set's instance files in natural order, each with its best-known solution."""
    folder, prefixes = SUITES[name]
    bks = json.loads((folder / "bks.json").read_text(encoding="utf-8"))
    files = [f for f in folder.glob("*.txt") if _class_of(f.stem.upper()) in prefixes]
    # Round robin over the classes (C1_2_1, C2_2_1, ..., RC2_2_1, C1_2_2, ...): a run cut short, or a part
    # of one, is a sample of every class rather than all of the first ones.
    files.sort(key=lambda f: (_number_in_class(f.stem.upper()), prefixes.index(_class_of(f.stem.upper()))))
    return [(f, bks[f.stem.upper()]) for f in files]


def _number_in_class(name: str) -> int:
    """C1_2_5 -> 5, RC207 -> 7."""
    return int(name.rsplit("_", 1)[1]) if "_" in name else int(re.sub(r"^[A-Z]+\d", "", name))


def _class_of(name: str) -> str:
    """C1_2_5 -> C1_2 (Gehring & Homberger), RC207 -> RC2 (Solomon)."""
    if "_" in name:
        return "_".join(name.split("_")[:2])
    m = re.match(r"([A-Z]+)(\d)", name)
    return m.group(1) + m.group(2) if m else name


def choose_budget(budget: str) -> str:
    """'auto' is CPU time when the machine is busier than one runnable task per core, else wall clock."""
    if budget != "auto":
        return budget
    return "cpu" if os.getloadavg()[0] > (os.cpu_count() or 1) else "wall"


def run_suite(args: argparse.Namespace) -> None:
    budget = choose_budget(args.budget)
    clock = time.process_time if budget == "cpu" else time.monotonic
    what = ("CPU seconds of this process (the same computation a quiet core gives in that many seconds)"
            if budget == "cpu" else "wall-clock seconds")
    print(f"Benchmark suite, {args.time_limit:g} {what} per instance (--budget {args.budget} -> {budget}), "
          f"seed {args.seed}, {load()}", flush=True)
    shard, shards = (int(t) for t in args.shard.split("/"))
    for name in args.sets:
        items = suite_instances(name)
        if args.only:
            wanted = {o.upper() for o in args.only}
            items = [it for it in items if it[0].stem.upper() in wanted]
        items = items[::args.every][shard - 1::shards]
        if args.skip_done:
            done = {r[0].upper() for r in read_tables(args.skip_done)[name]}
            items = [it for it in items if it[0].stem.upper() not in done]
        print(f"\n{name}: {len(items)} of {len(suite_instances(name))} instances "
              f"({SUITES[name][0].relative_to(ROOT)}, part {args.shard})")
        # "s" is wall clock, "cpu s" the processor time the solver got: under a wall-clock budget on a loaded
        # machine the second is a fraction of the first, and the search did that much less work.
        print(f"{'instance':<9}{'veh':>5}{'dist':>10}{'BKS veh':>8}{'BKS dist':>10}{'gap %':>8}{'s':>6}{'cpu s':>7}"
              "  checker")
        rows = []
        for f, b in items:
            inst = read_solomon(f)
            res = solve_vrptw(inst, time_limit=args.time_limit, seed=args.seed, clock=clock)
            cpu = res.cpu_seconds
            chk = check_solution(inst, res.routes)
            gap = 100 * (chk.distance / b["distance"] - 1)
            verdict = "feasible" if chk.feasible else "INFEASIBLE: " + "; ".join(chk.errors[:2])
            rows.append((inst.name, chk.vehicles, chk.distance, b, gap, res.seconds, chk.feasible))
            print(f"{inst.name:<9}{chk.vehicles:>5}{chk.distance:>10.2f}{b['vehicles']:>8}{b['distance']:>10.2f}"
                  f"{gap:>8.2f}{res.seconds:>6.1f}{cpu:>7.1f}  {verdict}", flush=True)
        summarise(name, rows)
    print(f"suite done, {load()}", flush=True)


def summarise(name: str, rows: list[tuple]) -> None:
    """One set's line against the targets; rows are (name, vehicles, distance, best known, gap %, s, feasible)."""
    if not rows:
        return
    feasible = sum(r[6] for r in rows)
    veh_ok = [r for r in rows if r[6] and r[1] <= r[3]["vehicles"]]
    mean_gap = sum(r[4] for r in rows) / len(rows)
    extra = sum(max(0, r[1] - r[3]["vehicles"]) for r in rows)
    print(f"{name}: {feasible}/{len(rows)} feasible by the checker; {len(veh_ok)}/{len(rows)} with at most the "
          f"best-known vehicles ({extra} vehicles over in all); mean distance gap {mean_gap:.2f}%", end="")
    if name.startswith("solomon"):
        hit = [r for r in veh_ok if r[4] <= SOLOMON_TARGET_GAP]
        missed = ", ".join(r[0] for r in rows if r not in hit) or "none"
        print(f"; target (≤ BKS vehicles, gap ≤ {SOLOMON_TARGET_GAP:g}%) met on {len(hit)}/{len(rows)} "
              f"(missed: {missed})")
    else:
        same = [r[4] for r in rows if r[1] == r[3]["vehicles"]]
        same_s = f"{sum(same) / len(same):.2f}% over the {len(same)} with the same fleet" if same else "none"
        print(f"; {same_s}; target mean gap ≤ {GH_TARGET_MEAN_GAP:g}%: "
              f"{'met' if mean_gap <= GH_TARGET_MEAN_GAP else 'not met'}")


ROW = re.compile(r"^(\S+)\s+(\d+)\s+([\d.]+)\s+(\d+)\s+([\d.]+)\s+(-?[\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\S+)")


def read_tables(paths: list[str]) -> dict[str, list[tuple]]:
    """The instance lines of --suite tables written to files (by parallel parts, or a run cut short), by set."""
    names = {f.stem.upper(): name for name in SUITES for f, _b in suite_instances(name)}
    found: dict[str, dict[str, tuple]] = {name: {} for name in SUITES}
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            m = ROW.match(line)
            if not m or m.group(1).upper() not in names:
                continue
            n, veh, dist, bveh, bdist, gap, wall, _cpu, verdict = m.groups()
            best = {"vehicles": int(bveh), "distance": float(bdist)}
            found[names[n.upper()]][n.upper()] = (n, int(veh), float(dist), best, float(gap), float(wall),
                                                  verdict == "feasible")
    return {name: list(rows.values()) for name, rows in found.items()}


def run_summary(paths: list[str]) -> None:
    tables = read_tables(paths)
    for name, rows in tables.items():
        print(f"{name}: {len(rows)} of {len(suite_instances(name))} instances in {', '.join(paths)}")
        summarise(name, rows)


def jeonju_day(workers: int, visits: int, seed: int) -> tuple[list[DayWorker], list[DayVisit]]:
    rng = random.Random(seed)
    with open(DONGS_CSV, encoding="utf-8") as fh:
        dongs = [(r["dong"], float(r["centroid_lon"]), float(r["centroid_lat"])) for r in csv.DictReader(fh)]
    skills = ["nurse"] * 6 + ["case_manager"] * 3 + ["social_worker"]
    ws = []
    for k in range(workers):
        name, lon, lat = dongs[k % len(dongs)]
        office = Place(key=f"dong:{name}", lon=lon, lat=lat)
        skill = skills[k % len(skills)]
        ws.append(DayWorker(key=f"w{k}", skills=frozenset({skill}), start=office, end=office,
                            shift_start=9 * 3600, shift_end=18 * 3600, break_start=12 * 3600, break_seconds=3600))
    vs = []
    for i in range(visits):
        name, lon, lat = rng.choice(dongs)
        place = Place(key=f"hh:{i}", lon=lon + rng.gauss(0, 0.006), lat=lat + rng.gauss(0, 0.005))
        kind = rng.random()
        early, late = (9 * 3600, 17 * 3600) if kind < 0.6 else ((9 * 3600, 12 * 3600) if kind < 0.8
                                                                 else (13 * 3600, 17 * 3600))
        vs.append(DayVisit(key=f"v{i}", place=place, duration=rng.choice([15, 20, 30, 40]) * 60, earliest=early,
                           latest=late, skill=skills[rng.randrange(len(skills))], mandatory=rng.random() < 0.25,
                           value=rng.choice([1800, 3600, 7200])))
    return ws, vs


# The 14 cities and counties of Jeollabuk-do: the seat of each, rounded to 0.01 degree, and its weight in
# the province day (roughly its share of older residents). Jeonju itself uses its 35 dong centroids.
JEONBUK = [
    ("군산시", 126.74, 35.97, 12), ("익산시", 126.96, 35.95, 13), ("정읍시", 126.86, 35.57, 9),
    ("남원시", 127.39, 35.42, 8), ("김제시", 126.88, 35.80, 8), ("완주군", 127.16, 35.90, 7),
    ("진안군", 127.42, 35.79, 4), ("무주군", 127.66, 36.01, 4), ("장수군", 127.52, 35.65, 3),
    ("임실군", 127.29, 35.62, 4), ("순창군", 127.14, 35.37, 4), ("고창군", 126.70, 35.44, 7),
    ("부안군", 126.73, 35.73, 7),
]


def province_day(workers: int, visits: int, seed: int) -> tuple[list[DayWorker], list[DayVisit]]:
    """A province day: Jeonju (a third of the work, its dongs) and the 13 other cities and counties, each
    area's workers starting from its office and its residents spread ~5 km around the seat."""
    rng = random.Random(seed)
    jeonju_share = 1 / 3
    jw = round(workers * jeonju_share)
    jv = round(visits * jeonju_share)
    ws, vs = jeonju_day(jw, jv, seed)
    total = sum(a[3] for a in JEONBUK)
    # The same 6:3:1 mix as Jeonju's, ordered so that even a county of three has one of each role.
    skills = ["nurse", "case_manager", "social_worker", "nurse", "nurse", "case_manager", "nurse", "nurse",
              "case_manager", "nurse"]
    left_w, left_v = workers - jw, visits - jv
    for a, (name, lon, lat, weight) in enumerate(JEONBUK):
        last = a == len(JEONBUK) - 1
        nw = left_w if last else round((workers - jw) * weight / total)
        nv = left_v if last else round((visits - jv) * weight / total)
        left_w, left_v = left_w - nw, left_v - nv
        office = Place(key=f"office:{name}", lon=lon, lat=lat)
        for k in range(nw):
            ws.append(DayWorker(key=f"{name}-w{k}", skills=frozenset({skills[k % len(skills)]}), start=office,
                                end=office, shift_start=9 * 3600, shift_end=18 * 3600, break_start=12 * 3600,
                                break_seconds=3600))
        for i in range(nv):
            place = Place(key=f"{name}-hh:{i}", lon=lon + rng.gauss(0, 0.05), lat=lat + rng.gauss(0, 0.04))
            kind = rng.random()
            early, late = (9 * 3600, 17 * 3600) if kind < 0.6 else ((9 * 3600, 12 * 3600) if kind < 0.8
                                                                     else (13 * 3600, 17 * 3600))
            vs.append(DayVisit(key=f"{name}-v{i}", place=place, duration=rng.choice([15, 20, 30, 40]) * 60,
                               earliest=early, latest=late, skill=skills[rng.randrange(len(skills))],
                               mandatory=rng.random() < 0.25, value=rng.choice([1800, 3600, 7200])))
    return ws, vs


def worker_area(w: DayWorker) -> str:
    return w.start.key.split(":", 1)[1] if w.start.key.startswith("office:") else "전주시"


def visit_area(v: DayVisit) -> str:
    return v.key.split("-", 1)[0] if "-" in v.key else "전주시"


def report_day(title: str, ws: list[DayWorker], vs: list[DayVisit], limit: float, *, by_area: bool = False) -> None:
    how = "area by area" if by_area else "one model"
    print(f"{title}: {len(ws)} workers, {len(vs)} visits, {how}, limit {limit:g} s, {load()}", flush=True)
    t0, cpu0 = time.perf_counter(), time.process_time()
    if by_area:
        plan = plan_day_by_area(ws, vs, worker_area=worker_area, visit_area=visit_area, time_limit=limit)
    else:
        plan = plan_day(ws, vs, time_limit=limit)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    planned = sum(len(r.stops) for r in plan.routes)
    travel_h = sum(r.travel for r in plan.routes) / 3600
    mandatory = {v.key for v in vs if v.mandatory}
    missed = sorted(k for k in plan.unassigned if k in mandatory)
    reasons: dict[str, int] = {}
    for why in plan.unassigned.values():
        reasons[why] = reasons.get(why, 0) + 1
    missed_why: dict[str, int] = {}
    for k in missed:
        missed_why[plan.unassigned[k]] = missed_why.get(plan.unassigned[k], 0) + 1
    used = sum(1 for r in plan.routes if r.stops)
    # The day planner's limit is wall clock (a user waits for it): on a loaded machine "cpu" shows how much
    # search it actually got.
    print(f"  time to plan {wall:.1f} s ({cpu:.1f} s cpu); planned {planned}, left out {len(plan.unassigned)} {reasons}; "
          f"mandatory left out {len(missed)} of {len(mandatory)} {missed_why}; {used} workers out, "
          f"travel {travel_h:.1f} h; feasible {plan.feasible}", flush=True)


def run_day(args: argparse.Namespace) -> None:
    ws, vs = jeonju_day(args.day_workers, args.day_visits, args.seed)
    report_day("Jeonju day", ws, vs, args.day_limit)
    if args.province_workers:
        ws, vs = province_day(args.province_workers, args.province_visits, args.seed)
        report_day("Province day (전라북도)", ws, vs, args.province_limit, by_area=True)
        if args.province_whole:
            report_day("Province day (전라북도)", ws, vs, args.province_limit)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=100, help="customers per generated instance")
    p.add_argument("--seeds", type=int, nargs="+", default=[1])
    p.add_argument("--time-limit", type=float, default=None,
                   help="seconds per instance (default 10 for generated instances, 60 for --suite)")
    p.add_argument("--ortools", action="store_true", help="also run OR-Tools routing on the generated instances")
    p.add_argument("--skip-generated", action="store_true")
    p.add_argument("--solomon", default="", help="folder of Solomon .txt files with bks.json")
    p.add_argument("--only", nargs="*", default=[], help="Solomon instance names to run")
    p.add_argument("--day-workers", type=int, default=40)
    p.add_argument("--day-visits", type=int, default=600)
    p.add_argument("--day-limit", type=float, default=30.0)
    p.add_argument("--skip-day", action="store_true")
    p.add_argument("--province-workers", type=int, default=None, help="default 200 with --suite, else none")
    p.add_argument("--province-visits", type=int, default=3000)
    p.add_argument("--province-limit", type=float, default=60.0)
    p.add_argument("--province-whole", action="store_true", help="also plan the province day as one model")
    p.add_argument("--suite", action="store_true", help="the benchmark suite instead of generated instances")
    p.add_argument("--sets", nargs="+", choices=sorted(SUITES), default=["solomon2", "gh200", "solomon1"])
    p.add_argument("--every", type=int, default=1, help="run every k-th instance of each set (a subset)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--budget", choices=["auto", "cpu", "wall"], default="auto",
                   help="--suite time limit on this process's CPU time or on the wall clock (auto: CPU time when "
                        "the 1-minute load exceeds the number of cores)")
    p.add_argument("--shard", default="1/1", help="k/n: run the k-th of n interleaved parts of each set, so n "
                                                  "processes can share a suite")
    p.add_argument("--skip-done", nargs="+", default=[], metavar="TABLE",
                   help="--suite: leave out the instances already in these table files (to finish a cut run)")
    p.add_argument("--summary", nargs="+", default=[], metavar="TABLE",
                   help="only print the per-set summaries of --suite tables written to files")
    args = p.parse_args()
    if args.summary:
        run_summary(args.summary)
        return
    if args.time_limit is None:
        args.time_limit = 60.0 if args.suite else 10.0
    if args.province_workers is None:
        args.province_workers = 200 if args.suite else 0
    if args.suite:
        run_suite(args)
    elif not args.skip_generated:
        run_generated(args)
    if args.solomon:
        run_solomon(args)
    if not args.skip_day:
        run_day(args)


if __name__ == "__main__":
    main()
