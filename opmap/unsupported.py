"""Names refused with a reason: no faithful TF lowering exists, or the semantics cannot be reproduced."""
from __future__ import annotations

from .registry import unsupported

unsupported("reads or writes files (I/O): a graph cannot reproduce it",
            "numpy.load", "numpy.save", "numpy.savez", "numpy.savez_compressed", "numpy.loadtxt",
            "numpy.savetxt", "numpy.genfromtxt", "numpy.fromfile", "numpy.memmap", "builtins.open",
            "builtins.print", "builtins.input")
unsupported("returns uninitialised memory; its contents are unspecified",
            "numpy.empty", "numpy.empty_like")
unsupported("produces Python objects of run-time size (lists), not arrays",
            "numpy.ndarray.tolist")
unsupported("object arrays and Python callables per element have no TF equivalent",
            "numpy.vectorize", "numpy.frompyfunc", "numpy.apply_along_axis", "numpy.apply_over_axes",
            "numpy.piecewise")
unsupported("mutates its argument in place; in-place mutation through calls is not converted yet",
            "numpy.put", "numpy.place", "numpy.putmask", "numpy.copyto", "numpy.fill_diagonal",
            "numpy.ndarray.fill", "numpy.ndarray.sort", "numpy.ndarray.resize", "numpy.random.shuffle")
unsupported("randomness is not converted yet (tf.random lowering is planned)",
            "numpy.random.rand", "numpy.random.randn", "numpy.random.uniform", "numpy.random.normal",
            "numpy.random.randint", "numpy.random.choice", "numpy.random.permutation",
            "numpy.random.default_rng", "numpy.random.seed", "numpy.random.random")
unsupported("the answer depends on argsort ties that NumPy's default (non-stable) sort leaves unspecified",
            "numpy.argpartition", "numpy.partition")
