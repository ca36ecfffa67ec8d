"""Shared by the tests of converted constructs: run the converted function against the original, or check
that the conversion is refused with a given code and reason."""
import numpy as np
import pytest

from transpiler import ConversionError, convert

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
