"""Sites whose wrapped function is imported from another module of the tree: the replacement goes beside the
function in its own module, the call site imports it, both files are written together or not at all."""
import hashlib
import importlib.util
import json
import os

import numpy as np
from typer.testing import CliRunner

from cli import app
from transpiler import batch, files

runner = CliRunner()

SNIPPETS = """\
import numpy as np

SCALE = 2.5
OFFSET = 0.5


def _shift(x):
    return x + OFFSET


def generate_anchors_pre(x):
    return (_shift(x) * SCALE).astype(np.float32)


def train():
    raise SystemExit("never run by the converter")
"""

NETWORK = """\
import tensorflow as tf
from layer_utils.snippets import generate_anchors_pre


def build(x):
    return tf.numpy_function(generate_anchors_pre, [x], tf.float32)
"""

SIG = ["--signature", "generate_anchors_pre=float32[None]"]


def hashes(root):
    return {os.path.relpath(os.path.join(d, f), root): hashlib.sha256(open(os.path.join(d, f), "rb").read()).hexdigest()
            for d, _, files in os.walk(root) for f in files if f.endswith(".py")}


def package(root, files):
    """Write {relative path: text}; every folder below `root` on the way gets an __init__.py unless listed."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for rel in files:
        parent = (root / rel).parent
        while parent != root and parent.is_relative_to(root):
            init = parent / "__init__.py"
            if not init.exists():
                init.write_text("")
            parent = parent.parent


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def convert(*args):
    return runner.invoke(app, ["convert", *map(str, args), "--jobs", "1"])


def assert_same(module_path, name, fn="generate_anchors_pre"):
    """The generated def, imported with its module, against the original function of the same module."""
    module = load(module_path, name)
    original, native = getattr(module, fn), getattr(module, fn + "_tf")
    for x in (np.array([0.0, -1.5, 3.25, 1e6], np.float32), np.zeros([0], np.float32)):
        expected = original(x.copy())
        got = native(x).numpy()
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_absolute_import_verified_helper_and_constant_of_the_other_module(tmp_path):
    # tf-faster-rcnn's layout: lib/ is put on sys.path, its folders are packages
    (tmp_path / "lib").mkdir()
    package(tmp_path / "lib", {"layer_utils/snippets.py": SNIPPETS, "nets/network.py": NETWORK})
    report = tmp_path / "report.json"
    result = runner.invoke(app, ["convert", str(tmp_path), "--write", "--jobs", "1", "--examples", "8",
                                 "--report", str(report), *SIG])
    assert result.exit_code == 0, result.output
    [site] = json.loads(report.read_text())["sites"]
    assert site["status"] == "converted" and site["verification"]["status"] == "passed"
    assert site["file"].endswith("network.py") and site["replacement"] == "generate_anchors_pre_tf"

    network = (tmp_path / "lib/nets/network.py").read_text()
    assert network == NETWORK.replace(
        "import generate_anchors_pre\n", "import generate_anchors_pre, generate_anchors_pre_tf\n").replace(
        "tf.numpy_function(generate_anchors_pre, [x], tf.float32)", "generate_anchors_pre_tf(x)")
    snippets = (tmp_path / "lib/layer_utils/snippets.py").read_text()
    assert snippets.startswith("import numpy as np\nimport tensorflow as tf\n")
    assert snippets.index("def generate_anchors_pre_tf") > snippets.index("def generate_anchors_pre(")
    assert snippets.index("def generate_anchors_pre_tf") < snippets.index("def train")
    assert_same(tmp_path / "lib/layer_utils/snippets.py", "cm_abs_snippets")

    before = hashes(tmp_path)
    again = runner.invoke(app, ["convert", str(tmp_path), "--write", "--jobs", "1", *SIG])
    assert again.exit_code == 0 and hashes(tmp_path) == before
    assert "pyfunc2tf: wrote" not in again.stderr


def test_relative_imports_and_module_attributes(tmp_path):
    package(tmp_path, {
        "pkg/ops/snippets.py": SNIPPETS,
        "pkg/ops/a.py": NETWORK.replace("from layer_utils.snippets import", "from .snippets import"),
        "pkg/models/b.py": NETWORK.replace("from layer_utils.snippets import", "from ..ops.snippets import"),
        "pkg/models/c.py": NETWORK.replace("from layer_utils.snippets import generate_anchors_pre",
                                           "import pkg.ops.snippets as sn").replace(
            "numpy_function(generate_anchors_pre", "numpy_function(sn.generate_anchors_pre"),
        "pkg/models/d.py": NETWORK.replace("from layer_utils.snippets import generate_anchors_pre",
                                           "from ..ops import snippets").replace(
            "numpy_function(generate_anchors_pre", "numpy_function(snippets.generate_anchors_pre"),
    })
    result = convert(tmp_path, "--write", "--no-verify", *SIG)
    assert result.exit_code == 0, result.output
    pkg = tmp_path / "pkg"
    assert "from .snippets import generate_anchors_pre, generate_anchors_pre_tf\n" in (pkg / "ops/a.py").read_text()
    assert "from ..ops.snippets import generate_anchors_pre, generate_anchors_pre_tf\n" in \
        (pkg / "models/b.py").read_text()
    c, d = (pkg / "models/c.py").read_text(), (pkg / "models/d.py").read_text()
    assert "import pkg.ops.snippets as sn\n" in c and "return sn.generate_anchors_pre_tf(x)" in c
    assert "from ..ops import snippets\n" in d and "return snippets.generate_anchors_pre_tf(x)" in d
    # four call sites of one function with one signature: one replacement
    snippets = (pkg / "ops/snippets.py").read_text()
    assert snippets.count("def generate_anchors_pre_tf(") == 1
    assert_same(pkg / "ops/snippets.py", "cm_rel_snippets")


def test_two_sites_in_different_modules_share_one_replacement_in_worker_processes(tmp_path):
    package(tmp_path, {"layer_utils/snippets.py": SNIPPETS, "nets/one.py": NETWORK, "nets/two.py": NETWORK})
    result = runner.invoke(app, ["convert", str(tmp_path), "--write", "--no-verify", "--jobs", "2", *SIG])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "layer_utils/snippets.py").read_text().count("def generate_anchors_pre_tf(") == 1
    for name in ("one", "two"):
        assert "generate_anchors_pre_tf(x)" in (tmp_path / f"nets/{name}.py").read_text()


def test_a_new_call_site_of_a_function_converted_before_reuses_its_replacement(tmp_path):
    package(tmp_path, {"layer_utils/snippets.py": SNIPPETS, "nets/one.py": NETWORK})
    assert convert(tmp_path, "--write", "--no-verify", *SIG).exit_code == 0
    converted = (tmp_path / "layer_utils/snippets.py").read_text()
    (tmp_path / "nets/two.py").write_text(NETWORK)
    result = convert(tmp_path, "--write", "--no-verify", *SIG)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "layer_utils/snippets.py").read_text() == converted     # recognised, not added again
    two = (tmp_path / "nets/two.py").read_text()
    assert "import generate_anchors_pre, generate_anchors_pre_tf\n" in two and "generate_anchors_pre_tf(x)" in two


def test_a_file_named_alone_finds_its_package_and_a_reexport_is_followed(tmp_path):
    package(tmp_path, {"proj/layer_utils/snippets.py": SNIPPETS,
                       "proj/layer_utils/__init__.py": "from .snippets import generate_anchors_pre\n",
                       "proj/nets/network.py": NETWORK.replace("from layer_utils.snippets import",
                                                               "from proj.layer_utils import")})
    caller = tmp_path / "proj/nets/network.py"
    result = convert(caller, "--write", "--no-verify", *SIG)
    assert result.exit_code == 0, result.output
    text = caller.read_text()
    # proj.layer_utils does not define it: a new import line from the module that does
    assert "from proj.layer_utils import generate_anchors_pre\nfrom proj.layer_utils.snippets import " \
           "generate_anchors_pre_tf\n" in text
    assert (tmp_path / "proj/layer_utils/__init__.py").read_text() == "from .snippets import generate_anchors_pre\n"
    assert "def generate_anchors_pre_tf(" in (tmp_path / "proj/layer_utils/snippets.py").read_text()


def test_a_function_from_outside_the_tree_is_refused_with_where_it_resolves(tmp_path):
    (tmp_path / "m.py").write_text("import tensorflow as tf\nfrom numpy.linalg import norm\n\n\n"
                                   "def f(x):\n    return tf.numpy_function(norm, [x], tf.float64)\n")
    before = hashes(tmp_path)
    result = convert(tmp_path, "--write", "--no-verify", "--signature", "norm=float64[None]")
    assert result.exit_code == 1
    assert "P106" in result.stdout and "numpy.linalg" in result.stdout
    assert "site-packages" in result.stdout and "outside the converted tree" in result.stdout
    assert hashes(tmp_path) == before


def test_a_module_missing_from_the_tree_is_refused(tmp_path):
    (tmp_path / "m.py").write_text(NETWORK)
    result = convert(tmp_path, "--no-verify", *SIG)
    assert result.exit_code == 1 and "P106" in result.stdout and "not found under" in result.stdout


def test_both_files_or_neither_a_definition_module_that_cannot_be_written(tmp_path, monkeypatch):
    package(tmp_path, {"layer_utils/snippets.py": SNIPPETS, "nets/network.py": NETWORK,
                       "nets/local.py": NETWORK.replace("from layer_utils.snippets import generate_anchors_pre\n",
                                                        "import numpy as np\n\n\ndef own(x):\n    return x * 2\n")
                       .replace("numpy_function(generate_anchors_pre", "numpy_function(own")})
    real_mkstemp = files.tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):    # the folder refuses new files (as root, modes do not)
        if str(dir).endswith("layer_utils"):
            raise PermissionError(13, "Permission denied")
        return real_mkstemp(*args, dir=dir, **kwargs)
    monkeypatch.setattr(files.tempfile, "mkstemp", mkstemp)
    before = hashes(tmp_path)
    result = runner.invoke(app, ["convert", str(tmp_path), "--write", "--no-verify", "--jobs", "1", *SIG,
                                 "--signature", "own=float32[None]"])
    assert result.exit_code == 1
    assert "P505" in result.stdout and "cannot write beside it" in result.stdout
    after = hashes(tmp_path)
    assert after["layer_utils/snippets.py"] == before["layer_utils/snippets.py"]
    assert after["nets/network.py"] == before["nets/network.py"]     # its call would import a missing def
    assert after["nets/local.py"] != before["nets/local.py"]         # not tied to it: written
    assert not [f for f in os.listdir(tmp_path / "nets") if f.endswith(".tmp")]


def test_both_files_or_neither_a_definition_module_changed_during_the_run(tmp_path, monkeypatch):
    import transpiler.cross_module as batch
    package(tmp_path, {"layer_utils/snippets.py": SNIPPETS, "nets/network.py": NETWORK})
    snippets = tmp_path / "layer_utils/snippets.py"
    real_link = batch.link_modules

    def link_then_edit(outcomes):
        linked = real_link(outcomes)
        snippets.write_text(SNIPPETS + "# edited by someone else meanwhile\n")
        return linked
    monkeypatch.setattr(batch, "link_modules", link_then_edit)
    before = hashes(tmp_path)
    result = convert(tmp_path, "--write", "--no-verify", *SIG)
    assert result.exit_code == 1 and "changed on disk" in result.stdout
    assert hashes(tmp_path)["nets/network.py"] == before["nets/network.py"]
    assert snippets.read_text().endswith("meanwhile\n")


def test_diff_shows_both_files_and_writes_nothing(tmp_path):
    package(tmp_path, {"layer_utils/snippets.py": SNIPPETS, "nets/network.py": NETWORK})
    before = hashes(tmp_path)
    result = convert(tmp_path, "--diff", "--no-verify", *SIG)
    assert result.exit_code == 0, result.output
    assert f"+++ b/{tmp_path / 'layer_utils/snippets.py'}" in result.stdout
    assert "+from layer_utils.snippets import generate_anchors_pre, generate_anchors_pre_tf" in result.stdout
    assert hashes(tmp_path) == before


def test_check_counts_a_cross_module_site_as_convertible(tmp_path):
    package(tmp_path, {"layer_utils/snippets.py": SNIPPETS, "nets/network.py": NETWORK})
    result = runner.invoke(app, ["check", str(tmp_path), "--no-verify", *SIG])
    assert result.exit_code == 1 and "P601" in result.stdout and "network.py:6:" in result.stdout
    assert convert(tmp_path, "--write", "--no-verify", *SIG).exit_code == 0
    assert runner.invoke(app, ["check", str(tmp_path), "--no-verify", *SIG]).exit_code == 0


def test_a_notebook_importing_a_module_of_its_folder(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook
    (tmp_path / "snippets.py").write_text(SNIPPETS)
    nb = new_notebook()
    nb.cells = [new_code_cell("import tensorflow as tf\nfrom snippets import generate_anchors_pre"),
                new_code_cell("y = tf.numpy_function(generate_anchors_pre, [x], tf.float32)")]
    nbformat.write(nb, str(tmp_path / "demo.ipynb"))
    result = convert(tmp_path, "--write", "--no-verify", *SIG)
    assert result.exit_code == 0, result.output
    cells = nbformat.read(str(tmp_path / "demo.ipynb"), as_version=4).cells
    assert cells[0].source.endswith("from snippets import generate_anchors_pre, generate_anchors_pre_tf")
    assert cells[1].source == "y = generate_anchors_pre_tf(x)"
    assert_same(tmp_path / "snippets.py", "cm_nb_snippets")


def test_a_read_only_file_is_written_when_the_os_lets_this_user_write_it(tmp_path):
    # root may write any file (a corpus copied with mode 444 is converted in place, mode kept); others may not
    path = tmp_path / "m.py"
    path.write_text("import tensorflow as tf\n" + SNIPPETS + NETWORK.split("\n\n\n")[1])
    path.chmod(0o444)
    before = path.read_bytes()
    result = runner.invoke(app, ["convert", str(path), "--write", "--no-verify", *SIG])
    if os.access(path, os.W_OK):
        assert result.exit_code == 0 and path.read_bytes() != before
    else:
        assert result.exit_code == 1 and "P505" in result.stdout and path.read_bytes() == before
    assert path.stat().st_mode & 0o777 == 0o444


def test_two_signatures_of_one_function_the_second_waits_for_a_second_run(tmp_path):
    caller = """\
