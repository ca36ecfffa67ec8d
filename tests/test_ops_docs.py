"""docs/ops.md is what `python -m opmap.docs` renders from the op table now (regenerate it when the table changes)."""
import pathlib

import opmap
from opmap import docs

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_checked_in_docs_match_the_table():
    on_disk = (ROOT / "docs" / "ops.md").read_text()
    assert on_disk == docs.render(), "docs/ops.md is stale: run `python -m opmap.docs > docs/ops.md`"


def test_docs_list_every_row_and_count_per_module():
    text = docs.render()
    rows = opmap.table_rows()
    for r in rows:
        assert f"`{r['name']}`" in text, r["name"]
    counts = docs.coverage(rows)
    assert sum(sum(c.values()) for c in counts.values()) == len(rows)
    for m in ("numpy", "numpy.linalg", "numpy.fft", "numpy.random", "numpy.ndarray", "math", "builtins"):
        assert m in counts, m
    fake = [{"name": "numpy.a", "status": "supported", "reason": "", "target": "tf.x"},
            {"name": "numpy.b", "status": "unsupported", "reason": "why | not", "target": ""}]
    out = docs.render(fake)
    assert "| NumPy (`numpy`) | 1 | 0 | 1 | 1 |" in out and "why \\| not" in out
