"""Whether a replacement's outputs equal the original's: structure, dtype, shape, then values.

Works on `Outputs` (NumPy arrays plus TF dtype names) so that it needs no TensorFlow. Values: NaN must
sit at the same positions, infinities must be equal, finite floats agree within a tolerance chosen by
dtype (reduction order differs between NumPy and TF kernels); integers, booleans and strings are exact.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# (rtol, atol) by TF dtype name; float32's rtol is loosened from 1e-5 because TF and NumPy sum in a
# different order (pairwise vs. blocked), which moves the last bits of means and norms.
TOLERANCES = {
    "float16": (1e-3, 1e-3),
    "bfloat16": (1e-2, 1e-2),
    "float32": (2e-5, 1e-6),
    "float64": (1e-9, 1e-12),
}
_COMPLEX_PART = {"complex64": "float32", "complex128": "float64"}


@dataclass
class Outputs:
    """What one call returned: a single tensor or a sequence of them (a list/tuple, as for a list Tout)."""
    is_sequence: bool
    arrays: list[np.ndarray]
    dtypes: list[str]           # TF dtype names: "float32", "string", ...


def compare_outputs(expected: Outputs, actual: Outputs) -> str | None:
    """None when `actual` matches `expected`, else a short reason naming the first difference."""
    if expected.is_sequence != actual.is_sequence:
        def kind(o):
            return f"a sequence of {len(o.arrays)} tensors" if o.is_sequence else "a single tensor"
        return f"original returns {kind(expected)}, replacement returns {kind(actual)}"
    if len(expected.arrays) != len(actual.arrays):
        return f"original returns {len(expected.arrays)} outputs, replacement returns {len(actual.arrays)}"
    for i, (e, a, e_dt, a_dt) in enumerate(zip(expected.arrays, actual.arrays, expected.dtypes, actual.dtypes)):
        where = f"output {i}: " if expected.is_sequence else ""
        if e_dt != a_dt:
            return f"{where}dtype {a_dt} where the original gives {e_dt}"
        if e.shape != a.shape:
            return f"{where}shape {list(a.shape)} where the original gives {list(e.shape)}"
        reason = compare_values(e, a, e_dt)
        if reason:
            return where + reason
    return None


def compare_values(expected: np.ndarray, actual: np.ndarray, dtype: str) -> str | None:
    """Values of two arrays of the same shape and dtype; None when equal under the dtype's tolerance."""
    if dtype in _COMPLEX_PART:
        part = _COMPLEX_PART[dtype]
        return (_compare_floats(expected.real, actual.real, part, "real part ")
                or _compare_floats(expected.imag, actual.imag, part, "imaginary part "))
    if dtype in TOLERANCES:
        return _compare_floats(expected, actual, dtype, "")
    differs = expected != actual
    if np.any(differs):
        return _at_first(differs, expected, actual, "value")
    return None


def _compare_floats(expected, actual, dtype: str, what: str) -> str | None:
    # float64 holds every narrower float exactly, bfloat16 included (which NumPy cannot test for NaN).
    e = np.asarray(expected).astype(np.float64)
    a = np.asarray(actual).astype(np.float64)
    e_nan, a_nan = np.isnan(e), np.isnan(a)
    if np.any(e_nan != a_nan):
        return _at_first(e_nan != a_nan, expected, actual, what + "NaN position")
    e_inf, a_inf = np.isinf(e), np.isinf(a)
    inf_differs = (e_inf | a_inf) & (e != a)
    if np.any(inf_differs):
        return _at_first(inf_differs, expected, actual, what + "infinity")
    finite = ~(e_nan | e_inf | a_inf)
    rtol, atol = TOLERANCES[dtype]
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf at the masked-out positions
        far = finite & (np.abs(a - e) > atol + rtol * np.abs(e))
    if np.any(far):
        return _at_first(far, expected, actual, what + f"value (rtol {rtol:g}, atol {atol:g})")
    return None


def _at_first(mask: np.ndarray, expected, actual, what: str) -> str:
    index = tuple(int(i) for i in np.argwhere(mask)[0]) if np.ndim(mask) else ()
    count = int(np.count_nonzero(mask))
    e, a = np.asarray(expected)[index], np.asarray(actual)[index]
    more = f" (and {count - 1} more)" if count > 1 else ""
    return f"{what} differs at index {list(index)}: original {_show(e)}, replacement {_show(a)}{more}"


def _show(value) -> str:
    if isinstance(value, np.floating):
        return str(value)  # shortest repr for its own width: 0.001, not 0.0010000000474974513
    return repr(value.item() if isinstance(value, np.generic) else value)
