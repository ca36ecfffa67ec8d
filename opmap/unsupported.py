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
            "numpy.ndarray.fill", "numpy.ndarray.sort", "numpy.ndarray.resize")
unsupported("random draws whose sampler TF has no exact counterpart for (opmap/random_ops.py lowers the rest)",
            "numpy.random.hypergeometric", "numpy.random.multivariate_normal", "numpy.random.dirichlet",
            "numpy.random.multinomial", "numpy.random.zipf", "numpy.random.vonmises", "numpy.random.wald",
            "numpy.random.noncentral_chisquare", "numpy.random.noncentral_f", "numpy.random.logseries",
            "numpy.random.random_integers", "numpy.random.get_state", "numpy.random.set_state",
            "numpy.random.bytes")
unsupported("the answer depends on argsort ties that NumPy's default (non-stable) sort leaves unspecified",
            "numpy.argpartition", "numpy.partition")
