"""Distributional verification: for a replacement that draws random numbers, compare distributions, not values.

A replacement holding TF random ops (opmap/random_ops.py) cannot return the original's values: the streams
differ. For each generated input, the original is called DRAWS times and the replacement DRAWS times (eager
and traced alternately), and the two samples must be indistinguishable:

* structure, exactly: every draw of the replacement has the original's output structure, dtypes and shapes
  (and raises where the original always raises); where the original's structure itself varies, the two
  frequencies of structures are compared like any discrete outcome;
* discrete outcomes (integer, boolean and string elements, and float elements that take few values, such
  as an output that is either flipped or not): the support, each value the replacement draws must be one
  the original draws, and vice versa, with matching frequencies; per element and for the joint outcome of
  all discrete elements (which catches independent draws where the original makes one);
* continuous elements: two-sample tests per element on ranks (location, spread, Kolmogorov-Smirnov),
  averaged over the elements;
* freshness: where the original varies, the eager and the traced replacement each vary too (a draw frozen
  into a constant fails here).

Elements of one draw are dependent (one random scale for a whole output), so the statistics are calibrated
by permutation: the labels original/replacement are shuffled over whole draws, which keeps each draw's
dependence intact and makes the null distribution exact. A statistic fails when it exceeds every permuted
value and a scaled chi-square fitted to the permuted ones puts it beyond p = P_FAIL.
"""
from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field

import numpy as np

from .checker import ExampleChecker, Failure, Outcome, _as_outcome, call, same_inputs
from .compare import TOLERANCES
from .describe import describe_array
from .subjects import to_tensors

DRAWS = 200               # draws of each side per input
PERMUTATIONS = 200        # relabelings that calibrate each statistic
P_FAIL = 1e-6             # per statistic and input: many inputs and statistics are checked, false alarms stay rare
MAX_COLUMNS = 256         # output elements tested per kind (evenly spread over the outputs)
MAX_EXAMPLES = 20         # generated inputs: each costs 2 * DRAWS calls
_DENSE_COUNTS = 4_000_000  # draws x categories up to which _test_discrete counts with one matrix product
BATCH = 50                # draws of the traced original per graph execution (tracing costs ~3 ms per call in it)
DISCRETE_SHARE = 0.5      # an element is discrete when its pooled draws take at most this share of distinct values
FROZEN_MAX_SHARE = 0.8    # the original's commonest outcome below this share: a replacement mode that never varies fails

# Op types that draw random numbers (stateful, or stateless fed by a stateful seed).
# "Stateful" alone would also match StatefulPartitionedCall (any call of a function with state, e.g. a
# tf.while_loop carrying a TensorArray), which draws nothing
_RANDOM_OP_PREFIXES = ("Random", "StatefulRandom", "StatefulStandardNormal", "StatefulTruncatedNormal",
                       "StatefulUniform", "StatelessRandom", "StatelessMultinomial", "StatelessParameterized",
                       "StatelessTruncated")
_RANDOM_OPS = {"Multinomial", "TruncatedNormal", "ParameterizedTruncatedNormal", "RngReadAndSkip",
               "RngSkip", "StatelessRandomUniformFullInt"}

ASSUMPTION = ("checked distributionally (the replacement draws random numbers): {draws} draws of the original and "
              "{draws} of the replacement per input, eager and traced; output structure, dtypes and shapes "
              "exactly, discrete outcomes by support and frequency, continuous ones by rank tests "
              "(permutation-calibrated, p < {p:g}), and fresh values on every call")


def has_random_ops(traced_fn) -> bool:
    """Whether the traced replacement's graph (and the functions it calls: cond/while branches) draws."""
    try:
        concrete = traced_fn.get_concrete_function()
    except Exception:
        return False
    types = {op.type for op in concrete.graph.get_operations()}
    for f in concrete.graph.as_graph_def().library.function:
        types |= {n.op for n in f.node_def}
    return any(t in _RANDOM_OPS or t.startswith(_RANDOM_OP_PREFIXES) for t in types)


