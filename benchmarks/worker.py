"""`python -m benchmarks.worker REQUEST.json`: time one case's original, converted and reference entries.

Runs in a process of its own (a fresh TensorFlow per case, as a user's program has). The three variants are
measured in turns, round after round, so that load from other processes falls on all three alike; each
figure is the median over the rounds. Prints one JSON line:

    {"call_s": {variant: s}, "xla_s": {variant: s | null}, "xla_blocked": {variant: "Op, ..."},
     "data_eps": {variant: elements/s}, "errors": {...}}
"""
from __future__ import annotations

import importlib.util
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

VARIANTS = ("original", "converted", "reference")
BATCH = 64


def import_file(path: str, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def make_inputs(case: dict, np):
    """One input tuple from the case's specs (sizes already fixed), like ../shared/bench/check_cases.py."""
    from benchmarks.cases import CHECK_CASES
    rng = np.random.default_rng(case.get("seed", 0))
    if CHECK_CASES.exists():
        check_cases = import_file(str(CHECK_CASES), "_check_cases")
        return check_cases.make_inputs(case, rng, np)
    values = []   # the shared checker is absent: uniform values in [low, high)
    for spec in case["inputs"]:
        lo, hi = spec.get("low", -10), spec.get("high", 10)
        if "values" in spec:
            values.append(np.asarray(rng.choice(spec["values"], size=spec["shape"])).astype(spec["dtype"]))
        elif spec["dtype"].startswith("float"):
            values.append(rng.uniform(lo, hi, spec["shape"]).astype(spec["dtype"]))
        elif spec["dtype"] == "bool":
            values.append(rng.random(spec["shape"]) < 0.5)
        else:
            values.append(rng.integers(lo, hi, spec["shape"]).astype(spec["dtype"]))
    return values


def batch_time(fn, args, min_s: float) -> float:
    """Seconds per call, from a batch of calls long enough (>= min_s) for the clock to be trusted."""
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn(*args)
        elapsed = time.perf_counter() - t0
        if elapsed >= min_s or n >= 1 << 16:
            return elapsed / n
        n = max(n * 2, int(n * min_s / max(elapsed, 1e-9)) + 1)


def throughput(dataset, batches: int, warmup: int = 4) -> float:
    """Elements per second of a repeated dataset: a fresh iterator, `warmup` batches untimed (threads start,
    AUTOTUNE settles), then `batches` timed. The iterator ends with the measurement: no pipeline keeps
    running in the background while another variant is timed."""
    import tensorflow as tf
    iterator = iter(dataset)
    for _ in range(warmup):
        next(iterator)
    count, t0 = 0, time.perf_counter()
    for _ in range(batches):
        count += int(tf.nest.flatten(next(iterator))[0].shape[0])
    elapsed = time.perf_counter() - t0
    del iterator
    return count / elapsed


def xla_differs(compiled, plain, random: bool, np, tf) -> str | None:
    """Why the jit_compile=True result is not the tf.function one (shapes; values too unless random)."""
    got, want = tf.nest.flatten(compiled), tf.nest.flatten(plain)
    if len(got) != len(want):
        return f"{len(got)} outputs instead of {len(want)}"
    for a, b in zip(got, want):
        if a.shape != b.shape:
            return f"shape {a.shape.as_list()} instead of {b.shape.as_list()}"
        if not random and a.dtype != tf.string and not np.allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5,
                                                                  equal_nan=True):
            return "different values"
    return None


def main(request_path: str) -> None:
    import logging

    import numpy as np
    import tensorflow as tf
    tf.get_logger().setLevel(logging.ERROR)
    from transpiler.prove.xla import blocking_ops

    request = json.loads(open(request_path).read())
    case, rounds, min_s, elements = request["case"], request["rounds"], request["min_s"], request["elements"]
    modules = {v: import_file(request["files"][v], f"bench_{v}") for v in VARIANTS if request["files"].get(v)}
    entries = {v: getattr(m, case["entry"]) for v, m in modules.items()}
    dtypes = [tf.string if s["dtype"] == "string" else tf.as_dtype(s["dtype"]) for s in case["inputs"]]
    specs = [tf.TensorSpec([None] * len(s["shape"]), d) for s, d in zip(case["inputs"], dtypes)]
    values = make_inputs(case, np)
    args = [tf.constant(v, dtype=d) for v, d in zip(values, dtypes)]
    out = {"call_s": {}, "xla_s": {}, "xla_blocked": {}, "xla_wrong": {}, "data_eps": {}, "errors": {},
           "input_shapes": [list(np.shape(v)) for v in values]}

    graphs, xlas, datasets = {}, {}, {}
    for v, entry in entries.items():
        try:
            graphs[v] = tf.function(entry, input_signature=specs)
            graphs[v](*args)   # trace and warm up
        except Exception as exc:   # noqa: BLE001
            out["errors"][v] = f"{type(exc).__name__}: {str(exc)[:200]}"
            continue
        if tf.string in dtypes:
            # XLA has no string type; trying anyway can abort the process (a CHECK in tensor.cc, seen after
            # an earlier failed compilation of a string function in the same process).
            out["xla_blocked"][v] = "string inputs"
        else:
            try:
                xlas[v] = tf.function(entry, input_signature=specs, jit_compile=True)
                wrong = xla_differs(xlas[v](*args), graphs[v](*args), bool(case.get("stochastic")), np, tf)
                if wrong:   # a compiled function that computes something else is not timed
                    xlas.pop(v)
                    out["xla_wrong"][v] = wrong
            except Exception as exc:   # noqa: BLE001
                xlas.pop(v, None)
                out["xla_blocked"][v] = ", ".join(blocking_ops(str(exc))) or f"{type(exc).__name__}"
        stacked = tuple(tf.constant(np.stack([a] * BATCH), dtype=d) for a, d in zip(values, dtypes))
        datasets[v] = (tf.data.Dataset.from_tensor_slices(stacked).repeat()
                       .map(lambda *a, _f=entry: _f(*a), num_parallel_calls=tf.data.AUTOTUNE)
                       .batch(BATCH))
    samples = {k: {v: [] for v in entries} for k in ("call_s", "xla_s", "data_eps")}
    for _ in range(rounds):
        for v in graphs:
            samples["call_s"][v].append(batch_time(graphs[v], args, min_s))
            if v in xlas:
                samples["xla_s"][v].append(batch_time(xlas[v], args, min_s))
            samples["data_eps"][v].append(throughput(datasets[v], max(1, elements // BATCH)))
    for key, by_variant in samples.items():
        out[key] = {v: statistics.median(xs) if xs else None for v, xs in by_variant.items()}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
