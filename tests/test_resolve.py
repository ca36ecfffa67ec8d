"""resolve: what a call site wraps, and module_slice: what that needs from the module."""
import gast
import pytest

from transpiler.diagnostics import Refusal
from transpiler.discover import find_sites
from transpiler.resolve import ModuleInfo, module_slice, resolve


def resolve_only(src):
    tree = gast.parse(src)
    module = ModuleInfo.build(tree, src)
    [site] = find_sites(tree, module.imports)
    return module, resolve(module, site.func, site.scope, site.call)


def test_module_level_def():
    src = ("import numpy as np\nimport tensorflow as tf\n\n"
           "def f(x):\n    return np.abs(x)\n\n"
           "y = tf.numpy_function(f, [a], tf.float32)\n")
    module, r = resolve_only(src)
    assert isinstance(r.fn, gast.FunctionDef) and r.fn.name == "f"
    assert r.def_name == "f" and r.written == "f"
    assert r.insert_after_line == 5 and r.indent == ""
    assert r.original_expr == "f" and "f" in r.slice_roots


def test_nested_def():
    src = ("import numpy as np\nimport tensorflow as tf\n\n"
           "def pre(x):\n"
           "    def inner(v):\n"
           "        return v * 2\n"
           "    return tf.numpy_function(inner, [x], tf.float32)\n")
    module, r = resolve_only(src)
    assert r.fn.name == "inner"
    assert r.indent == "    "
    assert r.insert_after_line == 6
    assert r.extra_source.startswith("def inner(v):")


def test_nested_def_closing_over_local_refused():
    src = ("import tensorflow as tf\n\n"
           "def pre(x, k):\n"
           "    def inner(v):\n"
           "        return v * k\n"
           "    return tf.numpy_function(inner, [x], tf.float32)\n")
    with pytest.raises(Refusal) as e:
        resolve_only(src)
    assert e.value.diagnostic("m.py").code == "P105"


def test_lambda_at_call_site():
    src = ("import numpy as np\nimport tensorflow as tf\nK = 3.0\n"
           "y = tf.numpy_function(lambda v: np.sqrt(v) * K, [a], tf.float32)\n")
    module, r = resolve_only(src)
    assert isinstance(r.fn, gast.Lambda)
    assert r.def_name == "<lambda>"
    assert r.original_expr == "lambda v: np.sqrt(v) * K"
    assert {"np", "K"} <= r.slice_roots


def test_partial_bound_keyword():
    src = ("import functools\nimport tensorflow as tf\n\n"
           "def scale(x, k=1.0):\n    return x * k\n\n"
           "y = tf.numpy_function(functools.partial(scale, k=2.0), [a], tf.float32)\n")
    module, r = resolve_only(src)
    assert r.fn.name == "scale"
    assert r.bound_keywords == {"k": 2.0}
    assert r.bound_positional == []
    assert r.original_expr == "functools.partial(scale, k=2.0)"


def test_partial_from_import_bound_name_and_constant():
    src = ("from functools import partial\nimport tensorflow as tf\nK = 4\n\n"
           "def scale(x, a, k=1.0):\n    return x * k + a\n\n"
           "sc = partial(scale, 1.5, k=K)\n"
           "y = tf.numpy_function(sc, [a], tf.float32)\n")
    module, r = resolve_only(src)
    assert r.fn.name == "scale"
    assert r.bound_positional == [1.5]
    assert r.bound_keywords == {"k": 4}
    assert r.original_expr == "sc"


def test_factory_closure():
    src = ("import numpy as np\nimport tensorflow as tf\n\n"
           "def make_clipper(lo, hi=5.0):\n"
           "    def clip(x):\n"
           "        return np.clip(x, lo, hi)\n"
           "    return clip\n\n"
           "clip = make_clipper(0.0, 1.0)\n"
           "y = tf.numpy_function(clip, [a], tf.float32)\n")
    module, r = resolve_only(src)
    assert r.fn.name == "clip"
    assert r.closure == {"lo": 0.0, "hi": 1.0}
    assert r.insert_after_line == 9


def test_factory_default_used():
    src = ("import numpy as np\nimport tensorflow as tf\n\n"
           "def make_clipper(lo, hi=5.0):\n"
           "    def clip(x):\n"
           "        return np.clip(x, lo, hi)\n"
           "    return clip\n\n"
           "clip = make_clipper(lo=-1.0)\n"
           "y = tf.numpy_function(clip, [a], tf.float32)\n")
    module, r = resolve_only(src)
    assert r.closure == {"lo": -1.0, "hi": 5.0}


def test_method_resolves_to_the_class_method_with_self_bound():
    src = ("import tensorflow as tf\n\n"
           "class Layer:\n"
           "    def _fn(self, x):\n        return x\n"
           "    def call(self, x):\n"
           "        return tf.py_function(self._fn, [x], tf.float32)\n")
    module, r = resolve_only(src)
    assert r.fn.name == "_fn" and r.method is not None and r.method.class_def.name == "Layer"
    assert len(r.bound_positional) == 1      # self


def test_inherited_method_refused_p104():
    src = ("import tensorflow as tf\n\n"
           "class Layer(Base):\n"
           "    def call(self, x):\n"
           "        return tf.py_function(self._fn, [x], tf.float32)\n")
    with pytest.raises(Refusal) as e:
        resolve_only(src)
    d = e.value.diagnostic("m.py")
    assert d.code == "P104" and "base class" in d.message
    assert d.line == 5


def test_imported_function_refused_p106():
    src = "import tensorflow as tf\nfrom mylib import f\ny = tf.numpy_function(f, [a], tf.float32)\n"
    with pytest.raises(Refusal) as e:
        resolve_only(src)
    assert e.value.diagnostic("m.py").code == "P106"


def test_module_slice_has_needs_but_not_unrelated_code():
    src = ("import numpy as np\n"
           "import tensorflow as tf\n"
           "import os\n"
           "SCALE = 2.5\n"
           "UNUSED = 7\n"
           "\n"
           "def helper(v):\n"
           "    return v * SCALE\n"
           "\n"
           "def f(x):\n"
           "    return np.abs(helper(x))\n"
           "\n"
           "def train():\n"
           "    os.system('rm -rf /')\n"
           "\n"
           "train()\n"
           "y = tf.numpy_function(f, [a], tf.float32)\n"
           "if __name__ == '__main__':\n"
           "    f(1)\n"
           "    train()\n")
    module, r = resolve_only(src)
    sl = module_slice(module, r.slice_roots)
    compile(sl, "<slice>", "exec")
    assert "SCALE = 2.5" in sl
    assert "def helper(v):" in sl
    assert "def f(x):" in sl
    assert "import numpy as np" in sl
    assert "train()" not in sl
    assert "def train" not in sl
    assert "__main__" not in sl
    assert "UNUSED" not in sl
    assert "import os" not in sl
    assert "numpy_function" not in sl
    ns = {}
    exec(sl, ns)
    assert ns["f"](-2.0) == 5.0


def test_module_slice_keeps_future_import_first():
    src = ("from __future__ import annotations\nimport tensorflow as tf\nK = 1\n"
           "def f(x):\n    return x + K\n"
           "y = tf.numpy_function(f, [a], tf.float32)\n")
    module, r = resolve_only(src)
    sl = module_slice(module, r.slice_roots)
    assert sl.startswith("from __future__ import annotations\n")
    assert "K = 1" in sl
    compile(sl, "<slice>", "exec")