# -- the checker -------------------------------------------------------------------------------------------------

class DistributionChecker(ExampleChecker):
    """ExampleChecker whose check() compares DRAWS calls of each side instead of one."""

    def __init__(self, subjects, signature, deadline_s: float = 60.0, started: float | None = None,
                 draws: int = DRAWS):
        super().__init__(subjects, signature)
        self.draws = draws
        self.stop_at = (started or time.monotonic()) + 0.6 * deadline_s
        self.skipped_for_time = 0
        self._batched = None    # the traced original's draws in one graph (_batched_calls), False where not
        # Each replacement's one concrete function, called directly: the graph that every call with the input
        # signature runs, without the argument binding of a call through tf.function (a third of a call's time).
        # The generated replacement declares its input_signature; one that does not is called as it is.
        self._eager = _concrete(subjects.replacement_eager)
        self._traced = _concrete(subjects.replacement_traced)

    def check(self, inputs) -> None:
        if self.failure is not None:
            # no shrinking: every candidate passes, and the final replay of the failure fails again
            if same_inputs(inputs, self.failure.inputs):
                self.raise_failure()
            return
        if self.examples_run and time.monotonic() > self.stop_at:
            self.skipped_for_time += 1
            return
        self.examples_run += 1
        tensors = to_tensors(inputs, self.signature)
        originals = self._original_draws(tensors)
        modes = ["eager" if i % 2 == 0 else "traced" for i in range(self.draws)]
        fns = {"eager": self._eager, "traced": self._traced}
        replacements = [call(fns[m], tensors) for m in modes]
        ok = [o for o in originals if o.outputs is not None]
        self.original_successes += len(ok)
        if not ok and self.first_original_error is None:
            self.first_original_error = originals[0].error
        finding = compare_draws(originals, replacements, modes)
        if finding is not None:
            reason, index = finding
            shown_original = next((o for o in originals if o.outputs is not None), originals[0])
            self.failure = Failure(inputs, shown_original, replacements[index], "distributional", reason)
            self.raise_failure()


    def _original_draws(self, tensors) -> list[Outcome]:
        """`draws` calls of the traced original. Where it can, a graph holds BATCH of them, each call after the
        previous one (control dependencies: the same sequence of calls of the user's function as one call per
        draw, without the overhead of a graph execution per draw); where that graph raises (a draw of the
        original raises), or the reference is not traced, one call per draw gives each draw's own outcome."""
        if self._batched is None:
            traced = self.subjects.reference is not self.subjects.original_eager
            self._batched = traced and _batched_calls(self.subjects.original_eager, self.signature,
                                                      min(BATCH, self.draws))
        if self._batched:
            outcomes: list[Outcome] = []
            try:
                while len(outcomes) < self.draws:
                    outcomes += [_as_outcome(r) for r in self._batched(*tensors)]
            except Exception:   # noqa: BLE001 - some draw raised: find out which, one call at a time
                pass
            else:
                return outcomes[:self.draws]
        return [call(self.subjects.reference, tensors) for _ in range(self.draws)]


def _concrete(fn):
    if getattr(fn, "input_signature", None) is None:
        return fn
    try:
        return fn.get_concrete_function()
    except Exception:   # noqa: BLE001 - a replacement that does not trace raises on every call instead
        return fn


def _batched_calls(original_call, signature: list, draws: int):
    """A tf.function that calls `original_call` `draws` times in sequence and returns every result, or None
    where it cannot be traced."""
    import tensorflow as tf

    from .subjects import tf_dtype

    specs = [tf.TensorSpec([None] * len(dims), tf_dtype(dtype)) for dtype, dims in signature]

    def calls(*args):
        results, previous = [], []
        for _ in range(draws):
            with tf.control_dependencies(previous):
                result = original_call(*args)
            previous = [t for t in tf.nest.flatten(result) if isinstance(t, tf.Tensor)]
            results.append(result)
        return results
    traced = tf.function(calls, input_signature=specs, autograph=False)
    try:
        traced.get_concrete_function()
    except Exception:   # noqa: BLE001 - one call per draw then
        return None
    return traced


