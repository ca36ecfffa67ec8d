"""The op table: consistent statuses, targets that exist in the installed TensorFlow, coverage."""
import pathlib
import re

import pytest
import tensorflow as tf

import opmap

TF_PATH = re.compile(r"\btf\.[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
ROOT = pathlib.Path(__file__).resolve().parent.parent


def tf_attr_exists(path: str) -> bool:
    obj = tf
    for part in path.split(".")[1:]:
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


def test_no_name_both_supported_and_unsupported():
    rows = opmap.table_rows()
    by_name = {}
    for r in rows:
        by_name.setdefault(r["name"], set()).add(r["status"])
    both = {n for n, st in by_name.items() if "unsupported" in st and st & {"supported", "partial"}}
    assert not both
    assert not set(opmap.REGISTRY) & set(opmap.UNSUPPORTED)
    names = [r["name"] for r in rows]
    assert len(names) == len(set(names))


def test_statuses_are_known_and_rows_sorted():
    rows = opmap.table_rows()
    assert {r["status"] for r in rows} <= {"supported", "partial", "unsupported"}
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)
    for r in rows:
        if r["status"] == "unsupported":
            assert r["reason"], r["name"]
        if r["status"] == "partial":
            assert r["reason"], f"{r['name']} is partial but says not what is limited"


def test_every_tf_target_exists():
    missing = []
    for e in opmap.REGISTRY.values():
        for path in TF_PATH.findall(e.target):
            if not tf_attr_exists(path):
                missing.append((e.name, path))
    assert not missing
    assert sum(1 for e in opmap.REGISTRY.values() if TF_PATH.search(e.target)) > 100


def test_every_tf_call_in_lowering_code_exists():
    """The tf.* paths the lowering code writes into generated source must exist too, not only `target`."""
    missing = set()
    files = list((ROOT / "opmap").glob("*.py")) + list((ROOT / "transpiler" / "lower").glob("*.py")) \
        + [ROOT / "transpiler" / "emit.py"]
    for f in files:
        for path in TF_PATH.findall(f.read_text()):
            if not tf_attr_exists(path):
                missing.add((f.name, path))
    assert not missing


def test_at_least_100_numpy_rows_supported_or_partial():
    rows = [r for r in opmap.table_rows() if r["name"].startswith("numpy.")
            and r["status"] in ("supported", "partial")]
    assert len(rows) >= 100, len(rows)


@pytest.mark.parametrize("name", ["numpy.mean", "numpy.argmax", "numpy.floor_divide", "numpy.round",
                                  "numpy.zeros", "numpy.ndarray.astype", "numpy.max"])
def test_core_ops_present(name):
    assert name in opmap.REGISTRY


def test_other_libraries_are_not_in_the_table():
    assert not [n for n in opmap.REGISTRY if n.split(".")[0] in ("scipy", "pandas", "torch", "jax", "sklearn")]
