"""Configuration in one place: settings reads the environment, the README lists it, the code reads settings."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from dolbom.checkins.dialogue.llm import LLMConfig
from dolbom.discovery.engine import config as engine_config
from dolbom.discovery.engine.model import compiled_trees_available

PACKAGE = Path(__file__).resolve().parents[1]
README = PACKAGE.parent / "README.md"

# Environment plumbing, not dolbom's configuration: where a variable may still be touched outside settings.
ALLOWED = {
    ("cli.py", "DJANGO_SETTINGS_MODULE"), ("manage.py", "DJANGO_SETTINGS_MODULE"), ("wsgi.py", "DJANGO_SETTINGS_MODULE"),
    # The JVM's and PySpark's own variables (see the comments there).
    ("discovery/engine/spark.py", "JAVA_HOME"), ("discovery/engine/spark.py", "PYSPARK_PYTHON"),
    ("discovery/engine/spark.py", "PYSPARK_DRIVER_PYTHON"),
    # Set by spark-submit when the JVM starts the driver: read only to know who owns the session's settings.
    ("discovery/engine/spark.py", "PYSPARK_GATEWAY_PORT"),
    # Django's own switch for the browser tests' Playwright thread.
    ("testing/browser.py", "DJANGO_ALLOW_ASYNC_UNSAFE"),
}


def _environment_uses(tree: ast.AST) -> list[str]:
    """The variable named at each os.environ / os.getenv use ("?" where it is not a literal)."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "os" and \
                {a.name for a in node.names} & {"environ", "getenv"}:
            names.append("?")  # from os import environ: every later use would hide from this test
            continue
        if not (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
                and isinstance(node.value, ast.Name) and node.value.id == "os"):
            continue
        up = parents.get(node)
        if isinstance(up, ast.Attribute):  # os.environ.get(...), .setdefault(...), .pop(...)
            up = parents.get(up)
        key = None
        if isinstance(up, ast.Call) and up.args and isinstance(up.args[0], ast.Constant):
            key = up.args[0].value
        elif isinstance(up, ast.Subscript) and isinstance(up.slice, ast.Constant):
            key = up.slice.value
        elif isinstance(up, ast.Compare) and isinstance(up.left, ast.Constant):  # "X" in os.environ
            key = up.left.value
        names.append(str(key) if key else "?")
    return names


def test_the_scan_sees_every_way_of_reading_the_environment():
    source = 'import os\nos.environ.get("A")\nos.environ["B"]\nos.getenv("C")\n"D" in os.environ\nos.environ\n'
    assert sorted(_environment_uses(ast.parse(source))) == ["?", "A", "B", "C", "D"]
    assert _environment_uses(ast.parse("from os import environ\n")) == ["?"]


def test_no_code_but_settings_reads_the_environment():
    offending = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "settings.py" or "/tests/" in f"/{rel}" or rel.endswith("conftest.py") or "/migrations/" in rel:
            continue
        for name in _environment_uses(ast.parse(path.read_text(encoding="utf-8"))):
            if (rel, name) not in ALLOWED:
                offending.append(f"{rel}: {name}")
    assert offending == []


def test_every_variable_settings_reads_is_in_the_readme_table():
    source = (PACKAGE / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""os\.environ\.get\(\s*["']([A-Z0-9_]+)["']""", source))
    read |= set(re.findall(r"""_seconds\(\s*["']([A-Z0-9_]+)["']""", source))
    assert {"DATABASE_URL", "DOLBOM_DATA_DIR", "DOLBOM_LLM_URL", "DOLBOM_MESSAGE_BACKEND"} <= read
    configuration = README.read_text(encoding="utf-8").split("## Configuration", 1)[1]
    table = {name for row in configuration.splitlines() if row.startswith("| `")
             for name in re.findall(r"`([A-Z0-9_]+)`", row.split("|")[1])}
    assert sorted(read - table) == []


def test_the_discovery_engine_follows_the_settings(settings, tmp_path):
    settings.DOLBOM_CACHE_DIR = tmp_path
    settings.DOLBOM_SPARK_MASTER = "spark://cluster:7077"
    assert engine_config.current().cache_dir == tmp_path
    assert engine_config.current().spark_master == "spark://cluster:7077"
    settings.DOLBOM_COMPILED_TREES = False
    assert compiled_trees_available() is False


def test_the_check_in_language_model_is_configured_by_settings(settings):
    settings.DOLBOM_LLM_URL, settings.DOLBOM_LLM_MODEL = "", "m"
    assert LLMConfig.from_settings() is None
    settings.DOLBOM_LLM_URL = " http://127.0.0.1:11434/v1/ "
    settings.DOLBOM_LLM_KEY, settings.DOLBOM_LLM_TIMEOUT = "k", 2.5
    assert LLMConfig.from_settings() == LLMConfig(url="http://127.0.0.1:11434/v1", model="m", key="k", timeout=2.5)


def test_postgresql_connections_run_without_jit_and_keep_the_url_options():
    # A page query whose estimate passes jit_above_cost spent 40 ms compiling for a 30 ms scan (bench/load.py):
    # every installation's connections get jit=off, whatever the server's postgresql.conf says.
    url = "postgres://u@127.0.0.1:5432/db?options=-c%20statement_timeout%3D5000"
    out = subprocess.run(
        [sys.executable, "-c", "import json, dolbom.settings as s; print(json.dumps(s.DATABASES['default']['OPTIONS']))"],
        env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, check=True).stdout
    options = json.loads(out.strip().splitlines()[-1])["options"]
    assert "-c jit=off" in options and "statement_timeout=5000" in options
