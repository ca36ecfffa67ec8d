"""What the verifier needs to know about one site; plain data so it crosses a process boundary as JSON."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass
class VerifyJob:
    # Source that defines everything the original needs: the module's imports, the module-level
    # constants and helper defs the wrapped function reads (transitively), and its def. Never the
    # module's whole top level (many such files start a training run when imported).
    original_slice: str
    # Expression, evaluated in the slice's namespace, that gives the wrapped callable exactly as the call
    # site passes it: "_standardize", "clip_unit", "functools.partial(_gamma, gamma=2.2)".
    original_expr: str
    # Generated code defining `replacement_name`; exec'd in the same namespace after the slice (it may
    # read the slice's module constants at trace time) with `tf` bound to tensorflow.
    replacement_source: str
    replacement_name: str
    api: str                      # "tf.py_function" | "tf.numpy_function" | "tf.compat.v1.py_func"
    tout: list[str]               # TF dtype names, e.g. ["float32", "int64"]
    tout_is_list: bool            # Tout given as a list/tuple: the call returns a list
    signature: list[list] = field(default_factory=list)  # [[dtype, [dims...]], ...]; dims int or None
    examples: int = 50
    seed: int = 0
    deadline_s: float = 60.0
    # The slice's own package (`__package__`, for its relative imports) and the directories its package
    # imports from (appended to sys.path): set for a function imported from another module of the tree.
    package: str = ""
    import_roots: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "VerifyJob":
        return cls(**json.loads(text))
