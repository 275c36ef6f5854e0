"""A deterministic synthetic Jeonju for demos, benchmarks and later issues.

``generate`` draws households and residents as numpy columns (no database); ``write_city`` stores them
in one transaction (SQLite executemany, PostgreSQL COPY). The demo cases that walk a few hundred of them
through the case services are the cases app's (``dolbom/cases/demo.py``).
"""

from dolbom.registry.synthetic.generator import SyntheticCity, generate

__all__ = ["SyntheticCity", "generate"]
