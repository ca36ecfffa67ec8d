"""np.fft: transforms along one or more axes (n cropping/zero padding, norm), frequencies and shifts.

TF's FFT kernels and NumPy's pocketfft agree to rounding: declared tolerances. Result dtypes come from NumPy
(float32 -> complex64, float64/int/bool -> complex128; irfft back to the real dtype).
"""
from __future__ import annotations

import numpy as np

from transpiler.diagnostics import Refusal
from transpiler.lower import code
from transpiler.lower.context import new_ident
from transpiler.lower.dtypes import probe, result_dtype
from transpiler.lower.shapes import normalize_axis
from transpiler.lower.values import Static, Tensor

from .args import REQUIRED, bind, static, tensor
from .registry import S, lowering

_NORMS = (None, "backward", "ortho", "forward")


def _to_last(ctx, x: str, ax: int, rank: int):
    perm = list(range(rank))
    perm[ax], perm[-1] = perm[-1], perm[ax]
    return (f"tf.transpose({x}, {perm})" if ax != rank - 1 else x), perm


def _one_axis(ctx, x: str, rank: int, ax: int, n, kind: str, norm, cdt: str) -> str:
    """One 1-D transform of `x` (already complex, or real for rfft) along `ax`; returns the expression."""
    xe, perm = _to_last(ctx, x, ax, rank)
    xe = ctx.bind(xe, "f")
    m = ctx.bind(f"tf.shape({xe})[-1]", "m")
    if kind == "irfft":
        npts = ctx.bind(f"2 * ({m} - 1)" if n is None else str(int(n)), "npts")
        keep = ctx.bind(f"{npts} // 2 + 1", "keep")
    else:
        npts = ctx.bind(m if n is None else str(int(n)), "npts")
        keep = npts
    code.check(ctx, f"{npts} > 0", "Invalid number of FFT data points specified.", scalar=True)
    # the kernels abort the process on a non-positive length: feed them 1 (the assert above raises anyway)
    npts = ctx.bind(f"tf.math.maximum({npts}, 1)", "npts")
    if kind == "irfft":
        keep = ctx.bind(f"{npts} // 2 + 1", "keep")
    else:
        keep = npts
    # crop or zero-pad the input to the points the transform reads
    cur = ctx.bind(f"{xe}[..., :{keep}]", "f")
    pad = f"tf.math.maximum({keep} - tf.shape({cur})[-1], 0)"
    cur = ctx.bind(f"tf.pad({cur}, tf.concat([tf.zeros([{rank - 1}, 2], tf.int32), [[0, {pad}]]], 0))", "f")
    fn = {"fft": "tf.signal.fft", "ifft": "tf.signal.ifft", "rfft": "tf.signal.rfft", "irfft": "tf.signal.irfft"}[kind]
    if kind in ("rfft", "irfft"):
        out = f"{fn}({cur}, fft_length=[{npts}])"
    else:
        out = f"{fn}({cur})"
    out = ctx.bind(out, "f")
    inverse = kind in ("ifft", "irfft")
    rdt = "tf.float32" if cdt == "complex64" else "tf.float64"
    nn = f"tf.cast({npts}, {rdt})"
    if norm == "ortho":
        factor = f"(1 / tf.math.sqrt({nn}))" if not inverse else f"tf.math.sqrt({nn})"
        out = ctx.bind(f"{out} * tf.cast({factor}, {out}.dtype)", "f")
    elif norm == "forward":
        factor = f"(1 / {nn})" if not inverse else nn
        out = ctx.bind(f"{out} * tf.cast({factor}, {out}.dtype)", "f")
    return f"tf.transpose({out}, {perm})" if ax != rank - 1 else out


