"""Property tests derived from the op table: every NumPy entry's samples, converted and compared with NumPy.

For each `Sample` of an entry (opmap.registry.Sample), a tiny function `def f(x, ...): return <call>` is
written to a module, converted with `transpiler.convert(..., verify=False)` once per dtype variant
(unknown dimensions where the sample says a letter), and run on hypothesis-drawn inputs (size-0 and
size-1 dims, broadcasting, NaN/inf, integer extremes) eagerly and, for the first variants, through the
traced tf.function. The result must have NumPy's dtype and shape and its values (NaN-aware, within the
entry's tolerance); where NumPy raises, the converted function must raise too. A conversion may refuse
a variant (never wrong), but not every variant of a sample.
"""
from __future__ import annotations

import importlib.util
import itertools
import pathlib
import random
import re
import tempfile
import warnings

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import opmap
from opmap.registry import samples_of
from transpiler import convert
from transpiler.diagnostics import ConversionError

tf.get_logger().setLevel("ERROR")
tf.autograph.set_verbosity(0)

GROUPS = {"f": ["float32", "float64"], "h": ["float16"], "i": ["int64", "int32", "int8"], "u": ["uint8"],
          "b": ["bool"]}
GROUPS["n"] = GROUPS["f"] + GROUPS["i"] + GROUPS["u"]
GROUPS["a"] = GROUPS["n"] + GROUPS["b"]
DEFAULT_RTOL = {"float16": 2e-3, "float32": 1e-5, "float64": 1e-12, "complex64": 1e-5, "complex128": 1e-12}
EXAMPLES = 10          # hypothesis examples per sample
MAX_VARIANTS = 6       # dtype combinations converted per sample
TRACED_VARIANTS = 3    # of which the first ones also run through the traced tf.function
MAX_DIM = 3

_WORK = pathlib.Path(tempfile.mkdtemp(prefix="op_properties_"))
_CACHE: dict = {}


# entries NumPy itself cannot call: tested elsewhere
EXEMPT = {"numpy.ndarray.numpy": "EagerTensor.numpy() on py_function arguments (tests/test_lowering.py)"}


def numpy_entries() -> list[str]:
    return sorted(n for n, e in opmap.REGISTRY.items() if n.startswith("numpy.")
                  and not n.startswith("numpy.random.")  # random draws: tests/test_random_ops.py
                  and e.status in ("supported", "partial") and n not in EXEMPT)


# -- samples -> source ------------------------------------------------------------------------------

_ARG = re.compile(r"^(?P<dt>[a-z0-9|]+)\[(?P<dims>[^\]]*)\](?:@(?P<lo>-?[0-9.e]+|-inf):(?P<hi>-?[0-9.e]+|inf))?$")


def parse_arg(spec: str):
    m = _ARG.match(spec.replace(" ", ""))
    assert m, f"bad argument spec {spec!r}"
    dt = m["dt"]
    if all(c in GROUPS for c in dt):
        dtypes = [d for g in dt for d in GROUPS[g]]
    else:
        dtypes = [np.dtype(d).name for d in dt.split("|")]
    dims = [d for d in m["dims"].split(",") if d]
    bounds = (float(m["lo"]), float(m["hi"])) if m["lo"] is not None else None
    return dtypes, dims, bounds


def spelling(name: str) -> str:
    return "np." + name[len("numpy."):]


def call_source(name: str, call: str) -> str:
    if name.startswith("numpy.ndarray."):
        method = name.rsplit(".", 1)[1]
        return re.sub(r"\{f\}\((\w+)(?:, )?", lambda m: f"{m[1]}.{method}(", call)
    return call.replace("{f}", spelling(name))


def variants(sample) -> list[tuple[str, ...]]:
    lists = [parse_arg(spec)[0] for _, spec in sample.args]
    if not lists:
        return [()]
    longest = max(len(d) for d in lists)
    out = [tuple(d[i % len(d)] for d in lists) for i in range(longest)]  # one dtype for all where possible
    rest = [v for v in itertools.product(*lists) if v not in out]
    random.Random(sample.call).shuffle(rest)
    out += rest[:2]
    return out[:MAX_VARIANTS]


def signature(sample, dtypes) -> str:
    parts = []
    for (_, spec), dt in zip(sample.args, dtypes):
        dims = parse_arg(spec)[1]
        shown = ",".join(d if d.isdigit() else "None" for d in dims)  # `3~` may be 1: unknown
        parts.append(f"{dt}[{shown}]")
    return ", ".join(parts)


