"""Every public NumPy callable (numpy, numpy.linalg, numpy.fft, numpy.random) is in the op table or refused with
a reason, never both; names in the table exist in the installed NumPy."""
import inspect

import numpy as np
import pytest

import opmap
from transpiler.constants import Unknown, qualified_object

MODULES = {"numpy": np, "numpy.linalg": np.linalg, "numpy.fft": np.fft, "numpy.random": np.random}


def public_callables(modname: str) -> list[str]:
    """Functions and ufuncs a user can call; classes (dtypes, ndarray, Generator, errors) and modules are not
    op-table entries (their methods are: numpy.ndarray.*)."""
    mod = MODULES[modname]
    out = []
    for name in dir(mod):
        if name.startswith("_"):
            continue
        obj = getattr(mod, name)
        if inspect.ismodule(obj) or isinstance(obj, type) or not callable(obj):
            continue
        out.append(f"{modname}.{name}")
    return out


@pytest.mark.parametrize("modname", sorted(MODULES))
def test_every_public_callable_is_mapped_or_refused(modname):
    names = public_callables(modname)
    assert len(names) > (10 if modname != "numpy" else 300), "the enumeration found too little: check it"
    missing = [n for n in names if n not in opmap.REGISTRY and n not in opmap.UNSUPPORTED]
    assert not missing, f"neither mapped nor listed as unsupported (opmap/unsupported.py): {missing}"


def test_no_name_is_both_mapped_and_refused():
    assert not set(opmap.REGISTRY) & set(opmap.UNSUPPORTED)


def test_unsupported_reasons_are_given():
    assert all(isinstance(r, str) and len(r) > 20 for r in opmap.UNSUPPORTED.values())


def test_numpy_names_exist_in_installed_numpy():
    stale = []
    for name in list(opmap.REGISTRY) + list(opmap.UNSUPPORTED):
        if not name.startswith("numpy.") or name.startswith("numpy.ndarray.") or name == "numpy.dtype_constructor":
            continue
        try:
            qualified_object(name)
        except Unknown:
            stale.append(name)
    assert not stale, f"op-table names that the installed NumPy does not have: {stale}"


def test_supported_numpy_entries_reach_the_goal():
    rows = [r for r in opmap.table_rows() if r["status"] in ("supported", "partial")
            and r["name"].startswith("numpy.") and not r["name"].startswith(("numpy.random.", "numpy.ndarray."))]
    assert len(rows) >= 300, len(rows)
