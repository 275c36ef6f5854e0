"""Reader and writer of Solomon's VRPTW text format (name, VEHICLE section, CUSTOMER table)."""

from __future__ import annotations

from pathlib import Path

from dolbom.visits.solver.instance import Instance


class SolomonFormatError(ValueError):
    pass


def parse_solomon(text: str) -> Instance:
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    if not lines:
        raise SolomonFormatError("empty file")
    name = lines[0]
    try:
        vi = next(i for i, ln in enumerate(lines) if ln.upper().startswith("VEHICLE"))
        vehicles_s, capacity_s = lines[vi + 2].split()[:2]
        ci = next(i for i, ln in enumerate(lines) if ln.upper().startswith("CUSTOMER"))
    except (StopIteration, IndexError, ValueError) as exc:
        raise SolomonFormatError("missing VEHICLE or CUSTOMER section") from exc
    rows: list[list[float]] = []
    for ln in lines[ci + 1:]:
        parts = ln.split()
        try:
            values = [float(p) for p in parts]
        except ValueError:
            continue  # the column header line
        if len(values) < 7:
            raise SolomonFormatError(f"short customer row: {ln!r}")
        rows.append(values[:7])
    if not rows or int(rows[0][0]) != 0:
        raise SolomonFormatError("the first customer row must be the depot (number 0)")
    for k, r in enumerate(rows):
        if int(r[0]) != k:
            raise SolomonFormatError(f"customers must be numbered 0..n in order (row {k} has {int(r[0])})")
    return Instance(
        name=name, vehicles=int(float(vehicles_s)), capacity=int(float(capacity_s)),
        x=tuple(r[1] for r in rows), y=tuple(r[2] for r in rows), demand=tuple(int(r[3]) for r in rows),
        ready=tuple(r[4] for r in rows), due=tuple(r[5] for r in rows), service=tuple(r[6] for r in rows),
    )


def read_solomon(path: str | Path) -> Instance:
    return parse_solomon(Path(path).read_text(encoding="utf-8"))


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.4f}".rstrip("0")


def format_solomon(instance: Instance) -> str:
    out = [instance.name, "", "VEHICLE", "NUMBER     CAPACITY", f"{instance.vehicles:>5}{instance.capacity:>13}", "",
           "CUSTOMER",
           "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME", ""]
    for i in range(len(instance.x)):
        out.append(f"{i:>5}{_num(instance.x[i]):>11}{_num(instance.y[i]):>11}{instance.demand[i]:>11}"
                   f"{_num(instance.ready[i]):>11}{_num(instance.due[i]):>11}{_num(instance.service[i]):>11}")
    return "\n".join(out) + "\n"


def write_solomon(instance: Instance, path: str | Path) -> None:
    Path(path).write_text(format_solomon(instance), encoding="utf-8")


def format_routes(routes: list[list[int]]) -> str:
    return "".join(f"Route {k}: {' '.join(str(c) for c in r)}\n" for k, r in enumerate((r for r in routes if r), 1))


def parse_routes(text: str) -> list[list[int]]:
    routes = []
    for ln in text.splitlines():
        if ln.strip().lower().startswith("route") and ":" in ln:
            routes.append([int(t) for t in ln.split(":", 1)[1].split()])
    return routes
