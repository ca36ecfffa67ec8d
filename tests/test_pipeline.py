"""convert_text: refusals with line and code, source edits, idempotence; the library API convert()."""
import ast
import importlib.util
import textwrap

import numpy as np
import pytest
import tensorflow as tf

import transpiler
from transpiler import convert
from transpiler.pipeline import convert_text

HEADER = "import numpy as np\nimport tensorflow as tf\n\n"


def one_site(body: str, sig="float32[None]", tout="tf.float32", api="tf.numpy_function", extra=""):
    src = HEADER + extra + "def f(x):\n" + textwrap.indent(textwrap.dedent(body), "    ") + "\n\n"
    src += f"y = {api}(f, [a], {tout})\n"
    r = convert_text(src, "m.py", {"f": sig}, verify=False)
    assert r.error is None
    [site] = r.sites
    return src, r, site


@pytest.mark.parametrize("body, code, line", [
    ("i = 0\ntry:\n    x = x + 1\nexcept ValueError:\n    i += 1\nreturn x", "P220", 6),
    ("return scipy.special.erf(x)", "P208", 5),
    ("return np.frombuffer(x)", "P201", 5),
    ("print(x)\nreturn x", "P221", 5),
])
def test_refusals_have_line_and_code(body, code, line):
    extra = "import scipy.special\n\n" if "scipy" in body else ""
    src, r, site = one_site(body, extra=extra)
    if extra:
        line += 2
    assert site.status == "refused"
    assert r.new_text is None
    assert site.replacement is None
    assert [d.code for d in site.reasons] == [code], [(d.code, d.message) for d in site.reasons]
    d = site.reasons[0]
    assert d.line == line, (d.line, src)
    assert d.file == "m.py"
    assert d.message


def test_numpy_function_dtype_mismatch_p303():
    # float32 mean + float64 zeros is float64, but Tout says float32: tf.numpy_function would fail at run time
    src, r, site = one_site("return np.mean(x) + np.zeros(3)", sig="float32[None]", tout="tf.float32")
    assert site.status == "refused"
    assert [d.code for d in site.reasons] == ["P303"], [(d.code, d.message) for d in site.reasons]
    assert site.reasons[0].line > 0


def test_parse_error_p501():
    r = convert_text("import tensorflow as tf\ndef f(x:\n    return x\n", "bad.py", {}, verify=False)
    assert r.error is not None
    assert r.error.code == "P501"
    assert r.error.line == 2
    assert r.sites == [] and r.new_text is None


def test_missing_signature_p111():
    src = HEADER + "def f(x):\n    return x * 2\n\ny = tf.numpy_function(f, [a], tf.float32)\n"
    r = convert_text(src, "m.py", {}, verify=False)
    [site] = r.sites
    assert [d.code for d in site.reasons] == ["P111"]
    assert r.new_text is None


PROGRAM = """\
import numpy as np
import tensorflow as tf

SCALE = 2.0


def _norm(x):
    return (x - np.mean(x)) * SCALE


def _clip(x):
    x = x.copy()
    x[x < 0] = 0
    return x


def preprocess(a):
    y = tf.numpy_function(_norm, [a], tf.float32)
    z = tf.numpy_function(func=_clip, inp=[y], Tout=tf.float32)
    return y, z
"""


def test_edit_rewrites_and_second_run_changes_nothing():
    sigs = {"_norm": "float32[None]", "_clip": "float32[None]"}
    r = convert_text(PROGRAM, "prog.py", sigs, verify=False)
    assert [s.status for s in r.sites] == ["converted", "converted"], \
        [[(d.code, d.message) for d in s.reasons] for s in r.sites]
    new = r.new_text
    assert new is not None
    ast.parse(new)
    assert "def _norm_tf(" in new and "def _clip_tf(" in new
    assert "y = _norm_tf(a)" in new
    assert "z = _clip_tf(y)" in new
    assert "numpy_function" not in new
    # the original functions stay
    assert "def _norm(x):" in new and "def _clip(x):" in new
    # the edited module runs and gives NumPy's result
    ns = {}
    exec(compile(new, "prog.py", "exec"), ns)
    a = np.array([1.0, -3.0, 5.0], np.float32)
    y, z = ns["preprocess"](tf.constant(a))
    ey = (a - np.mean(a)) * 2.0
    np.testing.assert_allclose(y.numpy(), ey, rtol=1e-6)
    np.testing.assert_allclose(z.numpy(), np.where(ey < 0, 0, ey), rtol=1e-6)
    # second run: nothing left to convert, nothing changes
    r2 = convert_text(new, "prog.py", sigs, verify=False)
    assert r2.error is None
    assert [s for s in r2.sites if s.status == "converted"] == []
    assert r2.new_text is None


def test_tf_import_added_when_missing():
    src = ("import numpy as np\nimport tensorflow as T\n\n"
           "def f(x):\n    return x * 2\n\n"
           "y = T.numpy_function(f, [a], T.float32)\n")
    r = convert_text(src, "m.py", {"f": "float32[None]"}, verify=False)
    [site] = r.sites
    assert site.status == "converted", [(d.code, d.message) for d in site.reasons]
    assert "import tensorflow as tf\n" in r.new_text
    ast.parse(r.new_text)
    assert "y = f_tf(a)" in r.new_text


def test_verify_true_passes_on_simple_function():
    src = HEADER + "def f(x):\n    return np.abs(x) + 1.0\n\ny = tf.numpy_function(f, [a], tf.float32)\n"
    r = convert_text(src, "m.py", {"f": "float32[None]"}, verify=True, examples=10, verify_timeout=60)
    [site] = r.sites
    assert site.status == "converted", [(d.code, d.message) for d in site.reasons]
    assert site.verification.get("status") == "passed"


# --- library API -------------------------------------------------------------------------------

HELPERS = """\
import numpy as np
import scipy.special


def standardize(x):
    return (x - np.mean(x)) / (np.std(x) + 1e-6)


def uses_scipy(x):
    return scipy.special.erf(x)
"""


@pytest.fixture
def helpers(tmp_path):
    path = tmp_path / "p2t_helpers_mod.py"
    path.write_text(HELPERS)
    spec = importlib.util.spec_from_file_location("p2t_helpers_mod", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_convert_api(helpers):
    native = convert(helpers.standardize, signature="float32[None]", verify=False)
    assert "tf." in native.source
    assert "np." not in native.source
    x = np.array([1.0, 2.0, 4.0, -3.0], np.float32)
    got = native(tf.constant(x)).numpy()
    expected = helpers.standardize(x)
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_convert_api_refuses_scipy(helpers):
    with pytest.raises(transpiler.ConversionError) as e:
        convert(helpers.uses_scipy, signature="float32[None]", verify=False)
    assert e.value.diagnostics
    assert e.value.diagnostics[0].code == "P208"