def load_function(name: str, index: int, sample):
    key = (name, index)
    if key not in _CACHE:
        params = ", ".join(a for a, _ in sample.args)
        src = f"import numpy as np\n\n\ndef f({params}):\n    return {call_source(name, sample.call)}\n"
        path = _WORK / f"m_{re.sub(r'[^A-Za-z0-9]', '_', name)}_{index}.py"
        path.write_text(src)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _CACHE[key] = mod.f
    return _CACHE[key]


def converted(fn, sample, dtypes):
    try:
        return convert(fn, signature=signature(sample, dtypes), verify=False), None
    except ConversionError as e:
        return None, str(e)


# -- inputs --------------------------------------------------------------------------------------------

_FLOAT_SPECIALS = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.5, 3.0, np.nan, np.inf, -np.inf]


def element_strategy(dtype: str, bounds, finite: bool):
    kind = np.dtype(dtype).kind
    if kind == "b":
        return st.booleans()
    if kind in "iu":
        info = np.iinfo(dtype)
        lo, hi = info.min, info.max
        if bounds is not None:
            lo, hi = max(lo, int(np.ceil(bounds[0])) if np.isfinite(bounds[0]) else lo), \
                min(hi, int(np.floor(bounds[1])) if np.isfinite(bounds[1]) else hi)
        small = st.integers(max(lo, -5), min(hi, 5)) if max(lo, -5) <= min(hi, 5) else st.integers(lo, hi)
        return st.one_of(small, small, small, st.sampled_from([lo, hi]))
    lo, hi = bounds if bounds is not None else (-np.inf, np.inf)
    specials = [v for v in _FLOAT_SPECIALS if (np.isnan(v) and not finite) or
                (lo <= v <= hi and (np.isfinite(v) or not finite))]
    flo, fhi = max(lo, -100.0), min(hi, 100.0)
    parts = [st.floats(flo, fhi, allow_nan=False, allow_infinity=False),
             st.integers(int(np.ceil(flo)), int(np.floor(fhi))).map(float) if np.ceil(flo) <= np.floor(fhi)
             else st.floats(flo, fhi)]
    if specials:
        parts.append(st.sampled_from(specials))
    return st.one_of(*parts)


def draw_inputs(data, sample, dtypes, entry):
    letters = sorted({d.rstrip("~") for _, spec in sample.args for d in parse_arg(spec)[1]
                      if not d.rstrip("~").isdigit()})
    sizes = {k: data.draw(st.integers(0, MAX_DIM), label=f"dim {k}") for k in letters}
    bounds_all = sample.domain or entry.domain
    arrays = []
    for (argname, spec), dt in zip(sample.args, dtypes):
        _, dims, bounds = parse_arg(spec)
        shape = []
        for d in dims:
            if d.endswith("~") and data.draw(st.booleans(), label=f"{argname} broadcast"):
                shape.append(1)
            elif d.rstrip("~").isdigit():
                shape.append(int(d.rstrip("~")))
            else:
                shape.append(sizes[d.rstrip("~")])
        n = int(np.prod(shape, dtype=np.int64))
        values = data.draw(st.lists(element_strategy(dt, bounds or bounds_all, sample.finite), min_size=n,
                                    max_size=n), label=argname)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arrays.append(np.array(values, dtype=np.float64 if np.dtype(dt).kind == "f" else None)
                          .astype(dt).reshape(shape))
    return arrays


# -- comparison ----------------------------------------------------------------------------------------

def _tol_scale(inputs, exp) -> float:
    vals = [np.abs(a[np.isfinite(a)]).max(initial=0.0) for a in inputs if a.dtype.kind == "f"]
    finite = exp[np.isfinite(exp)]
    return max([1.0, float(np.abs(finite).max(initial=0.0))] + [float(v) for v in vals])


