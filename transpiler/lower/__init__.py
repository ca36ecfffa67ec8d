"""Lowering: the wrapped function's gast tree -> native TF code, one module per concern.

  values.py       what the analysis knows about each Python value (dtype, shape, weak, static)
  dtypes.py       NumPy's dtype rules, asked of NumPy itself (NEP 50, ufunc loops, result types)
  context.py      the function being generated: fresh names, emitted lines, scopes
  expressions.py  the expression walker: dispatches to the modules below
  operators.py    arithmetic, comparison, bitwise, logical and unary operators
  calls.py        calls: op table entries, the user's helpers (inlined), builtins, math
  attributes.py   ndarray attributes (shape, T, dtype, ...) and method calls; `self.x` of a converted method
  indexing.py     reading `x[...]`: basic slicing, boolean masks, integer arrays
  assignment.py   writing `x[...] = v` and augmented assignment into arrays
  statements.py   statements: assignment, return, pass, docstrings; dispatches if/for/while
  branches.py     `if`, `x if c else y`, `and`/`or` on run-time values -> tf.cond; joining the two paths
  loops.py        for/while with a run-time trip count -> tf.while_loop; break/continue as flags
  lists.py        lists of run-time length (append in those loops, comprehensions) -> TensorArray
  vectorize.py    comprehensions whose items are elementwise in one window or row -> one gather, no loop
  unroll.py       loops and comprehensions over sequences known when converting, unrolled
  shapes.py       static shape arithmetic: broadcasting, axes
  code.py         small templates of generated TF source: constants, casts, dtypes
  dedupe.py       the generated lines: a repeated pure expression computed once
  names_io.py     calls with side effects (I/O, printing) that must be refused
  boundary.py     the tensor boundary: `.numpy()`, `np.asarray`, the final conversion to Tout
  text.py         str/bytes values, token lists of run-time length, dict lookups -> tf.strings (Python's rules)
  text_tables.py  where TF's case mapping (older ICU) differs from Python's, measured; patched or guarded
  regex.py        the `re` module on text (refused for now, with the reason)
"""