import tensorflow as tf
from layer_utils.snippets import generate_anchors_pre


@tf.function(input_signature=[tf.TensorSpec({shape}, tf.float32)])
def build(x):
    return tf.numpy_function(generate_anchors_pre, [x], tf.float32)
"""
    package(tmp_path, {"layer_utils/snippets.py": SNIPPETS, "nets/a.py": caller.format(shape="[None]"),
                       "nets/b.py": caller.format(shape="[None, 3]")})
    first = convert(tmp_path, "--write", "--no-verify")
    assert first.exit_code == 1
    assert "b.py:7: generate_anchors_pre  REFUSED" in first.stdout and "run the conversion again" in first.stdout
    assert "generate_anchors_pre_tf(x)" in (tmp_path / "nets/a.py").read_text()
    assert (tmp_path / "nets/b.py").read_text() == caller.format(shape="[None, 3]")
    second = convert(tmp_path, "--write", "--no-verify")
    assert second.exit_code == 0, second.output
    assert "generate_anchors_pre_tf2(x)" in (tmp_path / "nets/b.py").read_text()
    snippets = (tmp_path / "layer_utils/snippets.py").read_text()
    assert "TensorSpec([None], tf.float32)" in snippets and "TensorSpec([None, 3], tf.float32)" in snippets
    assert_same(tmp_path / "layer_utils/snippets.py", "cm_two_sigs")


def test_a_module_symlinked_from_outside_the_tree_is_not_edited(tmp_path):
    outside = tmp_path / "outside_snippets.py"
    outside.write_text(SNIPPETS)
    tree = tmp_path / "tree"
    package(tree, {"nets/network.py": NETWORK, "layer_utils/__init__.py": ""})
    (tree / "layer_utils/snippets.py").symlink_to(outside)
    before = hashes(tree)
    result = convert(tree, "--write", "--no-verify", *SIG)
    assert result.exit_code == 1 and "P106" in result.stdout
    assert outside.read_text() == SNIPPETS and hashes(tree) == before


def test_a_module_without_imports_gets_tensorflow_after_its_docstring(tmp_path):
    package(tmp_path, {"util/maths.py": '"""Small maths."""\n\n\ndef double(x):\n    return x * 2.0\n',
                       "nets/network.py": "import tensorflow as tf\nfrom util import maths\n\n\ndef build(x):\n"
                                          "    return tf.numpy_function(maths.double, [x], tf.float32)\n"})
    result = convert(tmp_path, "--write", "--examples", "5", "--signature", "double=float32[None]")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "util/maths.py").read_text()
    assert text.startswith('"""Small maths."""\nimport tensorflow as tf\n\n\ndef double(x):')
    assert "return maths.double_tf(x)" in (tmp_path / "nets/network.py").read_text()
    assert_same(tmp_path / "util/maths.py", "cm_maths", "double")


def test_the_defining_module_with_a_site_of_its_own_gets_one_def(tmp_path):
    own_site = SNIPPETS.replace("import numpy as np\n", "import numpy as np\nimport tensorflow as tf\n") + \
        "\n\ndef local(x):\n    return tf.numpy_function(generate_anchors_pre, [x], tf.float32)\n"
    package(tmp_path, {"layer_utils/snippets.py": own_site, "nets/network.py": NETWORK})
    result = convert(tmp_path, "--write", "--no-verify", *SIG)
    assert result.exit_code == 0, result.output
    snippets = (tmp_path / "layer_utils/snippets.py").read_text()
    assert snippets.count("def generate_anchors_pre_tf(") == 1 and "return generate_anchors_pre_tf(x)" in snippets
    assert snippets.count("import tensorflow as tf") == 1
    assert "generate_anchors_pre_tf(x)" in (tmp_path / "nets/network.py").read_text()
    before = hashes(tmp_path)
    assert convert(tmp_path, "--write", "--no-verify", *SIG).exit_code == 0 and hashes(tmp_path) == before