def assert_same(got, exp, rtol, inputs, where=""):
    if isinstance(exp, (tuple, list)):
        assert isinstance(got, (tuple, list)), f"{where}: expected a sequence of {len(exp)}, got {type(got)}"
        assert len(got) == len(exp), f"{where}: {len(got)} results, NumPy gives {len(exp)}"
        for i, (g, e) in enumerate(zip(got, exp)):
            assert_same(g, e, rtol, inputs, f"{where}[{i}]")
        return
    exp = np.asarray(exp)
    got = got.numpy() if hasattr(got, "numpy") else np.asarray(got)
    assert got.dtype == exp.dtype, f"{where}: dtype {got.dtype}, NumPy gives {exp.dtype}"
    assert got.shape == exp.shape, f"{where}: shape {got.shape}, NumPy gives {exp.shape}"
    if exp.dtype.kind not in "fc":
        np.testing.assert_array_equal(got, exp, err_msg=where)
        return
    nan_g, nan_e = np.isnan(got), np.isnan(exp)
    assert (nan_g == nan_e).all(), f"{where}: NaN where NumPy has {exp[nan_g != nan_e]} (got {got}, want {exp})"
    inf_e = np.isinf(exp)
    assert (np.isinf(got) == inf_e).all() and (got[inf_e] == exp[inf_e]).all(), \
        f"{where}: infinities differ (got {got}, want {exp})"
    fin = np.isfinite(exp)
    tol = rtol or DEFAULT_RTOL[exp.dtype.name]
    g, e = got[fin].astype(np.float64), exp[fin].astype(np.float64)
    scale = _tol_scale(inputs, exp)
    bad = np.abs(g - e) > tol * (np.abs(e) + scale)
    assert not bad.any(), f"{where}: values differ beyond rtol={tol}: got {got}, want {exp}"


def run_native(native, inputs, eager: bool):
    tf.config.run_functions_eagerly(eager)
    try:
        return native(*[tf.constant(a) for a in inputs])
    finally:
        tf.config.run_functions_eagerly(False)


# -- tests ---------------------------------------------------------------------------------------------

def test_every_numpy_entry_has_samples():
    missing = [n for n in numpy_entries() if not samples_of(opmap.REGISTRY[n])]
    assert not missing, f"entries without property-test samples: {missing}"


def test_samples_call_their_entry():
    wrong = []
    for n in numpy_entries():
        spelled = spelling(n) if not n.startswith("numpy.ndarray.") else "." + n.rsplit(".", 1)[1] + "("
        pseudo = not n.startswith("numpy.ndarray.") and not hasattr(np, n.split(".")[1])  # dtype_constructor
        if not pseudo and not any("{f}" in s.call or spelled in s.call for s in samples_of(opmap.REGISTRY[n])):
            wrong.append(n)
        for s in samples_of(opmap.REGISTRY[n]):
            for _, spec in s.args:
                parse_arg(spec)
    assert not wrong, f"entries whose samples never call them: {wrong}"


@pytest.mark.parametrize("name", numpy_entries())
def test_entry_matches_numpy(name):
    entry = opmap.REGISTRY[name]
    samples = samples_of(entry)
    if not samples:
        pytest.skip("no samples (test_every_numpy_entry_has_samples fails)")
    if entry.samples_from:
        entry = opmap.REGISTRY[entry.samples_from]  # same tolerance and domain
    for index, sample in enumerate(samples):
        fn = load_function(name, index, sample)
        ready, refused = [], []
        for dtypes in variants(sample):
            native, why = converted(fn, sample, dtypes)
            (ready if native is not None else refused).append((dtypes, native or why))
        assert ready, f"{sample.call}: every dtype variant was refused: {refused}"
        rtol = sample.rtol or entry.rtol
        compared = []

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(st.data())
        def check(data):
            vi = data.draw(st.integers(0, len(ready) - 1), label="variant")
            dtypes, native = ready[vi]
            inputs = draw_inputs(data, sample, dtypes, entry)
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                try:
                    expected, raised = fn(*[a.copy() for a in inputs]), None
                except Exception as e:  # noqa: BLE001 - any NumPy error must be an error of the replacement too
                    expected, raised = None, e
            modes = (True, False) if vi < TRACED_VARIANTS else (True,)
            for eager in modes:
                where = f"{sample.call} {dtypes} {'eager' if eager else 'traced'}"
                try:
                    got = run_native(native, inputs, eager)
                except Exception as e:  # noqa: BLE001
                    assert raised is not None, f"{where}: raises {type(e).__name__}: {str(e)[:300]}; NumPy " \
                                               f"gives {expected!r}"
                    continue
                assert raised is None, f"{where}: NumPy raises {type(raised).__name__}: {raised}; converted " \
                                       f"gives {got}"
                assert_same(got, expected, rtol, inputs, where)
                compared.append(1)

        check()
        assert compared, f"{sample.call}: NumPy raised on every drawn input; the sample tests nothing"
