"""discover.find_sites: every spelling of the three APIs, and nothing else."""
import gast
import pytest

from transpiler.discover import find_sites


def sites(src):
    return find_sites(gast.parse(src))


@pytest.mark.parametrize("imports, call, api", [
    ("import tensorflow as tf", "tf.py_function", "tf.py_function"),
    ("import tensorflow as tf", "tf.numpy_function", "tf.numpy_function"),
    ("import tensorflow as tf", "tf.compat.v1.py_func", "tf.compat.v1.py_func"),
    ("import tensorflow as tf", "tf.py_func", "tf.compat.v1.py_func"),
    ("import tensorflow as T", "T.py_function", "tf.py_function"),
    ("import tensorflow as T", "T.numpy_function", "tf.numpy_function"),
    ("import tensorflow", "tensorflow.numpy_function", "tf.numpy_function"),
    ("from tensorflow import py_function", "py_function", "tf.py_function"),
    ("from tensorflow import numpy_function as nf", "nf", "tf.numpy_function"),
    ("from tensorflow.compat import v1", "v1.py_func", "tf.compat.v1.py_func"),
    ("import tensorflow.compat.v1 as tf1", "tf1.py_func", "tf.compat.v1.py_func"),
])
def test_call_spellings(imports, call, api):
    src = f"{imports}\nimport numpy as np\n\ndef f(x):\n    return x\n\ny = {call}(f, [a], np.float32)\n"
    found = sites(src)
    assert len(found) == 1
    s = found[0]
    assert s.api == api
    assert s.line == 7
    assert s.tout == ["float32"] and s.tout_is_list is False
    assert isinstance(s.func, gast.Name) and s.func.id == "f"
    assert not s.problems


def test_keyword_arguments():
    src = "import tensorflow as tf\ny = tf.py_function(func=f, inp=[a, b], Tout=tf.int64)\n"
    [s] = sites(src)
    assert s.api == "tf.py_function"
    assert s.func.id == "f"
    assert isinstance(s.inp, gast.List) and len(s.inp.elts) == 2
    assert s.tout == ["int64"] and not s.tout_is_list
    assert not s.problems


def test_keyword_in_other_order_and_mixed():
    src = "import tensorflow as tf\ny = tf.numpy_function(f, Tout=tf.float64, inp=[a])\n"
    [s] = sites(src)
    assert s.func.id == "f" and s.tout == ["float64"] and not s.problems


@pytest.mark.parametrize("tout, expected, is_list", [
    ("tf.float32", ["float32"], False),
    ("[tf.float32]", ["float32"], True),
    ("[tf.float32, tf.int32]", ["float32", "int32"], True),
    ("(tf.uint8, tf.float64)", ["uint8", "float64"], True),
    ("tf.dtypes.int16", ["int16"], False),
    ("tf.double", ["float64"], False),
    ("'int64'", ["int64"], False),
])
def test_tout_forms(tout, expected, is_list):
    [s] = sites(f"import tensorflow as tf\ny = tf.numpy_function(f, [a], {tout})\n")
    assert s.tout == expected
    assert s.tout_is_list is is_list


def test_unreadable_tout_is_a_problem():
    [s] = sites("import tensorflow as tf\ny = tf.numpy_function(f, [a], some_dtype)\n")
    assert s.tout is None
    assert [p.code for p in s.problems] == ["P102"]


def test_missing_tout_is_a_problem():
    [s] = sites("import tensorflow as tf\ny = tf.numpy_function(f, [a])\n")
    assert [p.code for p in s.problems] == ["P101"]


def test_user_function_named_py_function_not_found():
    src = ("import tensorflow as tf\n"
           "def py_function(f, inp, Tout):\n    return f(*inp)\n"
           "def numpy_function(f, inp, Tout):\n    return f(*inp)\n"
           "y = py_function(g, [a], tf.float32)\n"
           "z = numpy_function(g, [a], tf.float32)\n")
    assert sites(src) == []


def test_other_module_py_function_not_found():
    src = ("import mylib\nfrom other import py_function\nimport tensorflow as tf\n"
           "y = mylib.py_function(g, [a], tf.float32)\n"
           "z = py_function(g, [a], tf.float32)\n"
           "w = mylib.numpy_function(g, [a], tf.float32)\n")
    assert sites(src) == []


def test_without_tensorflow_import_nothing_found():
    src = "y = tf.py_function(g, [a], tf.float32)\n"
    assert sites(src) == []


def test_several_sites_and_scope():
    src = ("import tensorflow as tf\n"
           "class M:\n"
           "    def call(self, x):\n"
           "        return tf.py_function(self._fn, [x], tf.float32)\n"
           "def pre(x):\n"
           "    y = tf.numpy_function(lambda v: v, [x], [tf.float32])\n"
           "    return tf.numpy_function(g, [y], tf.float32)\n")
    found = sites(src)
    assert [(s.line, s.api) for s in found] == [(4, "tf.py_function"), (6, "tf.numpy_function"),
                                                  (7, "tf.numpy_function")]
    assert [type(n).__name__ for n in found[0].scope] == ["ClassDef", "FunctionDef"]
    assert [getattr(n, "name", None) for n in found[1].scope] == ["pre"]
    assert isinstance(found[1].func, gast.Lambda)
    assert found[1].tout_is_list is True


def test_nested_sites_in_dataset_map_lambda():
    src = ("import tensorflow as tf\n"
           "ds = ds.map(lambda x: tf.py_function(f, [x], tf.float32))\n")
    [s] = sites(src)
    assert s.line == 2 and s.func.id == "f"