def finish_verdict(verdict: dict, checker: DistributionChecker) -> dict:
    """The verdict of a distributional check says so: `comparison`, its message and an assumption."""
    verdict["comparison"] = "distributional"
    verdict["draws"] = checker.draws
    if verdict.get("status") == "passed":
        n = checker.examples_run
        verdict["message"] = (f"checked distributionally on {n} input{'s' if n != 1 else ''} ({checker.draws} draws "
                              f"of each side per input, eager and traced): same structure, dtypes and shapes on "
                              f"every draw, same support and distribution, fresh on every call"
                              + (f"; {checker.skipped_for_time} further generated inputs skipped for time"
                                 if checker.skipped_for_time else ""))
    if verdict.get("status") in ("passed", "failed"):
        verdict.setdefault("assumptions", [])
        verdict["assumptions"] = list(verdict["assumptions"]) + [ASSUMPTION.format(draws=checker.draws, p=P_FAIL)]
    if verdict.get("counterexample"):
        verdict["counterexample"]["mode"] = "distributional"
    return verdict


# -- comparing two samples of outcomes ----------------------------------------------------------------------------

def _structure(o: Outcome):
    if o.outputs is None:
        return ("raised",)
    return (o.outputs.is_sequence,) + tuple((dt, a.shape) for a, dt in zip(o.outputs.arrays, o.outputs.dtypes))


def _show_structure(s) -> str:
    if s == ("raised",):
        return "raises"
    outs = [f"{dt}{list(shape)}" for dt, shape in s[1:]]
    return ("(" + ", ".join(outs) + ")") if s[0] else outs[0]


def compare_draws(originals: list[Outcome], replacements: list[Outcome], modes: list[str]):
    """None when the replacement's draws are indistinguishable from the original's, else (reason, index of a
    replacement draw that shows it)."""
    so = [_structure(o) for o in originals]
    sc = [_structure(c) for c in replacements]
    kinds_o = set(so)
    if len(kinds_o) == 1:
        only = so[0]
        for i, s in enumerate(sc):
            if s != only:
                what = replacements[i].error if s == ("raised",) else _show_structure(s)
                return (f"the {modes[i]} replacement {'raised (' + str(what) + ')' if s == ('raised',) else 'returned ' + what} "
                        f"where the original {'raises' if only == ('raised',) else 'returns ' + _show_structure(only)} "
                        f"on every one of {len(originals)} draws"), i
        if only == ("raised",):
            return None
    else:
        keys = {s: k for k, s in enumerate(sorted(kinds_o | set(sc), key=repr))}
        ids = np.array([keys[s] for s in so + sc])[:, None]
        found = _test_discrete(ids, len(so), "the output structure (or raising)")
        if found:
            return found[0], 0
        if len(kinds_o) > 1:
            return None  # values of outputs whose shapes vary are not aligned element by element
    n_o = len(originals)
    table = _Table.build([o.outputs for o in originals] + [c.outputs for c in replacements])
    frozen = _frozen(table, n_o, modes)
    if frozen:
        return frozen
    return table.test(n_o)


def _frozen(table: "_Table", n_o: int, modes: list[str]):
    rows = table.joint_rows()
    orig = rows[:n_o]
    _, counts = np.unique(orig, axis=0, return_counts=True)
    if counts.max() > FROZEN_MAX_SHARE * n_o:
        return None
    for mode in ("eager", "traced"):
        idx = [n_o + i for i, m in enumerate(modes) if m == mode]
        if len(idx) > 1 and np.all(rows[idx] == rows[idx[0]]):
            return (f"the {mode} replacement returns the same value on every one of its {len(idx)} calls where the "
                    f"original varies: a random draw froze into a constant", idx[0] - n_o)
    return None


