"""`pyfunc2tf scan`: find py_function nodes in artefacts that already exist (SavedModels, GraphDefs).

A PyFunc / PyFuncStateless / EagerPyFunc node records only a key (`token`, e.g. "pyfunc_0") into a registry
of Python callables that lives in the process that built the graph. Loading such a model in a fresh process
fails, so the protos are read directly (saved_model_pb2 / graph_pb2), never loaded.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PY_FUNC_OPS = frozenset({"PyFunc", "PyFuncStateless", "EagerPyFunc"})

CONSEQUENCE = ("the Python callback is not saved with it: this artefact will not run in another process, "
               "in TF Serving, TFLite or on a Ray worker (`Could not find callback with key=...`)")


class ScanError(Exception):
    """The path is neither a SavedModel directory nor a GraphDef file that can be parsed."""


@dataclass
class PyFuncNode:
    op: str
    node: str             # the node's name
    function: str         # the function-library entry it sits in, or "<graph>" for the top-level graph
    token: str            # the registry key it would look up
    meta_graph: str = ""  # tags of the MetaGraph (SavedModel), e.g. "serve"

    def render(self) -> str:
        where = f"function {self.function}" if self.function != "<graph>" else "the top-level graph"
        tags = f" [meta graph {self.meta_graph}]" if self.meta_graph else ""
        token = f", callback key {self.token}" if self.token else ""
        return f"{self.op} node {self.node!r} in {where}{tags}{token}"


def _graph_nodes(graph_def, meta_graph: str = "") -> list[PyFuncNode]:
    found = []

    def token(node) -> str:
        attr = node.attr.get("token")
        return attr.s.decode("utf-8", "replace") if attr is not None else ""

    for node in graph_def.node:
        if node.op in PY_FUNC_OPS:
            found.append(PyFuncNode(node.op, node.name, "<graph>", token(node), meta_graph))
    for function in graph_def.library.function:
        for node in function.node_def:
            if node.op in PY_FUNC_OPS:
                found.append(PyFuncNode(node.op, node.name, function.signature.name, token(node), meta_graph))
    return found


def _read_saved_model(path: Path):
    from google.protobuf import text_format
    from tensorflow.core.protobuf import saved_model_pb2

    model = saved_model_pb2.SavedModel()
    if path.suffix == ".pbtxt":
        text_format.Parse(path.read_text(encoding="utf-8"), model)
    else:
        model.ParseFromString(path.read_bytes())
    return model


def scan_path(path: Path) -> list[PyFuncNode]:
    """Every py_function node of a SavedModel directory (or its saved_model.pb[txt]) or a GraphDef file."""
    from google.protobuf import message, text_format
    from tensorflow.core.framework import graph_pb2

    path = Path(path)
    if path.is_dir():
        for name in ("saved_model.pb", "saved_model.pbtxt"):
            if (path / name).is_file():
                path = path / name
                break
        else:
            raise ScanError(f"{path}: no saved_model.pb or saved_model.pbtxt in this directory")
    try:
        if path.name.startswith("saved_model."):
            model = _read_saved_model(path)
            found = []
            for meta_graph in model.meta_graphs:
                tags = ",".join(meta_graph.meta_info_def.tags)
                found += _graph_nodes(meta_graph.graph_def, tags)
            return found
        graph_def = graph_pb2.GraphDef()
        if path.suffix == ".pbtxt":
            text_format.Parse(path.read_text(encoding="utf-8"), graph_def)
        else:
            graph_def.ParseFromString(path.read_bytes())
        return _graph_nodes(graph_def)
    except OSError as e:
        raise ScanError(f"{path}: cannot read: {e.strerror or e}") from None
    except (message.DecodeError, text_format.ParseError, UnicodeDecodeError) as e:
        raise ScanError(f"{path}: not a SavedModel or GraphDef: {e}") from None


def render_scan(path: str, nodes: list[PyFuncNode]) -> str:
    if not nodes:
        return f"{path}: no PyFunc, PyFuncStateless or EagerPyFunc node; clean\n"
    n = len(nodes)
    lines = [f"{path}: {n} py_function node{'s' if n != 1 else ''}: {CONSEQUENCE}"]
    lines += [f"    {node.render()}" for node in nodes]
    lines.append("    convert the source with `pyfunc2tf convert --write` and export the model again")
    return "\n".join(lines) + "\n"
