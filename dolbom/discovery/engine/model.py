"""Gradient-boosted trees (LightGBM) with Platt calibration, versioned as one self-contained artefact.

Households are split by a hash of their id and the seed: 60 % train the trees, 20 % stop the boosting
and fit the calibration, 20 % are held out and are the only ones the metrics are measured on. The split
depends on the id alone, so a household keeps its part when the data grows.

The artefact carries everything needed to score and explain later without the catalogue it was trained
with: the feature names, the reason text of each feature group, the calibration and the metrics. Its
version is a hash of those bytes, so a score can always be traced to the model that made it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import platform
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl
import pyarrow as pa

from dolbom.discovery.catalogue import Catalogue, load_catalogue
from dolbom.discovery.engine import config
from dolbom.discovery.engine.schema import CONTEXT_FEATURES, COUNT_FEATURE, HOUSEHOLD_TYPES

TRAIN, CALIBRATION, TEST = 0, 1, 2
logger = logging.getLogger(__name__)
_COMPILING = threading.Lock()


def split_households(household_ids: np.ndarray | pa.Array | pl.Series, seed: int) -> np.ndarray:
    """TRAIN / CALIBRATION / TEST for each id (60/20/20), from a hash of the id and the seed."""
    ids = np.asarray(household_ids, dtype=np.int64).astype(np.uint64)
    x = ids ^ np.uint64((seed * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)
    # splitmix64 finaliser: neighbouring ids land in unrelated parts.
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    x = x ^ (x >> np.uint64(31))
    u = (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    return np.where(u < 0.6, TRAIN, np.where(u < 0.8, CALIBRATION, TEST)).astype(np.int8)


def auc(y: np.ndarray, s: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half)."""
    y = np.asarray(y, dtype=bool)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    ranks = pl.Series(np.asarray(s, dtype=np.float64)).rank("average").to_numpy()
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def fit_platt(raw: np.ndarray, y: np.ndarray, iterations: int = 50) -> tuple[float, float]:
    """Logistic regression of the label on the raw margin (Newton steps, tiny ridge for stability)."""
    a, b = 1.0, 0.0
    t = np.asarray(y, dtype=np.float64)
    x = np.asarray(raw, dtype=np.float64)
    for _ in range(iterations):
        p = _sigmoid(a * x + b)
        w = p * (1 - p) + 1e-12
        g = np.array([np.sum((p - t) * x) + 1e-6 * a, np.sum(p - t)])
        h = np.array([[np.sum(w * x * x) + 1e-6, np.sum(w * x)], [np.sum(w * x), np.sum(w)]])
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-9:
            break
    return float(a), float(b)


@dataclass(frozen=True)
class ModelArtifact:
    data: bytes
    version: str
    metrics: dict[str, Any]
    feature_names: list[str]


