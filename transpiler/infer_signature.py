"""A site's argument specs when `--signature` does not give them, read from what the file itself declares.

The wrapped function receives the tensors of the call's `inp`. Their dtypes and shapes are known when the
function around the call declares its own inputs:

  - `@tf.function(input_signature=[tf.TensorSpec(...), ...])`, or `tf.function(fn, input_signature=...)`
    anywhere in the module;
  - a dataset whose element spec the file spells out, mapped with that function:
    `tf.data.Dataset.from_generator(gen, output_signature=(...)).batch(8).map(fn)` (also through a variable).

Each input expression is then followed through the few TF calls that set or keep a dtype (`tf.cast`,
`tf.identity`, `tf.convert_to_tensor`, arithmetic between tensors of one dtype, local assignments before the
call). Whatever cannot be followed is refused with P111 naming the input: a guessed dtype would make a
replacement that computes something else.
"""
from __future__ import annotations

from dataclasses import dataclass

import gast

from .diagnostics import Refusal
from .signature import DTYPES, ArgSpec

_TF_DTYPE_ALIASES = {"half": "float16", "double": "float64", "float": "float32"}
_KEEPS_SPEC = {"tensorflow.identity", "tensorflow.stop_gradient", "tensorflow.convert_to_tensor"}
_CASTS = {"tensorflow.cast", "tensorflow.dtypes.cast"}
# Dataset methods that leave the element spec as it is.
_SAME_ELEMENT = {"shuffle", "prefetch", "repeat", "cache", "take", "skip", "filter", "with_options", "shard",
                 "ignore_errors", "apply_options"}
_SAME_DTYPE_OPS = (gast.Add, gast.Sub, gast.Mult, gast.Mod, gast.FloorDiv, gast.Pow)


@dataclass
class Inferred:
    specs: list[ArgSpec]
    source: str            # where the specs come from, for the report


class _Unknown(Exception):
    """Something on the way cannot be read statically; the message says what."""


def infer_signature(module, site) -> Inferred:
    try:
        return _infer(module, site)
    except _Unknown as e:
        fn = site.func
        name = getattr(fn, "id", None) or getattr(fn, "attr", None) or "FN"
        raise Refusal("P111", f"no --signature for this site and none can be inferred ({e}): pass "
                              f"--signature {name}=SPEC (e.g. float32[None])", site.call) from None


def _infer(module, site) -> Inferred:
    enclosing = next((s for s in reversed(site.scope) if isinstance(s, gast.FunctionDef)), None)
    if enclosing is None:
        raise _Unknown("the call is not inside a function that declares its inputs")
    params, source = _declared_params(module, site, enclosing)
    env = _locals_before(module, enclosing, site.call.lineno, params)
    if not isinstance(site.inp, (gast.List, gast.Tuple)):
        raise _Unknown("`inp` is not a list literal")
    specs = []
    for i, elt in enumerate(site.inp.elts, 1):
        spec = _spec_of(module, elt, env)
        if spec is None:
            raise _Unknown(f"input {i} `{gast.unparse(elt).strip()}` is not traceable to a declared spec")
        specs.append(spec)
    return Inferred(specs, source)


# --- what the enclosing function declares -------------------------------------------------------------------

def _declared_params(module, site, fn: gast.FunctionDef) -> tuple[dict[str, ArgSpec], str]:
    names = [a.id for a in fn.args.posonlyargs + fn.args.args]
    in_class = len(site.scope) >= 2 and isinstance(site.scope[site.scope.index(fn) - 1], gast.ClassDef)
    if in_class and names and names[0] in ("self", "cls"):
        names = names[1:]
    for declared, source in _declarations(module, fn):
        specs = [_tensor_spec(module, e) for e in declared]
        if len(specs) != len(names):
            raise _Unknown(f"{source} declares {len(specs)} inputs for {len(names)} parameters")
        if any(s is None for s in specs):
            raise _Unknown(f"{source} holds a spec that cannot be read statically")
        return dict(zip(names, specs)), source
    raise _Unknown(f"`{fn.name}` declares no input_signature and is mapped over no dataset with a visible "
                   f"element spec")