def _fft_lowering(name, kind, ndims):
    fn = getattr(np.fft, name)

    def lower(ctx, args, kwargs, node):
        if ndims == 1:
            spec = [("a", REQUIRED), ("n", None), ("axis", -1), ("norm", None), ("out", None)]
        else:
            spec = [("a", REQUIRED), ("s", None), ("axes", (-2, -1) if ndims == 2 else None), ("norm", None),
                    ("out", None)]
        p = bind(f"np.fft.{name}", args, kwargs, spec, node, refuse_unless_default=("out",))
        x = tensor(ctx, p["a"], node)
        norm = static(p["norm"], "norm", node)
        if norm not in _NORMS:
            raise Refusal("P301", f"Invalid norm value {norm}: NumPy raises", node)
        if ndims == 1:
            ns, axes = [static(p["n"], "n", node)], [int(static(p["axis"], "axis", node))]
            kw = {"n": ns[0], "axis": axes[0], "norm": norm}
        else:
            s = static(p["s"], "s", node)
            axes = static(p["axes"], "axes", node)
            if s is not None:
                raise Refusal("P205", f"np.fft.{name}(s=...) is not converted", node)
            axes = list(range(x.rank)) if axes is None else [int(a) for a in axes]
            ns = [None] * len(axes)
            kw = {"axes": axes, "norm": norm}
        if x.rank == 0:
            raise Refusal("P301", "FFT of a 0-d array: NumPy raises", node)
        if np.dtype(x.dtype).kind == "c" and kind == "rfft":
            raise Refusal("P301", "rfft of complex input: NumPy raises", node)
        probe_kw = dict(kw)
        if kind == "irfft":
            # the dummies' unknown dims are 1, which irfft cannot invert: ask for 2 points just for the dtype
            if ndims == 1:
                probe_kw["n"] = probe_kw["n"] or 2
            else:
                probe_kw["s"] = [2] * len(probe_kw["axes"] if probe_kw["axes"] is not None else range(x.rank))
        out_dtype = result_dtype(probe(fn, [x], probe_kw, node, f"np.fft.{name}"))
        axes = [normalize_axis(a, x.rank, node) for a in axes]
        if len(set(axes)) != len(axes):
            raise Refusal("P205", "repeated FFT axes are not converted", node)
        cdt = out_dtype if np.dtype(out_dtype).kind == "c" else {"float32": "complex64", "float64": "complex128"}[out_dtype]
        rdt = {"complex64": "float32", "complex128": "float64"}[cdt]
        xe = ctx.materialize(x, "x").expr
        if kind == "rfft":
            cur = code.cast(xe, x.dtype, rdt)
            # the real transform on the last axis, complex ones on the others (NumPy's rfftn order)
            cur = ctx.bind(_one_axis(ctx, cur, x.rank, axes[-1], ns[-1], "rfft", norm, cdt), "f")
            for a, n in zip(axes[:-1], ns[:-1]):
                cur = ctx.bind(_one_axis(ctx, cur, x.rank, a, n, "fft", norm, cdt), "f")
        elif kind == "irfft":
            cur = code.cast(xe, x.dtype, cdt)
            for a, n in zip(axes[:-1], ns[:-1]):
                cur = ctx.bind(_one_axis(ctx, cur, x.rank, a, n, "ifft", norm, cdt), "f")
            cur = ctx.bind(_one_axis(ctx, cur, x.rank, axes[-1], ns[-1], "irfft", norm, cdt), "f")
        else:
            cur = code.cast(xe, x.dtype, cdt)
            for a, n in zip(axes, ns):
                cur = ctx.bind(_one_axis(ctx, cur, x.rank, a, n, kind, norm, cdt), "f")
        shape = list(x.shape)
        for a, n in zip(axes, ns):
            shape[a] = n if n is not None else None if kind in ("rfft", "irfft") else shape[a]
        if kind == "rfft" and ns[-1] is not None:
            shape[axes[-1]] = ns[-1] // 2 + 1
        return Tensor(cur, out_dtype, tuple(shape), ident=new_ident())
    return lower


