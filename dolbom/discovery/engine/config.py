"""What the engine takes from the deployment: compiled trees, their cache, the Spark master and memory.

The engine has no Django, so it does not read settings: the discovery app hands DOLBOM_COMPILED_TREES,
DOLBOM_CACHE_DIR, DOLBOM_SPARK_MASTER and DOLBOM_SPARK_DRIVER_MEMORY over at start-up (and again when a test
overrides one), and a script that uses the engine alone (the benchmark) gets the defaults below, which are
the settings' defaults, or calls ``configure``. Spark workers are fresh Python processes: the driver ships
its configuration with the kernel (``spark.py``).
"""

from __future__ import annotations

import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
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


def default_threads() -> int:
    """Every core this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return max(os.cpu_count() or 1, 1)


_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def pool(threads: int) -> ThreadPoolExecutor | None:
    """The engine's workers for ``threads`` at once (None for one: the caller does the work). Kept for the
    life of the process, so that what a worker keeps for itself (its copy of the trees) is made once. A task
    on it must never wait for another task on it."""
    if threads <= 1:
        return None
    with _pools_lock:
        if threads not in _pools:
            _pools[threads] = ThreadPoolExecutor(threads, thread_name_prefix="dolbom-discovery")
        return _pools[threads]
