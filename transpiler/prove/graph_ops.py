"""Proof: no py_function op is left in the traced graph, nor in any function it calls.

A traced function keeps the bodies of tf.cond / tf.while_loop / nested tf.functions as separate functions in
its graph's library; a PyFunc hidden in a loop body is in there, not among the top graph's operations. The
library of `graph.as_graph_def()` holds every function reachable from the graph, transitively, so walking
it covers any depth of nesting.
"""
from __future__ import annotations

from typing import Callable

import tensorflow as tf

from . import FAILED, PASSED, proof
from .context import ProofContext

PYFUNC_OPS = frozenset({"PyFunc", "PyFuncStateless", "EagerPyFunc"})


def pyfunc_ops(concrete) -> tuple[list[tuple[str, str]], int, int]:
    """([(where, op type), ...] for every py_function op, ops checked, library functions walked)."""
    found = [("the top graph", op.type) for op in concrete.graph.get_operations() if op.type in PYFUNC_OPS]
    checked = len(concrete.graph.get_operations())
    library = concrete.graph.as_graph_def().library.function
    for function in library:
        checked += len(function.node_def)
        found += [(f"function {function.signature.name}", node.op) for node in function.node_def
                  if node.op in PYFUNC_OPS]
    return found, checked, len(library)


def prove(fn: Callable, ctx: ProofContext) -> dict:
    concrete = tf.function(fn, input_signature=ctx.specs, autograph=False).get_concrete_function()
    found, checked, functions = pyfunc_ops(concrete)
    if found:
        where = "; ".join(f"{op} in {place}" for place, op in found[:4])
        more = f" (and {len(found) - 4} more)" if len(found) > 4 else ""
        result = proof(FAILED, f"the traced graph still calls Python: {where}{more}")
        result["short"] = ", ".join(sorted({op for _, op in found}))
        return result
    return proof(PASSED, f"no PyFunc/EagerPyFunc/PyFuncStateless among {checked} ops of the traced graph and "
                         f"the {functions} function{'s' if functions != 1 else ''} of its library "
                         f"(cond/while bodies, nested functions)")