def _declarations(module, fn: gast.FunctionDef):
    """(list of spec expressions, description) for each place that declares fn's inputs."""
    q = module.imports.qualify
    for d in fn.decorator_list:
        if isinstance(d, gast.Call) and q(d.func) == "tensorflow.function":
            sig = _keyword(d, "input_signature")
            if sig is not None:
                yield _elements(module, sig), f"the input_signature of `{fn.name}` (line {d.lineno})"
    for node in gast.walk(module.tree):
        if not isinstance(node, gast.Call) or not node.args:
            continue
        first = node.args[0]
        if not (isinstance(first, gast.Name) and first.id == fn.name):
            continue
        if q(node.func) == "tensorflow.function":
            sig = _keyword(node, "input_signature")
            if sig is not None:
                yield _elements(module, sig), f"the input_signature given to tf.function(`{fn.name}`) " \
                                              f"(line {node.lineno})"
        elif isinstance(node.func, gast.Attribute) and node.func.attr == "map":
            element = _dataset_element(module, node.func.value, depth=0)
            if element is not None:
                yield element, f"the element spec of the dataset mapped with `{fn.name}` (line {node.lineno})"


def _elements(module, node) -> list:
    node = _module_value(module, node)
    if isinstance(node, (gast.List, gast.Tuple)):
        return list(node.elts)
    raise _Unknown("an input_signature that is not a list literal")


def _dataset_element(module, node, depth: int):
    """The element spec expressions of a dataset expression (tuple elements unpack into map's arguments)."""
    if depth > 20:
        return None
    if isinstance(node, gast.Name):
        value = _assignment_before(module, node.id, node.lineno)
        return None if value is None else _dataset_element(module, value, depth + 1)
    if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)):
        return None
    method = node.func.attr
    if method in _SAME_ELEMENT:
        return _dataset_element(module, node.func.value, depth + 1)
    if method == "batch":
        inner = _dataset_element(module, node.func.value, depth + 1)
        return None if inner is None else [("batched", e) for e in inner]
    if method == "from_generator" and (module.imports.qualify(node.func.value) or "").endswith("data.Dataset"):
        sig = _keyword(node, "output_signature")
        if sig is None:
            return None
        sig = _module_value(module, sig)
        return list(sig.elts) if isinstance(sig, gast.Tuple) else [sig]
    return None


def _tensor_spec(module, node) -> ArgSpec | None:
    if isinstance(node, tuple):               # ("batched", spec): a leading dimension of unknown size
        inner = _tensor_spec(module, node[1])
        return None if inner is None else ArgSpec(inner.dtype, (None,) + inner.shape)
    node = _module_value(module, node)
    if not (isinstance(node, gast.Call) and (module.imports.qualify(node.func) or "").endswith("TensorSpec")):
        return None
    shape = node.args[0] if node.args else _keyword(node, "shape")
    dtype = node.args[1] if len(node.args) > 1 else _keyword(node, "dtype")
    dims = _static_shape(module, shape)
    name = "float32" if dtype is None else _dtype_name(module, dtype)
    if dims is None or name is None:
        return None
    return ArgSpec(name, dims)


def _static_shape(module, node):
    node = _module_value(module, node)
    if isinstance(node, gast.Call) and (module.imports.qualify(node.func) or "").endswith("TensorShape"):
        node = node.args[0] if node.args else None
    if not isinstance(node, (gast.List, gast.Tuple)):
        return None          # no shape, or None: unknown rank, which a signature cannot say
    dims = []
    for e in node.elts:
        if isinstance(e, gast.Constant) and (e.value is None or type(e.value) is int):
            dims.append(e.value)
        else:
            return None
    return tuple(dims)