@dataclass
class _Table:
    """Draws as a matrix: one row per draw (originals first), one column per output element."""
    values: np.ndarray                 # float64 (N, J), or object for strings
    kinds: list[str]                   # per column: "f" (float, with tolerance), "x" (exact)
    tol: list[tuple[float, float]]
    where: list[tuple[int, tuple]]     # per column: (output index, element index)
    sequence: bool
    cat: np.ndarray = field(default=None)   # category ids per column (N, J)

    @classmethod
    def build(cls, outputs):
        first = outputs[0]
        cols, kinds, tol, where = [], [], [], []
        for k, (a, dt) in enumerate(zip(first.arrays, first.dtypes)):
            stacked = np.stack([np.asarray(o.arrays[k]) for o in outputs]).reshape(len(outputs), -1)
            n = stacked.shape[1]
            if n == 0:
                continue
            if dt == "string" or stacked.dtype == object:
                cols.append(np.array([[bytes(v) if isinstance(v, (bytes, bytearray)) else str(v).encode()
                                       for v in row] for row in stacked], dtype=object))
                kinds += ["s"] * n
                tol += [(0.0, 0.0)] * n
            elif dt.startswith("complex"):
                for part in (stacked.real, stacked.imag):
                    cols.append(part.astype(np.float64))
                    kinds += ["f"] * n
                    tol += [TOLERANCES.get(dt.replace("complex64", "float32").replace("complex128", "float64"),
                                           (0.0, 0.0))] * n
                where += [(k, np.unravel_index(j, a.shape)) for j in range(n)]
            else:
                cols.append(stacked.astype(np.float64))
                kinds += ["f" if dt in TOLERANCES else "x"] * n
                tol += [TOLERANCES.get(dt, (0.0, 0.0))] * n
            where += [(k, tuple(int(i) for i in np.unravel_index(j, a.shape))) for j in range(n)]
        if cols and any(c.dtype == object for c in cols):
            values = np.concatenate([c.astype(object) for c in cols], axis=1)
        elif cols:
            values = np.concatenate(cols, axis=1)
        else:
            values = np.zeros((len(outputs), 0))
        table = cls(values, kinds, tol, where, first.is_sequence)
        table.cat = table._categories()
        return table

    def _categories(self) -> np.ndarray:
        n, j = self.values.shape
        cat = np.zeros((n, j), dtype=np.int64)
        for c in range(j):
            v = self.values[:, c]
            if self.kinds[c] == "s":
                _, cat[:, c] = np.unique(v.astype(bytes), return_inverse=True)
                continue
            v = v.astype(np.float64)
            nan = np.isnan(v)
            key = np.where(nan, np.inf, v)
            order = np.argsort(key, kind="stable")
            s = key[order]
            rtol, atol = self.tol[c]
            with np.errstate(invalid="ignore"):
                gap = np.diff(s) > (atol + rtol * np.abs(s[1:])) if self.kinds[c] == "f" else np.diff(s) != 0
            gap = np.where(np.isnan(np.diff(s)), False, gap)
            ids = np.concatenate([[0], np.cumsum(gap)])
            out = np.empty(n, dtype=np.int64)
            out[order] = ids
            out[nan] = ids[-1] + 1 if n else 0
            cat[:, c] = out
        return cat

    def joint_rows(self) -> np.ndarray:
        return self.cat

    def describe(self, c: int) -> str:
        k, index = self.where[c]
        out = f"output {k} " if self.sequence else ""
        return f"{out}element {list(index)}".strip()

    def test(self, n_o: int):
        n, j = self.cat.shape
        if j == 0:
            return None
        distinct = np.array([len(np.unique(self.cat[:, c])) for c in range(j)])
        discrete = np.flatnonzero(distinct <= max(2, DISCRETE_SHARE * n / 2))
        continuous = np.flatnonzero(distinct > max(2, DISCRETE_SHARE * n / 2))
        if discrete.size:
            cols = _spread(discrete)
            found = _test_discrete(self.cat[:, cols], n_o, None)
            if found:
                return self._discrete_reason(found, cols, n_o)
            _, joint = np.unique(self.cat[:, discrete], axis=0, return_inverse=True)
            if len(np.unique(joint)) <= DISCRETE_SHARE * n / 2 and discrete.size > 1:
                found = _test_discrete(joint.reshape(-1, 1), n_o, "the joint outcome of the discrete elements")
                if found:
                    return found[0], int(found[1]) if found[1] is not None else 0
        if continuous.size:
            cols = _spread(continuous)
            found = _test_continuous(self.values[:, cols].astype(np.float64), n_o)
            if found:
                stat, column, detail = found
                c = cols[column]
                return (f"the replacement's draws differ in distribution from the original's ({stat}, worst at "
                        f"{self.describe(c)}: {detail})"), 0
        return None

    def _discrete_reason(self, found, cols, n_o):
        reason, row, column, category = found
        c = cols[column]
        v = self.values[row, c]
        mine = int(np.sum(self.cat[n_o:, c] == category))
        theirs = int(np.sum(self.cat[:n_o, c] == category))
        n_c = self.cat.shape[0] - n_o
        shown = repr(v.item() if isinstance(v, np.generic) else v)
        if theirs == 0:
            what = (f"the replacement draws {shown} at {self.describe(c)} ({mine} of {n_c} draws), a value the "
                    f"original never gives in {n_o} draws")
        elif mine == 0:
            what = (f"the replacement never draws {shown} at {self.describe(c)}, which the original gives in "
                    f"{theirs} of {n_o} draws")
        else:
            what = (f"{shown} at {self.describe(c)} is drawn {mine} times in {n_c} by the replacement, "
                    f"{theirs} in {n_o} by the original")
        return f"{reason}: {what}", max(0, row - n_o)


