"""Methods (`tf.numpy_function(self._fn, ...)`): `self` attributes frozen at their conversion-time values,
checked again at trace time; other instances and overriding subclasses run the original; state refused."""
import textwrap
import types

import numpy as np
import pytest
import tensorflow as tf

from transpiler.pipeline import convert_text

LAYER = '''
import numpy as np
import tensorflow as tf

_wrap = lambda a: (a + np.pi) % (2 * np.pi) - np.pi


class Scaler:
    OFFSET = 2

    def __init__(self, scale=1.0, names=("a", "b")):
        self.scale = scale
        self.index = {n: i + self.OFFSET for i, n in enumerate(names)}

    def _helper(self, x):
        return x * self.scale

    def _fn(self, x):
        return (_wrap(self._helper(x)) + len(self.index)).astype(np.float32)

    def __call__(self, x):
        return tf.numpy_function(self._fn, [x], tf.float32)


LAYER = Scaler(scale=0.5)
'''


def run_module(text: str):
    module = types.ModuleType("converted")
    exec(compile(text, "converted.py", "exec"), module.__dict__)
    return module


def graph_ops(fn, x):
    graph = tf.function(fn).get_concrete_function(tf.TensorSpec([None], tf.float32)).graph
    ops = {op.type for op in graph.get_operations()}
    for f in graph.as_graph_def().library.function:
        ops |= {n.op for n in f.node_def}
    return ops


def convert(src, sig="float32[None]", fn="_fn", verify=False):
    r = convert_text(src, "m.py", {fn: sig}, verify=verify)
    assert r.error is None
    [site] = r.sites
    return r, site


X = np.array([-7.0, -1.5, 0.0, 2.25, 9.0], np.float32)


def test_method_converts_with_frozen_attributes_and_helpers():
    r, site = convert(LAYER, verify=True)
    assert site.status == "converted", [d.message for d in site.reasons]
    assert "self._fn_tf(x)" in r.new_text
    frozen = " ".join(d.message for d in site.notes if d.code == "P904")
    assert "`self.scale` is read at trace time as 0.5" in frozen and "`LAYER`" in frozen
    assert "`self.index` is read at trace time as {'a': 2, 'b': 3}" in frozen
    original, converted = run_module(LAYER), run_module(r.new_text)
    expected = original.LAYER(X)
    got = converted.LAYER(tf.constant(X))
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)
    assert not {"PyFunc", "EagerPyFunc"} & graph_ops(converted.LAYER, X)


def test_other_instance_and_overriding_subclass_run_the_original():
    r, site = convert(LAYER)
    converted, original = run_module(r.new_text), run_module(LAYER)
    for make in (lambda m: m.Scaler(scale=3.0), lambda m: m.Scaler(names=("a", "b", "c")),
                 lambda m: m.Scaler(scale=1)):   # int 1 is not float 1.0: NumPy's dtypes may differ
        np.testing.assert_allclose(make(converted)(tf.constant(X)).numpy(), make(original)(X).numpy(), rtol=1e-6)
        assert "PyFunc" in graph_ops(make(converted), X)

    class Sub(converted.Scaler):
        def _fn(self, x):
            return np.zeros_like(x)
    np.testing.assert_array_equal(Sub(scale=0.5)(tf.constant(X)).numpy(), np.zeros(5, np.float32))
    assert "PyFunc" not in graph_ops(converted.Scaler(scale=0.5), X)


def test_without_instances_the_defaults_are_used():
    src = LAYER.replace("LAYER = Scaler(scale=0.5)\n", "")
    r, site = convert(src, verify=True)
    assert site.status == "converted", [d.message for d in site.reasons]
    assert "defaults" in site.notes[0].message
    converted, original = run_module(r.new_text), run_module(src)
    np.testing.assert_allclose(converted.Scaler()(tf.constant(X)).numpy(), original.Scaler()(X).numpy(), rtol=1e-6)


@pytest.mark.parametrize("change, code, words", [
    # the method changes the instance: state that a graph cannot keep
    (("return (_wrap", "self.calls = 1\n        return (_wrap"), "P226", "self.calls"),
    (("    def __call__", "    def bump(self):\n        self.scale += 1\n\n    def __call__"), "P226", "reassigned"),
    (("    def __call__", "    def log(self, v):\n        self.index.update(v)\n\n    def __call__"), "P226",
     "self.index"),
    # two instances with different values: converted for one set of values only
    (("LAYER = Scaler(scale=0.5)", "LAYER = Scaler(scale=0.5)\nOTHER = Scaler(scale=2.0)"), "P104", "different"),
    # a value the class computes by code this tool does not run
    (("self.scale = scale", "self.scale = float(open('s').read())"), "P107", "self.scale"),
    # an attribute set elsewhere (a base class)
    (("x * self.scale", "x * self.gain"), "P104", "self.gain"),
    # the callable is a method of a base class
    (("self._fn, [x]", "self._base_fn, [x]"), "P104", "base class"),
])
def test_refusals(change, code, words):
    src = LAYER.replace(*change)
    if "_base_fn" in src:
        src = src.replace("class Scaler:", "class Scaler(Base):").replace("\nclass Scaler", "\nclass Base:\n    pass\n\n\nclass Scaler", 1)
    assert src != LAYER
    r, site = convert(src)
    assert site.status == "refused"
    assert r.new_text is None
    [d] = site.reasons
    assert d.code == code and words in d.message, (d.code, d.message)
    assert d.line > 0


def test_module_lambda_helper_is_inlined():
    src = textwrap.dedent('''
        import numpy as np
        import tensorflow as tf
        clip = lambda a, hi=2.0: np.minimum(a, hi)

        def f(x):
            return clip(x) + clip(x, hi=1.0)

        y = tf.numpy_function(f, [tf.constant([1.0])], tf.float32)
    ''')
    r, site = convert(src, fn="f")
    assert site.status == "converted", [d.message for d in site.reasons]
    converted = run_module(r.new_text)
    np.testing.assert_allclose(converted.f_tf(tf.constant(X)).numpy(),
                               np.minimum(X, 2.0) + np.minimum(X, 1.0))