def _dtype_name(module, node) -> str | None:
    if isinstance(node, gast.Constant) and isinstance(node.value, str):
        name = node.value
    else:
        q = module.imports.qualify(node) or ""
        if not q.startswith("tensorflow."):
            return None
        name = q.rsplit(".", 1)[-1]
    name = _TF_DTYPE_ALIASES.get(name, name)
    return name if name in DTYPES else None


# --- following the inputs through the function body -------------------------------------------------------

def _locals_before(module, fn: gast.FunctionDef, line: int, params: dict) -> dict:
    """Names -> spec just before `line`, from straight-line assignments; a name assigned anywhere else
    (in a branch, a loop, by augmented assignment) is forgotten: its spec at the call is not certain."""
    env = dict(params)
    for stmt in fn.body:
        if stmt.lineno >= line:
            break
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name):
            env[stmt.targets[0].id] = _spec_of(module, stmt.value, env)
            continue
        for node in gast.walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                env.pop(node.id, None)
    return {k: v for k, v in env.items() if v is not None}


def _spec_of(module, node, env) -> ArgSpec | None:
    if isinstance(node, gast.Name):
        return env.get(node.id)
    if isinstance(node, gast.Call):
        q = module.imports.qualify(node.func)
        dtype = _keyword(node, "dtype")
        if q in _CASTS and (len(node.args) == 2 or dtype is not None):
            inner = _spec_of(module, node.args[0], env) if node.args else None
            name = _dtype_name(module, node.args[1] if len(node.args) == 2 else dtype)
            return None if inner is None or name is None else ArgSpec(name, inner.shape)
        if q in _KEEPS_SPEC and node.args and dtype is None and len(node.args) == 1:
            return _spec_of(module, node.args[0], env)
        return None
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return _spec_of(module, node.operand, env)
    if isinstance(node, gast.BinOp) and isinstance(node.op, _SAME_DTYPE_OPS):
        left, right = _spec_of(module, node.left, env), _spec_of(module, node.right, env)
        if left is None and right is None:
            return None
        if left is None or right is None:      # tensor with a Python number: TF keeps the tensor's dtype
            spec, other = (right, node.left) if left is None else (left, node.right)
            ok = isinstance(other, gast.Constant) and type(other.value) in (int, float) and \
                (type(other.value) is int or spec.dtype.startswith(("float", "complex")))
            return spec if ok else None
        if left.dtype != right.dtype:
            return None
        shape = _broadcast(left.shape, right.shape)
        return None if shape is None else ArgSpec(left.dtype, shape)
    return None


def _broadcast(a: tuple, b: tuple):
    out = []
    for x, y in zip(((1,) * (len(b) - len(a)) + a)[::-1], ((1,) * (len(a) - len(b)) + b)[::-1]):
        if x == 1:
            out.append(y)
        elif y == 1 or x == y:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)   # a known size > 1 wins: the other must match it to run
        else:
            return None
    return tuple(out[::-1])


# --- small readers ---------------------------------------------------------------------------------------

def _keyword(call: gast.Call, name: str):
    return next((k.value for k in call.keywords if k.arg == name), None)


def _single_assignment(module, name: str):
    values = [n.value for n in gast.walk(module.tree) if isinstance(n, gast.Assign)
              and any(isinstance(t, gast.Name) and t.id == name for t in n.targets)]
    return values[0] if len(values) == 1 else None


def _assignment_before(module, name: str, line: int):
    """The value of the last `name = ...` above `line` (`ds = ds.batch(8)` reads the `ds` above it)."""
    found = [n for n in gast.walk(module.tree) if isinstance(n, gast.Assign) and n.lineno < line
             and len(n.targets) == 1 and isinstance(n.targets[0], gast.Name) and n.targets[0].id == name]
    return max(found, key=lambda n: n.lineno).value if found else None


def _module_value(module, node):
    """A module-level name assigned once stands for its value (`SPEC = tf.TensorSpec(...)`)."""
    if isinstance(node, gast.Name) and node.id in module.top_names:
        value = _single_assignment(module, node.id)
        if value is not None:
            return value
    return node