def _spread(cols: np.ndarray) -> np.ndarray:
    if cols.size <= MAX_COLUMNS:
        return cols
    return cols[np.linspace(0, cols.size - 1, MAX_COLUMNS).round().astype(int)]


@functools.lru_cache(maxsize=8)
def _labelings(n: int, n_o: int) -> np.ndarray:
    """The observed labeling (replacement = True) first, then PERMUTATIONS shuffled ones (fixed seed: verdicts
    repeat; the same for every input and test of a site, so computed once)."""
    rng = np.random.default_rng(20240611)
    observed = np.zeros(n, dtype=bool)
    observed[n_o:] = True
    labels = np.stack([observed] + [rng.permutation(observed) for _ in range(PERMUTATIONS)])
    labels.flags.writeable = False
    return labels


def _significant(stats: np.ndarray) -> float | None:
    """p-value of stats[0] against the permuted stats[1:] (a scaled chi-square fitted by moments), or None when
    the observed value does not exceed every permuted one."""
    obs, perm = stats[0], stats[1:]
    if not obs > perm.max():
        return None
    mean, var = perm.mean(), perm.var()
    if var <= 0 or mean <= 0:
        return 0.0
    g = var / (2 * mean)
    h = 2 * mean * mean / var
    return _chi2_sf(obs / g, h)


def _chi2_sf(x: float, k: float) -> float:
    """Upper tail of a chi-square with k degrees of freedom (Wilson-Hilferty; ample for a threshold)."""
    if x <= 0:
        return 1.0
    z = ((x / k) ** (1 / 3) - (1 - 2 / (9 * k))) / math.sqrt(2 / (9 * k))
    return 0.5 * math.erfc(z / math.sqrt(2))


