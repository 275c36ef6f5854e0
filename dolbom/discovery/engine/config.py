"""What the engine takes from the deployment: compiled trees, their cache, the Spark master and memory.

The engine has no Django, so it does not read settings: the discovery app hands DOLBOM_COMPILED_TREES,
DOLBOM_CACHE_DIR, DOLBOM_SPARK_MASTER and DOLBOM_SPARK_DRIVER_MEMORY over at start-up (and again when a test
overrides one), and a script that uses the engine alone (the benchmark) gets the defaults below, which are
the settings' defaults, or calls ``configure``. Spark workers are fresh Python processes: the driver ships
its configuration with the kernel (``spark.py``).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class EngineConfig:
    compiled_trees: bool = True  # use lleaves when it is installed
    cache_dir: Path = Path(tempfile.gettempdir()) / "dolbom-discovery"
    spark_master: str = "local[2]"
    spark_driver_memory: str = "2g"


_current = EngineConfig()


def current() -> EngineConfig:
    return _current


def configure(**changes: Any) -> EngineConfig:
    """Change some of the values (``configure(cache_dir=path)``); returns the configuration now in force."""
    global _current
    _current = replace(_current, **changes)
    return _current


def use(config: EngineConfig) -> None:
    """Put a whole configuration in force (a Spark worker, with the driver's)."""
    global _current
    _current = config
