"""ndarray methods: they mirror the NumPy functions, with the receiver as the first argument."""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.values import Seq, Static, Tensor

from .args import REQUIRED, bind, dtype_arg, static, tensor
from .registry import REGISTRY, S, add_samples, lowering

# method name -> the function whose lowering it shares (receiver passed first)
MIRRORED = {
    "sum": "numpy.sum", "mean": "numpy.mean", "max": "numpy.max", "min": "numpy.min", "prod": "numpy.prod",
    "std": "numpy.std", "var": "numpy.var", "any": "numpy.any", "all": "numpy.all", "argmax": "numpy.argmax",
    "argmin": "numpy.argmin", "cumsum": "numpy.cumsum", "cumprod": "numpy.cumprod", "clip": "numpy.clip",
    "ravel": "numpy.ravel", "squeeze": "numpy.squeeze", "round": "numpy.round", "nonzero": "numpy.nonzero",
    "repeat": "numpy.repeat", "swapaxes": "numpy.swapaxes", "argsort": "numpy.argsort",
}


def _mirror(fn_name):
    def lower(ctx, args, kwargs, node):
        return REGISTRY[fn_name].lower(ctx, args, kwargs, node)
    return lower


for _m, _f in MIRRORED.items():
    if _f:
        lowering(f"numpy.ndarray.{_m}", f"(as {_f})")(_mirror(_f))
        REGISTRY[f"numpy.ndarray.{_m}"].samples_from = _f  # tested with the function's samples


def _receiver(ctx, v, node) -> Tensor:
    return tensor(ctx, v, node)


@lowering("numpy.ndarray.numpy", "(EagerTensor.numpy)")
def eager_numpy(ctx, args, kwargs, node):
    """`.numpy()` of a py_function argument: from here on NumPy's semantics apply."""
    x = args[0]
    if not (isinstance(x, Tensor) and x.eager):
        raise Refusal("P301", "ndarray has no attribute 'numpy': Python raises", node)
    if x.dtype == "string":
        raise Refusal("P212", "string tensors are not converted yet", node)
    return x.with_(eager=False)


@lowering("numpy.ndarray.astype", "tf.cast")
def astype(ctx, args, kwargs, node):
    p = bind("ndarray.astype", args, kwargs, [("self", REQUIRED), ("dtype", REQUIRED), ("order", "K"),
                                              ("casting", "unsafe"), ("subok", True), ("copy", True)], node,
             refuse_unless_default=("order", "casting"))
    x = _receiver(ctx, args[0], node)
    dt = dtype_arg(p["dtype"], node)
    if dt is None:
        raise Refusal("P205", "astype(None) is not supported", node)
    copy = static(p["copy"], "copy", node)
    same = dt == x.dtype and not copy
    return Tensor(code.cast(x.expr, x.dtype, dt), dt, x.shape, ident=x.ident if same else new_ident())


@lowering("numpy.ndarray.reshape", "tf.reshape")
def reshape_method(ctx, args, kwargs, node):
    from .shape_ops import _dims_arg, reshape
    x = _receiver(ctx, args[0], node)
    if set(kwargs) - {"shape", "order"} or ("order" in kwargs and static(kwargs["order"], "order", node) != "C"):
        raise Refusal("P205", "reshape: only the shape (C order) is supported", node)
    dims_args = list(args[1:]) or [kwargs["shape"]]
    dims = _dims_arg(dims_args[0], node) if len(dims_args) == 1 else [d for a in dims_args for d in _dims_arg(a, node)]
    return reshape(ctx, x, dims, node)


@lowering("numpy.ndarray.transpose", "tf.transpose")
def transpose_method(ctx, args, kwargs, node):
    from .shape_ops import transpose
    x = _receiver(ctx, args[0], node)
    rest = args[1:]
    if kwargs:
        raise Refusal("P205", "transpose keyword arguments are not supported", node)
    if not rest or (len(rest) == 1 and isinstance(rest[0], Static) and rest[0].value is None):
        axes = None
    elif len(rest) == 1:
        axes = static(rest[0], "axes", node)
    else:
        axes = [static(a, "axes", node) for a in rest]
    return transpose(ctx, x, axes, node)


@lowering("numpy.ndarray.flatten", "tf.reshape")
def flatten(ctx, args, kwargs, node):
    x = REGISTRY["numpy.ravel"].lower(ctx, args, kwargs, node)
    return x.with_(ident=new_ident())  # flatten always copies


@lowering("numpy.ndarray.copy", "tf.identity")
def copy_method(ctx, args, kwargs, node):
    x = _receiver(ctx, args[0], node)
    return x.with_(ident=new_ident())


@lowering("numpy.ndarray.item", "tf.reshape")
def item(ctx, args, kwargs, node):
    x = _receiver(ctx, args[0], node)
    if len(args) > 1 or kwargs:
        raise Refusal("P205", "item(index) is not supported", node)
    x = code.require_size_one(ctx, x, node, "can only convert an array of size 1 to a Python scalar: NumPy raises",
                              "can only convert an array of size 1 to a Python scalar")
    kind = np.dtype(x.dtype).kind
    weak = {"b": "bool", "i": "int64", "u": "int64", "f": "float64"}.get(kind)
    if weak is None:
        raise Refusal("P201", f"item() of {x.dtype}", node)
    return Tensor(code.cast(f"tf.reshape({x.expr}, [])", x.dtype, weak), weak, (), weak=True)


add_samples("numpy.ndarray.astype", S("x.astype(np.float32)", x="a[m]"),
            S("x.astype(np.int64)", x="f[m]", finite=True, domain=(-1e3, 1e3)), S("x.astype(bool)", x="n[m]"),
            S("x.astype(np.uint8)", x="i[m]"))
add_samples("numpy.ndarray.reshape", S("x.reshape(-1)", x="a[m,n]"), S("x.reshape((x.shape[1], -1))", x="a[m,n]"),
            S("x.reshape(2, -1)", x="a[2,m]"))
add_samples("numpy.ndarray.transpose", S("x.transpose()", x="a[m,n]"), S("x.transpose(1, 0, 2)", x="a[m,n,k]"))
add_samples("numpy.ndarray.flatten", S("x.flatten()", x="a[m,n]"))
add_samples("numpy.ndarray.copy", S("x.copy()", x="a[m]"))
add_samples("numpy.ndarray.item", S("x.item()", x="a[1,1]"), S("x.item()", x="a[m]"))
