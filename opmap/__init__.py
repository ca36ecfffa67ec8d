"""The op table: what NumPy, math, builtins and ndarray methods mean in TensorFlow.

Importing this package registers every entry. `REGISTRY` maps canonical names to OpEntry,
`UNSUPPORTED` maps names to the reason they are refused; `table_rows()` is what `pyfunc2tf ops` prints.
"""
from .registry import REGISTRY, UNSUPPORTED, OpEntry  # noqa: F401
from .user_entries import load_project_ops, register_user_op, unregister_user_op  # noqa: F401
from . import ufuncs, numpy_functions, shape_ops, reductions, linalg, ndarray_methods, builtins_math, sorting, nan_ops, random_ops, creation, shape_more, linalg_more, fft, ufunc_methods, selection, searching, statistics, inplace, unsupported  # noqa: F401,E402
from . import strings  # noqa: F401,E402  (str/bytes methods and re: what text.py/regex.py convert)


def table_rows() -> list[dict]:
    rows = [{"name": e.name, "status": e.status, "reason": e.limits, "target": e.target}
            for e in REGISTRY.values()]
    rows += [{"name": n, "status": "unsupported", "reason": r, "target": ""} for n, r in UNSUPPORTED.items()
             if n not in REGISTRY]
    return sorted(rows, key=lambda r: r["name"])