@dataclass
class Model:
    booster: lgb.Booster
    version: str
    feature_names: list[str]
    calibration: tuple[float, float]
    groups: list[str]  # feature index -> reason group (indicator code or context feature)
    reasons: dict[str, Any]  # group -> template, or {value: text} for household_type
    metrics: dict[str, Any] = field(default_factory=dict)
    catalogue_version: str = ""
    household_types: list[str] = field(default_factory=lambda: list(HOUSEHOLD_TYPES))
    data: bytes = b""  # the artefact it was loaded from, e.g. to ship to Spark workers
    compiled: bool = False  # whether predict_raw runs the trees compiled to machine code (lleaves)
    _native: Any = None
    _paths: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    _splits: tuple[list[list[tuple[int, np.ndarray | None, int]]], dict[int, tuple[np.ndarray, bool]]] | None = None
    _per_thread: threading.local = field(default_factory=threading.local)
    _text: str | None = None

    def _booster(self) -> lgb.Booster:
        """This thread's own copy of the booster: LightGBM sets the iterations to predict with on the booster
        itself, so two threads predicting different trees of one booster at once would mix them up."""
        if threading.current_thread() is threading.main_thread():
            return self.booster
        mine = getattr(self._per_thread, "booster", None)
        if mine is None:
            if self._text is None:
                self._text = self.booster.model_to_string()
            mine = self._per_thread.booster = lgb.Booster(model_str=self._text)
        return mine

    def probability(self, raw: np.ndarray) -> np.ndarray:
        a, b = self.calibration
        return _sigmoid(a * raw + b)

    def predict_raw(self, X: np.ndarray, threads: int = 1) -> np.ndarray:
        """The raw margin of every row. Compiled trees give the same sums as LightGBM to ~1e-15; the
        choice is fixed per loaded model, so every engine scoring with it gives identical numbers."""
        if self.compiled and self._native is None:
            with _COMPILING:  # the first batches may arrive from several workers at once: compile once
                if self.compiled and self._native is None:
                    try:
                        self._native = _compile(self)
                    except Exception as e:  # noqa: BLE001 - no LLVM target, an unwritable cache, a broken install
                        logger.warning("compiled trees unavailable (%s: %s); scoring with LightGBM",
                                       type(e).__name__, e)
                        self.compiled = False
        if self.compiled:
            return self._native.predict(np.ascontiguousarray(X, dtype=np.float64), n_jobs=max(threads, 1))
        return self._booster().predict(X, raw_score=True, num_threads=threads)

    @property
    def backend(self) -> str:
        """The tree evaluation in use: "lleaves" (compiled) or "lightgbm"."""
        return "lleaves" if self.compiled else "lightgbm"


    def path_contributions(self, X: np.ndarray) -> np.ndarray:
        """Per-feature contributions along each row's own path through every tree (Saabas): at each split
        the change in the node's value is credited to the split feature. They add up, with the root
        values, to the raw margin exactly; they cost a few table lookups per tree instead of TreeSHAP."""
        return self._path_sum(X, np.arange(len(self.feature_names)), len(self.feature_names))

    def path_group_contributions(self, X: np.ndarray, G: np.ndarray) -> np.ndarray:
        """The same summed per reason group (``G``: features x groups of 0/1, each feature in one group)."""
        return self._path_sum(X, G.argmax(axis=1), G.shape[1])

    def _path_sum(self, X: np.ndarray, group: np.ndarray, width: int, chunk: int = 8192) -> np.ndarray:
        if self._paths is None:
            self._paths = _path_tables(self.booster)
        first, feature, change = self._paths
        out = np.zeros((X.shape[0], width))
        for lo in range(0, X.shape[0], chunk):
            part = X[lo:lo + chunk]
            leaves = self.booster.predict(part, pred_leaf=True, num_threads=1).astype(np.int64).reshape(len(part), -1)
            at = leaves + first  # each row's leaf in every tree, in the flat tables
            rows = np.arange(len(part), dtype=np.int64)[:, None, None]
            index = rows * width + group[feature[at]]
            out[lo:lo + len(part)] = np.bincount(index.ravel(), weights=change[at].ravel(),
                                                 minlength=len(part) * width).reshape(len(part), width)
        return out

    def shap_group_contributions(self, X: np.ndarray, G: np.ndarray) -> np.ndarray:
        """TreeSHAP (LightGBM's own ``pred_contrib``) summed per reason group, computed once per tree and
        distinct *cell* instead of once per tree and row: a tree's contributions to a row depend only on
        which side of each of the model's splits the row falls, and the listed rows fall into a few hundred
        such cells per tree. Identical to ``pred_contrib`` up to float rounding, at a fraction of its cost.
        With ``threads`` > 1 the trees are shared among workers (LightGBM and numpy leave the GIL); their
        contributions are still added up tree by tree in order, so the sums are the same bits."""
        if self._splits is None:
            self._splits = _split_tables(self.booster)
        group = G.argmax(axis=1)
        n, width = X.shape[0], G.shape[1]
        out = np.zeros((n, width))
        if n == 0:
            return out
        trees, cuts = self._splits
        # Each split feature's bin once, among every threshold the model has on it, missing and zero apart
        # (the category itself for a categorical one); each tree then reads its own coarser bin from a table.
        codes: dict[int, np.ndarray] = {}
        radix: dict[int, int] = {}
        for f, (thresholds, categorical) in cuts.items():
            x = np.ascontiguousarray(X[:, f])
            if categorical:  # the category itself (0: missing or negative)
                codes[f] = (np.nan_to_num(x, nan=-1.0) + 1).clip(0).astype(np.int64)
                radix[f] = int(codes[f].max()) + 1
            else:
                codes[f] = np.searchsorted(thresholds, x) * 4 + np.isnan(x) * 2 + (x == 0)
        limit = 8 * n + 4096  # the largest direct table a cell number may index

        def tree(t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
            splits = trees[t]
            if not splits:
                return None
            cell, span = np.zeros(n, dtype=np.int64), 1
            for f, table, size in splits:
                code = codes[f] if table is None else table[codes[f]]
                size = radix[f] if table is None else size
                if span * size > limit:  # number the cells so far 0..m-1 before they outgrow a table
                    cell, span = _dense(cell, span)
                cell = cell * size + code
                span *= size
            first, inverse = _cells(cell, span)
            contrib = self._booster().predict(X[first], pred_contrib=True, start_iteration=t, num_iteration=1,
                                           num_threads=1)
            used = np.array([f for f, _, _ in splits])
            per_group = np.zeros((width, len(first)))
            np.add.at(per_group, group[used], contrib[:, used].T)
            return per_group, inverse, np.unique(group[used])

        totals = np.zeros((width, n))
        for t in range(len(trees)):
            result = tree(t)
            if result is None:
                continue
            per_group, inverse, used_groups = result
            for g in used_groups:
                totals[g] += per_group[g][inverse]
        return totals.T.copy()


def _split_tables(booster: lgb.Booster) -> tuple[list[list[tuple[int, np.ndarray | None, int]]],
                                                  dict[int, tuple[np.ndarray, bool]]]:
    """(per tree, its split features with the table from the model-wide bin of a value to the tree's own
    bin, None for a categorical one, and how many bins the tree has; per split feature, every threshold on
    it ascending and whether it is categorical)."""
    per_tree: list[dict[int, set[float]]] = []
    cuts: dict[int, tuple[set[float], bool]] = {}
    for tree in booster.dump_model()["tree_info"]:
        mine: dict[int, set[float]] = {}
        stack = [tree["tree_structure"]]
        while stack:
            node = stack.pop()
            if "split_feature" not in node:
                continue
            f, categorical = node["split_feature"], node["decision_type"] == "=="
            values, _ = cuts.setdefault(f, (set(), categorical))
            here = mine.setdefault(f, set())
            if not categorical:
                values.add(float(node["threshold"]))
                here.add(float(node["threshold"]))
            stack += [node["left_child"], node["right_child"]]
        per_tree.append(mine)
    every = {f: (np.array(sorted(v)), c) for f, (v, c) in cuts.items()}
    trees = []
    for mine in per_tree:
        splits: list[tuple[int, np.ndarray | None, int]] = []
        for f in sorted(mine):
            thresholds, categorical = every[f]
            if categorical:
                splits.append((f, None, 0))
                continue
            # A value in model-wide bin b lies above thresholds[b - 1]: the tree's thresholds up to that one.
            own = np.array(sorted(mine[f]))
            below = np.concatenate([[0], np.searchsorted(own, thresholds, side="right")])
            table = (below[:, None] * 4 + np.arange(4)).ravel()
            splits.append((f, table, int(table.max()) + 1))
        trees.append(splits)
    return trees, every


def _cells(cell: np.ndarray, span: int) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each distinct value, each row's value number): a direct table when the values are
    few enough, else a sort."""
    if span <= 8 * len(cell) + 4096:
        seen = np.full(span, -1, dtype=np.int64)
        seen[cell[::-1]] = np.arange(len(cell) - 1, -1, -1)  # the first row holding each value wins
        first = seen[seen >= 0]
        number = np.full(span, -1, dtype=np.int64)
        number[cell[first]] = np.arange(len(first))
        return first, number[cell]
    _, first, inverse = np.unique(cell, return_index=True, return_inverse=True)
    return first, inverse


def _dense(cell: np.ndarray, span: int) -> tuple[np.ndarray, int]:
    """The cells numbered 0..m-1 (m distinct values), by a direct table when ``span`` allows."""
    if span <= 8 * len(cell) + 4096:
        number = np.full(span, -1, dtype=np.int64)
        number[cell] = 0
        present = np.flatnonzero(number == 0)
        number[present] = np.arange(len(present))
        return number[cell], len(present)
    values, inverse = np.unique(cell, return_inverse=True)
    return inverse.astype(np.int64), len(values)


def _path_tables(booster: lgb.Booster) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every tree's leaves in one flat table: (first row of each tree, the split features along each leaf's
    path, the change of the node value at each of those splits), paths padded with zero changes."""
    paths: list[list[tuple[int, float]]] = []
    first = []
    for tree in booster.dump_model()["tree_info"]:
        first.append(len(paths))
        leaves: dict[int, list[tuple[int, float]]] = {}
        stack = [(tree["tree_structure"], [])]
        while stack:
            node, path = stack.pop()
            if "leaf_index" in node or "split_feature" not in node:
                leaves[node.get("leaf_index", 0)] = path
                continue
            here = node["internal_value"]
            for side in ("left_child", "right_child"):
                child = node[side]
                value = child["leaf_value"] if "leaf_index" in child else child["internal_value"]
                stack.append((child, [*path, (node["split_feature"], value - here)]))
        paths += [leaves[i] for i in range(len(leaves))]
    depth = max((len(p) for p in paths), default=0) or 1
    feature = np.zeros((len(paths), depth), dtype=np.int64)
    change = np.zeros((len(paths), depth))
    for i, path in enumerate(paths):
        for j, (f, c) in enumerate(path):
            feature[i, j], change[i, j] = f, c
    return np.array(first, dtype=np.int64), feature, change


def compiled_trees_available() -> bool:
    if not config.current().compiled_trees:
        return False
    try:
        import lleaves  # noqa: F401
    except ImportError:
        return False
    return True


def _compile(model: Model) -> Any:
    """lleaves' machine code for the model, cached on disk by model version (compiling takes seconds)."""
    import lleaves

    cache = Path(config.current().cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    text = cache / f"{model.version}.txt"
    if not text.exists():
        tmp = cache / f".{model.version}.{os.getpid()}.txt"
        model.booster.save_model(str(tmp))
        os.replace(tmp, text)
    native = lleaves.Model(model_file=str(text))
    final = cache / f"{model.version}-{platform.machine()}.so"
    if final.exists():
        native.compile(cache=str(final), raw_score=True)
    else:
        # Spark workers may compile the same model at once: each writes its own file, then renames.
        tmp = cache / f".{model.version}.{os.getpid()}.so"
        native.compile(cache=str(tmp), raw_score=True)
        os.replace(tmp, final)
    return native


def _group_of(name: str) -> str:
    if name in CONTEXT_FEATURES or name == COUNT_FEATURE:
        return name
    return name.rsplit("_", 1)[0]


def _reason_texts(catalogue: Catalogue, names: list[str]) -> dict[str, Any]:
    texts: dict[str, Any] = {}
    codes = catalogue.by_code()
    for group in dict.fromkeys(_group_of(n) for n in names):
        if group in codes:
            texts[group] = codes[group].reason
            continue
        rows = [c for c in catalogue.context if c.feature == group]
        if group == "household_type":
            texts[group] = {c.value: c.reason for c in rows}
        elif rows:
            texts[group] = rows[0].reason
    return texts


def _labels_for(features: pl.DataFrame, labels: pl.DataFrame | pa.Table) -> np.ndarray:
    lab = labels if isinstance(labels, pl.DataFrame) else pl.from_arrow(labels)
    assert isinstance(lab, pl.DataFrame)
    joined = features.select("household_id").join(
        lab.select("household_id", pl.col("needs_support").cast(pl.Int8)), on="household_id", how="left")
    y = joined["needs_support"]
    if y.null_count():
        raise ValueError(f"{y.null_count()} households have features but no label")
    return y.to_numpy()


def train_model(features: pl.DataFrame, labels: pl.DataFrame | pa.Table, *, seed: int,
                catalogue: Catalogue | None = None, rounds: int = 300, learning_rate: float = 0.1,
                num_leaves: int = 15, max_depth: int = 4, threads: int = 1) -> ModelArtifact:
    """Train on ``features`` (build_features output) labelled by ``labels`` (household_id,
    needs_support). Metrics are computed on the held-out TEST part only."""
    catalogue = catalogue or load_catalogue()
    # The count of kinds present stays out of the model: it is the baseline rule, and as a feature it
    # took the credit that belongs to the indicators themselves, making every first reason "N kinds".
    names = [c for c in features.columns if c not in ("household_id", COUNT_FEATURE)]
    y = _labels_for(features, labels)
    part = split_households(features["household_id"].to_numpy(), seed)
    X = features.select(names).cast(pl.Float32).to_numpy()
    tr, ca, te = (part == TRAIN), (part == CALIBRATION), (part == TEST)
    if min(y[tr].sum(), y[ca].sum(), y[te].sum()) == 0:
        raise ValueError("each of the train, calibration and test parts needs households that need support")
    params = {
        "objective": "binary", "learning_rate": learning_rate, "num_leaves": num_leaves, "max_depth": max_depth,
        "min_data_in_leaf": 40,
        "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
        "seed": seed, "deterministic": True, "force_col_wise": True, "num_threads": threads, "verbose": -1,
    }
    cat = [names.index("household_type")] if "household_type" in names else []
    dtrain = lgb.Dataset(X[tr], y[tr], feature_name=names, categorical_feature=cat, free_raw_data=True)
    dvalid = lgb.Dataset(X[ca], y[ca], reference=dtrain)
    booster = lgb.train(params, dtrain, num_boost_round=rounds, valid_sets=[dvalid],
                        callbacks=[lgb.early_stopping(30, verbose=False)])
    booster_text = booster.model_to_string(num_iteration=booster.best_iteration or None)
    booster = lgb.Booster(model_str=booster_text)
    a, b = fit_platt(booster.predict(X[ca], raw_score=True, num_threads=threads), y[ca])
    raw_te = booster.predict(X[te], raw_score=True, num_threads=threads)
    p_te = _sigmoid(a * raw_te + b)
    count_te = features[COUNT_FEATURE].to_numpy()[te] if COUNT_FEATURE in features.columns else np.zeros(int(te.sum()))
    eps = 1e-12
    metrics = {
        "evaluated_on": "held-out test households (hash split, 20 %)",
        "n_train": int(tr.sum()), "n_calibration": int(ca.sum()), "n_test": int(te.sum()),
        "prevalence_test": float(y[te].mean()),
        "auc_test": auc(y[te], raw_te),
        "baseline_auc_test": auc(y[te], count_te),
        "brier_test": float(np.mean((p_te - y[te]) ** 2)),
        "log_loss_test": float(-np.mean(y[te] * np.log(p_te + eps) + (1 - y[te]) * np.log(1 - p_te + eps))),
        "trees": booster.num_trees(),
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seed": seed,
    }
    payload = {
        "format": "dolbom-discovery-model/1", "catalogue_version": catalogue.version, "feature_names": names,
        "groups": [_group_of(n) for n in names], "reasons": _reason_texts(catalogue, names),
        "household_types": list(HOUSEHOLD_TYPES), "calibration": [a, b], "metrics": metrics,
        "booster": booster_text,
    }
    digest = hashlib.sha256(json.dumps({k: v for k, v in payload.items() if k != "metrics"},
                                       sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]
    version = f"{catalogue.version}-{digest}"
    payload["version"] = version
    data = json.dumps(payload, ensure_ascii=False).encode()
    return ModelArtifact(data=data, version=version, metrics=metrics, feature_names=names)


def load_model(data: bytes, *, compiled: bool | None = None) -> Model:
    """The model of an artefact. ``compiled`` None: compiled trees when lleaves is installed and the
    configuration allows them (DOLBOM_COMPILED_TREES is not 0)."""
    payload = json.loads(data)
    if payload.get("format") != "dolbom-discovery-model/1":
        raise ValueError("not a dolbom discovery model")
    return Model(
        booster=lgb.Booster(model_str=payload["booster"]), version=payload["version"],
        feature_names=payload["feature_names"], calibration=tuple(payload["calibration"]),  # type: ignore[arg-type]
        groups=payload["groups"], reasons=payload["reasons"], metrics=payload["metrics"],
        catalogue_version=payload["catalogue_version"], household_types=payload["household_types"],
        data=data, compiled=compiled_trees_available() if compiled is None else compiled,
    )
