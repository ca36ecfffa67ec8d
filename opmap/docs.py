"""docs/ops.md, generated from the op table: `python -m opmap.docs > docs/ops.md`.

tests/test_ops_docs.py checks that the checked-in file equals what this renders, so it cannot go stale.
"""
from __future__ import annotations

from collections import Counter

MODULE_ORDER = ("numpy", "numpy.linalg", "numpy.fft", "numpy.random", "numpy.ndarray", "math", "builtins", "random",
                "str", "bytes", "re")
MODULE_TITLES = {"numpy": "NumPy (`numpy`)", "numpy.linalg": "`numpy.linalg`", "numpy.fft": "`numpy.fft`",
                 "numpy.random": "`numpy.random`", "numpy.ndarray": "ndarray methods",
                 "math": "`math`", "builtins": "builtins", "random": "`random` (standard library)",
                 "str": "`str` methods", "bytes": "`bytes` methods", "re": "`re` (standard library)"}


def module_of(name: str) -> str:
    for prefix in ("numpy.linalg.", "numpy.fft.", "numpy.random.", "numpy.ndarray."):
        if name.startswith(prefix):
            return prefix[:-1]
    return name.split(".")[0]


def coverage(rows: list[dict]) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for r in rows:
        out.setdefault(module_of(r["name"]), Counter())[r["status"]] += 1
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _modules(counts) -> list[str]:
    return [m for m in MODULE_ORDER if m in counts] + sorted(m for m in counts if m not in MODULE_ORDER)


def render(rows: list[dict] | None = None) -> str:
    if rows is None:
        import opmap
        from .user_entries import USER_NAMES
        rows = [r for r in opmap.table_rows() if r["name"] not in USER_NAMES]   # the tool's own table
    counts = coverage(rows)
    lines = ["# The op table", "",
             "Generated from `opmap/` by `python -m opmap.docs > docs/ops.md`; do not edit by hand "
             "(tests/test_ops_docs.py compares). `supported`: converted with NumPy's semantics; `partial`: converted, "
             "with the arguments or cases named in the last column refused (never approximated); `unsupported`: "
             "refused, with the reason. Every converted entry has property tests against NumPy "
             "(tests/test_op_properties.py).", "",
             "## Coverage", "", "| module | supported | partial | unsupported | converted |", "|---|---:|---:|---:|---:|"]
    total = Counter()
    for m in _modules(counts):
        c = counts[m]
        total.update(c)
        lines.append(f"| {MODULE_TITLES.get(m, m)} | {c['supported']} | {c['partial']} | {c['unsupported']} | "
                     f"{c['supported'] + c['partial']} |")
    lines.append(f"| **all** | {total['supported']} | {total['partial']} | {total['unsupported']} | "
                 f"{total['supported'] + total['partial']} |")
    numpy_conv = sum(counts.get(m, Counter())["supported"] + counts.get(m, Counter())["partial"]
                     for m in ("numpy", "numpy.linalg", "numpy.fft"))
    lines += ["", f"`numpy`, `numpy.linalg` and `numpy.fft` together: {numpy_conv} converted names.", ""]
    for m in _modules(counts):
        conv = [r for r in rows if module_of(r["name"]) == m and r["status"] != "unsupported"]
        if not conv:
            continue
        lines += [f"## {MODULE_TITLES.get(m, m)}", "", "| name | status | TF target | limitations |", "|---|---|---|---|"]
        for r in conv:
            target = f"`{r['target']}`" if r["target"] else ""
            lines.append(f"| `{r['name']}` | {r['status']} | {target} | {_cell(r['reason'])} |")
        lines.append("")
    lines += ["## Unsupported, by reason", ""]
    by_reason: dict[str, list[str]] = {}
    for r in rows:
        if r["status"] == "unsupported":
            by_reason.setdefault(r["reason"], []).append(r["name"])
    for reason in sorted(by_reason, key=lambda k: (-len(by_reason[k]), k)):
        names = ", ".join(f"`{n}`" for n in sorted(by_reason[reason]))
        lines += [f"- {_cell(reason)}: {names}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys
    sys.stdout.write(render())