def _test_discrete(cat: np.ndarray, n_o: int, what: str | None):
    """Frequencies of categories, per column, original vs replacement: a chi-square-like distance averaged over
    columns. Returns None, or (reason, row, column, category) of the most unbalanced category."""
    n, j = cat.shape
    offsets = np.concatenate([[0], np.cumsum(cat.max(axis=0) + 1)[:-1]])
    gid = cat + offsets
    size = int(gid.max()) + 1
    labels = _labelings(n, n_o)
    total = np.bincount(gid.ravel(), minlength=size).astype(np.float64)
    n_c = labels.sum(axis=1, keepdims=True).astype(np.float64)
    if n * size <= _DENSE_COUNTS:
        # every labeling's counts at once: labels (L, n) @ per-draw category counts (n, size), exact in float64
        per_draw = np.zeros((n, size))
        np.add.at(per_draw, (np.repeat(np.arange(n), j), gid.ravel()), 1.0)
        mine = labels.astype(np.float64) @ per_draw
    else:
        mine = np.stack([np.bincount(gid[lab].ravel(), minlength=size) for lab in labels]).astype(np.float64)
    theirs = total - mine
    # scaled to equal sample sizes (they are equal unless some draws raised)
    d = mine / n_c - theirs / (n - n_c)
    stats = np.sum(d * d / np.maximum(total, 1), axis=1) * n / max(j, 1)
    p = _significant(stats)
    if p is None or p > P_FAIL:
        return None
    mine = np.bincount(gid[n_o:].ravel(), minlength=size).astype(np.float64)
    theirs = total - mine
    imbalance = np.abs(mine / (n - n_o) - theirs / n_o) * np.sqrt(1 / np.maximum(total, 1)) + \
        ((mine > 0) & (theirs == 0)) * 1.0
    g = int(np.argmax(imbalance))
    column = int(np.searchsorted(offsets, g, side="right") - 1)
    category = g - int(offsets[column])
    rows = np.flatnonzero(cat[:, column] == category)
    row = int(rows[rows >= n_o][0]) if np.any(rows >= n_o) else int(rows[0])
    reason = f"{what or 'the discrete outcomes'} differ in support or frequency (p < {max(p, 1e-300):.1g})"
    if what is not None:
        return reason, max(0, row - n_o)
    return reason, row, column, category


def _ranks(v: np.ndarray) -> np.ndarray:
    order = np.argsort(v, axis=0, kind="stable")
    ranks = np.empty_like(order, dtype=np.float64)
    np.put_along_axis(ranks, order, np.arange(v.shape[0], dtype=np.float64)[:, None].repeat(v.shape[1], 1), axis=0)
    return ranks


def _test_continuous(values: np.ndarray, n_o: int):
    """Rank tests per column (location, spread, Kolmogorov-Smirnov), each averaged over columns and calibrated by
    permutation. Returns None, or (which statistic, worst column, a description of it)."""
    n, j = values.shape
    v = np.where(np.isnan(values), np.inf, values)  # NaN as the largest value: an atom like any other
    loc = _ranks(v)
    with np.errstate(invalid="ignore"):
        med = np.median(v, axis=0)
        dev = np.abs(v - med)
    spread = _ranks(np.where(np.isnan(dev), np.inf, dev))
    order = np.argsort(v, axis=0, kind="stable")
    labels = _labelings(n, n_o)
    lab_f = labels.astype(np.float64)
    n_c = labels[0].sum()
    per_column = {}
    results = {}
    for name, r in (("location", loc), ("spread", spread)):
        centred = (r - (n - 1) / 2) / n
        d = (lab_f @ centred) / n_c - ((1 - lab_f) @ centred) / (n - n_c)   # (perms, columns)
        per_column[name] = np.abs(d[0])
        results[name] = np.mean(d * d, axis=1)
    ks = np.empty((len(labels), j))
    steps = np.arange(1, n + 1, dtype=np.float64)[:, None]
    for i, lab in enumerate(labels):
        cum = np.cumsum(lab[order], axis=0)
        ks[i] = np.max(np.abs(cum / n_c - (steps - cum) / (n - n_c)), axis=0)
    per_column["KS distance"] = ks[0]
    results["KS distance"] = ks.mean(axis=1)
    for name, stats in results.items():
        p = _significant(stats)
        if p is not None and p <= P_FAIL:
            column = int(np.argmax(per_column[name]))
            o, c = values[:n_o, column], values[n_o:, column]
            with np.errstate(all="ignore"):
                detail = (f"mean {np.nanmean(c):.4g} vs {np.nanmean(o):.4g}, spread {np.nanstd(c):.4g} vs "
                          f"{np.nanstd(o):.4g} (replacement vs original)")
            return f"{name}, p < {max(p, 1e-300):.1g}", column, detail
    return None
