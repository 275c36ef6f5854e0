"""Vehicle routing with time windows, with no Django: the Solomon format, an independent checker,
an instance generator, a baseline heuristic and the solver used for the daily visit plan."""

from dolbom.visits.solver.checker import CheckResult, check_solution
from dolbom.visits.solver.instance import Instance
from dolbom.visits.solver.solomon import read_solomon, write_solomon

__all__ = ["CheckResult", "Instance", "check_solution", "read_solomon", "write_solomon"]