_1D = (S("{f}(x)", x="n[m]"), S("{f}(x, 5, axis=0, norm='ortho')", x="f[m,n]"), S("{f}(x, 2, norm='forward')", x="f[m,n]"))
_ND = (S("{f}(x)", x="n[m,n]"), S("{f}(x, norm='ortho')", x="f[k,m,n]"))
for _name, _kind, _nd in (("fft", "fft", 1), ("ifft", "ifft", 1), ("rfft", "rfft", 1), ("irfft", "irfft", 1),
                          ("fft2", "fft", 2), ("ifft2", "ifft", 2), ("fftn", "fft", 0), ("ifftn", "ifft", 0),
                          ("rfft2", "rfft", 2), ("rfftn", "rfft", 0), ("irfft2", "irfft", 2), ("irfftn", "irfft", 0)):
    lowering(f"numpy.fft.{_name}", {"fft": "tf.signal.fft", "ifft": "tf.signal.ifft", "rfft": "tf.signal.rfft",
                                    "irfft": "tf.signal.irfft"}[_kind], status="partial",
             limits="TF's FFT kernels: rounding differs (rtol declared)" + ("; s= refused" if _nd != 1 else ""),
             samples=tuple(S(s.call, domain=(-10, 10), finite=True, **dict(s.args)) for s in (_1D if _nd == 1 else _ND)),
             rtol=1e-4)(_fft_lowering(_name, _kind, _nd))


def _freq(name):
    def lower(ctx, args, kwargs, node):
        p = bind(f"np.fft.{name}", args, kwargs, [("n", REQUIRED), ("d", 1.0), ("device", None)], node,
                 refuse_unless_default=("device",))
        n = p["n"]
        if isinstance(n, Static):
            ne = f"tf.constant({int(n.value)}, tf.int64)"
        elif isinstance(n, Tensor) and n.rank == 0 and np.dtype(n.dtype).kind in "iu":
            ne = code.cast(n.expr, n.dtype, "int64")
        else:
            raise Refusal("P205", f"np.fft.{name}: n must be an int", node)
        d = static(p["d"], "d", node)
        out = result_dtype(probe(getattr(np.fft, name), [Static(4), Static(d)], {}, node, f"np.fft.{name}"))
        ne = ctx.bind(ne, "n")
        if float(d) == 0:
            raise Refusal("P301", f"np.fft.{name} with d=0 divides by zero: NumPy raises", node)
        code.check(ctx, f"tf.math.not_equal({ne}, 0)", "float division by zero", scalar=True)
        # NumPy: val = 1.0 / (n * d); integer ranks times val, in float64
        val = ctx.bind(f"1.0 / (tf.cast({ne}, tf.float64) * {float(d)!r})", "val")
        if name == "fftfreq":
            N = ctx.bind(f"({ne} - 1) // 2 + 1", "N")
            ranks = f"tf.concat([tf.range(0, {N}), tf.range(-({ne} // 2), 0)], 0)"
        else:
            ranks = f"tf.range(0, {ne} // 2 + 1)"
        return Tensor(code.cast(f"tf.cast({ranks}, tf.float64) * {val}", "float64", out), out, (None,),
                      ident=new_ident())
    return lower


for _name in ("fftfreq", "rfftfreq"):
    lowering(f"numpy.fft.{_name}", "tf.range", samples=(S("{f}(len(x))", x="a[m]"), S("{f}(len(x) + 1, 0.25)", x="a[m]")))(
        _freq(_name))


def _shift(name):
    def lower(ctx, args, kwargs, node):
        p = bind(f"np.fft.{name}", args, kwargs, [("x", REQUIRED), ("axes", None)], node)
        x = ctx.materialize(tensor(ctx, p["x"], node), "x")
        axes = static(p["axes"], "axes", node)
        axes = list(range(x.rank)) if axes is None else [axes] if isinstance(axes, int) else list(axes)
        axes = [normalize_axis(a, x.rank, node) for a in axes]
        if not axes:
            return x
        sign = "" if name == "fftshift" else "-"
        shifts = ", ".join(f"{sign}(tf.shape({x.expr})[{a}] // 2)" for a in axes)
        # an empty input rolls to itself (see numpy.roll in shape_ops.py)
        return Tensor(f"tf.roll({x.expr}, [{shifts}], {axes})", x.dtype, x.shape, ident=new_ident())
    return lower


for _name in ("fftshift", "ifftshift"):
    lowering(f"numpy.fft.{_name}", "tf.roll", samples=(S("{f}(x)", x="a[m,n]"), S("{f}(x, axes=-1)", x="a[m,n]"),
                                                       S("{f}(x, axes=(0,))", x="a[m]")))(_shift(_name))


from .registry import unsupported  # noqa: E402

unsupported("Hermitian FFTs (hfft/ihfft) are not converted yet", "numpy.fft.hfft", "numpy.fft.ihfft")
