"""Which local name means which qualified thing: `np` -> `numpy`, `uint8` -> `tensorflow.uint8`.

Built once per module from every import statement (module level and inside functions: users import
NumPy inside the wrapped function too). Later stages key everything by qualified name, never by the
spelling in the user's file.
"""
from __future__ import annotations

import gast


class ImportTable:
    def __init__(self, tree: gast.AST):
        self.aliases: dict[str, str] = {}
        for node in gast.walk(tree):
            if isinstance(node, gast.Import):
                for a in node.names:
                    if a.asname:
                        self.aliases[a.asname] = a.name
                    else:  # `import numpy.linalg` binds `numpy`
                        top = a.name.split(".")[0]
                        self.aliases[top] = top
            elif isinstance(node, gast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    if a.name != "*":
                        self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"

    def qualify(self, node: gast.AST) -> str | None:
        """`tf.compat.v1.py_func` -> `tensorflow.compat.v1.py_func`; None when the base is not an import."""
        parts = []
        while isinstance(node, gast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, gast.Name) or node.id not in self.aliases:
            return None
        return ".".join([self.aliases[node.id]] + parts[::-1])


def dotted(node: gast.AST) -> str | None:
    """`self._fn` -> "self._fn": the callable as written, for messages and --signature keys."""
    parts = []
    while isinstance(node, gast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, gast.Name):
        return ".".join([node.id] + parts[::-1])
    return None
