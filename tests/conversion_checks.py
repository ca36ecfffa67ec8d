"""Shared by the tests of converted constructs: run the converted function against the original, or check
that the conversion is refused with a given code and reason."""
import numpy as np
import pytest
import tensorflow as tf

from transpiler import ConversionError, convert
from transpiler.signature import parse_signature

F32 = lambda *v: np.array(v, np.float32)


def same(fn, signature, *inputs_list):
    """Convert `fn` and check each input tuple gives the original's dtype, shape and values; returns the
    converted function (its generated code in `.source`)."""
    native = convert(fn, signature=signature, verify=False)
    for inputs in inputs_list:
        inputs = inputs if isinstance(inputs, tuple) else (inputs,)
        expected = np.asarray(fn(*[np.array(i) for i in inputs]))
        got = native(*inputs).numpy()
        assert got.dtype == expected.dtype and got.shape == expected.shape, (inputs, expected, got)
        np.testing.assert_allclose(got, expected, rtol=1e-6, equal_nan=True)
    return native


def refused(fn, signature, code, words):
    with pytest.raises(ConversionError) as e:
        convert(fn, signature=signature, verify=False)
    [d] = e.value.diagnostics
    assert d.code == code and words in d.message, (d.code, d.message)
    return d


def agree(fn, signature, *inputs_list, raises=(IndexError, ValueError), tf_raises=(tf.errors.InvalidArgumentError,),
          scalar_args=False):
    """Convert `fn` for `signature`; on each input tuple (cast to the signature's dtypes) it gives the original's
    dtype, shape and values, traced and eagerly, or raises (one of `tf_raises`) where the original raises (one
    of `raises`). The original gets copies (it may write into them), or Python-level scalars for 0-d inputs with
    `scalar_args` (a dict key must be hashable). Inputs reach the converted function as tf.constant: under
    run_functions_eagerly, raw 0-d int64 arrays would be stacked as int32."""
    native = convert(fn, signature=signature, verify=False)
    specs = parse_signature(signature)
    for inputs in inputs_list:
        inputs = tuple(np.asarray(i).astype(s.dtype) for i, s in
                       zip(inputs if isinstance(inputs, tuple) else (inputs,), specs))
        try:
            expected = np.asarray(fn(*[i[()] if scalar_args and i.ndim == 0 else i.copy() for i in inputs]))
        except raises as e:
            expected = e
        for eager in (False, True):
            tf.config.run_functions_eagerly(eager)
            try:
                if isinstance(expected, Exception):
                    with pytest.raises(tf_raises):
                        native(*[tf.constant(i) for i in inputs])
                    continue
                got = native(*[tf.constant(i) for i in inputs]).numpy()
            finally:
                tf.config.run_functions_eagerly(False)
            assert got.dtype == expected.dtype and got.shape == expected.shape, (inputs, eager, expected, got)
            np.testing.assert_array_equal(got, expected, err_msg=f"{inputs} eager={eager}")
    return native
