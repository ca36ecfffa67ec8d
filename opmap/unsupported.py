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
unsupported("mutates its argument in place; in-place mutation through calls is not converted yet (np.put and "
            "np.fill_diagonal are)",
            "numpy.place", "numpy.putmask", "numpy.copyto", "numpy.ndarray.fill", "numpy.ndarray.sort",
            "numpy.ndarray.resize")
unsupported("random draws whose sampler TF has no exact counterpart for (opmap/random_ops.py lowers the rest)",
            "numpy.random.hypergeometric", "numpy.random.multivariate_normal", "numpy.random.dirichlet",
            "numpy.random.multinomial", "numpy.random.zipf", "numpy.random.vonmises", "numpy.random.wald",
            "numpy.random.noncentral_chisquare", "numpy.random.noncentral_f", "numpy.random.logseries",
            "numpy.random.random_integers", "numpy.random.get_state", "numpy.random.set_state",
            "numpy.random.bytes")
unsupported("the answer depends on argsort ties that NumPy's default (non-stable) sort leaves unspecified",
            "numpy.argpartition", "numpy.partition")
unsupported("text output (printing, formatting, string conversion): a graph computes arrays, not NumPy's text",
            "numpy.array2string", "numpy.array_repr", "numpy.array_str", "numpy.base_repr", "numpy.binary_repr",
            "numpy.format_float_positional", "numpy.format_float_scientific", "numpy.typename",
            "numpy.mintypecode", "numpy.einsum_path")
unsupported("process-wide NumPy settings, build information or the test runner: not array computation",
            "numpy.get_printoptions", "numpy.set_printoptions", "numpy.printoptions", "numpy.getbufsize",
            "numpy.setbufsize", "numpy.geterr", "numpy.seterr", "numpy.geterrcall", "numpy.seterrcall",
            "numpy.show_config", "numpy.show_runtime", "numpy.get_include", "numpy.info", "numpy.test",
            "numpy.linalg.test", "numpy.fft.test", "numpy.random.test", "numpy.random.get_bit_generator",
            "numpy.random.set_bit_generator")
unsupported("memory layout, raw buffers, DLPack capsules, Python iterators or matrix objects have no meaning in a "
            "TF graph",
            "numpy.asfortranarray", "numpy.isfortran", "numpy.require", "numpy.may_share_memory",
            "numpy.shares_memory", "numpy.from_dlpack", "numpy.frombuffer", "numpy.fromstring", "numpy.fromiter",
            "numpy.fromregex", "numpy.fromfunction", "numpy.asmatrix", "numpy.bmat", "numpy.nested_iters")
unsupported("datetime64/timedelta64 arrays have no TensorFlow dtype",
            "numpy.busday_count", "numpy.busday_offset", "numpy.is_busday", "numpy.isnat", "numpy.datetime_data",
            "numpy.datetime_as_string")
unsupported("answers about dtypes and shapes: computed by NumPy itself when every argument is known when converting "
            "(the call is folded); not converted for run-time values",
            "numpy.can_cast", "numpy.common_type", "numpy.isdtype", "numpy.issubdtype", "numpy.min_scalar_type",
            "numpy.promote_types", "numpy.result_type", "numpy.iscomplexobj", "numpy.isrealobj", "numpy.isscalar",
            "numpy.iterable", "numpy.broadcast_shapes")
unsupported("index arrays whose size follows a run-time size; with every argument known when converting the call "
            "is computed by NumPy itself (folded)",
            "numpy.diag_indices", "numpy.diag_indices_from", "numpy.tril_indices", "numpy.tril_indices_from",
            "numpy.triu_indices", "numpy.triu_indices_from", "numpy.mask_indices", "numpy.ix_")
unsupported("the result's dtype or shape depends on the values (real_if_close, trim_zeros), or on indices in ways "
            "not converted yet (delete, insert, resize, block, ravel_multi_index, unravel_index)",
            "numpy.real_if_close", "numpy.trim_zeros", "numpy.delete", "numpy.insert", "numpy.resize", "numpy.block",
            "numpy.ravel_multi_index", "numpy.unravel_index")
unsupported("polynomials: roots/polyfit need LAPACK's eigenvalue and least-squares choices; coefficient arithmetic "
            "(polyadd/polymul/polydiv/polyder/polyint/poly/polyval) is not converted yet",
            "numpy.poly", "numpy.polyadd", "numpy.polysub", "numpy.polymul", "numpy.polydiv", "numpy.polyder",
            "numpy.polyint", "numpy.polyfit", "numpy.polyval", "numpy.roots")
unsupported("not converted yet: no lowering written (bit packing, Bessel i0 and the kaiser window built on it, "
            "convolution sums, 2-D/N-D histograms, gradient/unwrap, vander/geomspace/diagflat, complex sorting, "
            "gufuncs matvec/vecmat, in-place put_along_axis, the np.astype/asarray_chkfinite spellings)",
            "numpy.packbits", "numpy.unpackbits", "numpy.i0", "numpy.kaiser", "numpy.convolve", "numpy.correlate",
            "numpy.histogram2d", "numpy.histogramdd", "numpy.gradient", "numpy.unwrap", "numpy.vander",
            "numpy.geomspace", "numpy.diagflat", "numpy.sort_complex", "numpy.matvec", "numpy.vecmat",
            "numpy.put_along_axis", "numpy.astype", "numpy.asarray_chkfinite")
unsupported("random distributions without a lowering yet (each needs a sampler with NumPy's support and a "
            "distributional check)",
            "numpy.random.chisquare", "numpy.random.f", "numpy.random.geometric", "numpy.random.gumbel",
            "numpy.random.laplace", "numpy.random.logistic", "numpy.random.negative_binomial", "numpy.random.pareto",
            "numpy.random.power", "numpy.random.rayleigh", "numpy.random.standard_cauchy", "numpy.random.standard_t",
            "numpy.random.triangular", "numpy.random.weibull")
