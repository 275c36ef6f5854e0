"""A deterministic synthetic Jeonju for demos, benchmarks and later issues.

``generate`` draws households and residents as numpy columns (no database); ``write_city`` stores them
in one transaction (SQLite executemany, PostgreSQL COPY); ``demo_cases.seed_demo_cases`` walks a few
hundred of them through the real case services.
"""

from dolbom.registry.synthetic.generator import SyntheticCity, generate

__all__ = ["SyntheticCity", "generate"]
