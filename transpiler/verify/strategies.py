"""Hypothesis strategies for the inputs of one site, drawn from its signature `[[dtype, [dims]], ...]`.

Inputs are mostly ordinary (small floats and ints, short text) so that ordinary behaviour is tested well;
some examples mix in the values where NumPy and TensorFlow part ways (NaN, -0.0, infinities, dtype
extremes, empty strings, non-ASCII). Every choice is ordered so that hypothesis shrinks toward the
ordinary: shared batch sizes, no edge values, small sizes.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

FIXED_EXAMPLE_DIM = 3  # size of unknown dimensions in the all-zeros explicit example
STRING = "string"

# sampled_from shrinks toward the first element, so the common (and simpler) choice comes first:
# 4 in 5 unknown dims take the size drawn for their axis position (functions often need matching
# batch dims), and 3 in 5 arrays hold only ordinary values.
_SHARE_SIZE = st.sampled_from([True, True, True, True, False])
_MIX_EDGES = st.sampled_from([False] * 3 + [True] * 2)
# Sizes of unknown dimensions, simplest first; hypothesis' integers() would draw 0 too often (it favours
# bounds), and an empty axis hides every other behaviour. Size 0 is still drawn, and tried explicitly.
_DIM_SIZES = st.sampled_from([1, 2, 0, 3, 4, 5, 6, 7, 8])


def np_dtype(dtype: str) -> np.dtype:
    """NumPy dtype holding one argument: strings travel as object arrays of bytes, like numpy_function's."""
    return np.dtype(object) if dtype == STRING else np.dtype(dtype)


# TensorFlow's CPU kernels run with flush-to-zero/denormals-are-zero, so every TF op (hand-written native
# code too) reads a subnormal input as 0: comparing there would refuse any conversion for a property of
# the runtime, not of the translation. Inputs exclude subnormals, and the verdict says so.
SUBNORMAL_ASSUMPTION = ("float inputs exclude subnormals: TensorFlow's CPU kernels flush them to zero, "
                        "as any native TF code would")


def _float_values(dtype: np.dtype):
    width = dtype.itemsize * 8
    ordinary = st.floats(-10, 10, width=width, allow_subnormal=False)
    fi = np.finfo(dtype)
    quarter_max = float(dtype.type(fi.max) / dtype.type(4))
    # Groups, each as likely as ordinary values: a flat list would have hypothesis favour its first entries.
    edges = (
        st.sampled_from([0.0, -0.0, 1.0, -1.0]),
        st.sampled_from([float("nan"), float("inf"), float("-inf")]),
        st.sampled_from([float(fi.max), float(fi.min), quarter_max, -quarter_max, float(fi.tiny),
                         -float(fi.tiny), float(fi.eps)]),
    )
    return ordinary, edges


def _complex_values(dtype: np.dtype):
    part = np.dtype(f"float{dtype.itemsize * 4}")
    ordinary_part, edge_part = _float_values(part)
    ordinary = st.builds(complex, ordinary_part, ordinary_part)
    any_part = st.one_of(ordinary_part, *edge_part)
    return ordinary, (st.builds(complex, any_part, any_part),)


def _int_values(dtype: np.dtype):
    ii = np.iinfo(dtype)
    ordinary = st.integers(max(ii.min, -10), min(ii.max, 10))
    edges = sorted({v for v in (0, 1, -1, int(ii.min), int(ii.max), int(ii.min) + 1, int(ii.max) - 1)
                    if ii.min <= v <= ii.max}, key=abs)
    return ordinary, (st.sampled_from(edges),)


_WORD_ALPHABET = st.sampled_from("abcxyzABC019 _-.,:/é")
_NUMBER_TEXT = st.one_of(st.integers(-1000, 1000).map(str),
                         st.floats(-100, 100, allow_nan=False).map(lambda v: f"{v:g}"))
# Words and separators of text functions (captions, commands, tokens): cased letters, Python's whitespace that
# ASCII rules miss (\x1c-\x1f, \x85, \xa0, U+2003, U+3000), punctuation, and the letters whose case mapping
# is special: 'ß'.upper() == 'SS', 'İ'.lower() is two code points, final sigma, titlecase 'ǅ', ligature 'ﬀ'.
_WORDS = st.sampled_from(["play", "Music", "STOP", "the", "a", "dog's", "well-known", "É", "école", "straße",
                          "İstanbul", "ΟΔΟΣ", "σοφός", "ǅ", "ﬀ", "日本", "🙂", "123", "٣", "x"])
_SEPARATORS = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", ", ", "-", ". ", "! ", "?", "'", "\x1c", "\x85",
                               "\xa0", "\u2003", "\u3000", "\r\n", ""])


@st.composite
def _sentences(draw) -> str:
    words = draw(st.lists(_WORDS, max_size=6))
    out = draw(_SEPARATORS) if draw(st.booleans()) else ""
    for w in words:
        out += w + draw(_SEPARATORS)
    return out


def _string_values():
    # Text functions often parse their input, so numbers and comma-separated numbers are ordinary too.
    ordinary = st.one_of(
        st.text(_WORD_ALPHABET, max_size=12),
        _sentences(),
        _NUMBER_TEXT,
        st.lists(_NUMBER_TEXT, min_size=1, max_size=4).map(",".join),
    ).map(lambda s: s.encode("utf-8"))
    edges = st.sampled_from([b"", b" ", b"  a  b ", "é".encode(), "日本語".encode(), b"0", b"nan",
                             b"\t\n", "🙂".encode(), "ΑΣ Σ.".encode(), b"a\x00B", "\x1f\xa0 \u3000".encode()])
    return ordinary, (edges,)


def element_strategies(dtype: str):
    """Element strategies for one dtype name: (ordinary values, tuple of edge-value groups)."""
    if dtype == STRING:
        return _string_values()
    nd = np_dtype(dtype)
    if nd == np.bool_:
        return st.booleans(), ()
    if nd.kind == "f":
        return _float_values(nd)
    if nd.kind == "c":
        return _complex_values(nd)
    if nd.kind in "iu":
        return _int_values(nd)
    raise ValueError(f"no value strategy for dtype {dtype!r}")


@st.composite
def _array(draw, dtype: str, shape: tuple[int, ...]):
    ordinary, edges = element_strategies(dtype)
    elements = st.one_of(ordinary, *edges) if edges and draw(_MIX_EDGES) else ordinary
    # A fill value would make most elements equal; NaN-heavy or constant arrays are drawn anyway.
    return draw(arrays(np_dtype(dtype), shape, elements=elements, fill=st.nothing()))


@st.composite
def _shapes(draw, signature: list) -> list[tuple[int, ...]]:
    max_rank = max((len(dims) for _, dims in signature), default=0)
    shared = [draw(_DIM_SIZES) for _ in range(max_rank)]
    shapes = []
    for _, dims in signature:
        shape = []
        for axis, dim in enumerate(dims):
            if dim is not None:
                shape.append(int(dim))
            elif draw(_SHARE_SIZE):
                shape.append(shared[axis])
            else:
                shape.append(draw(_DIM_SIZES))
        shapes.append(tuple(shape))
    return shapes


@st.composite
def signature_inputs(draw, signature: list) -> tuple[np.ndarray, ...]:
    """One tuple of NumPy arrays, one per argument of the signature."""
    shapes = draw(_shapes(signature))
    return tuple(draw(_array(dtype, shape)) for (dtype, _), shape in zip(signature, shapes))


def _zeros(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    if dtype == STRING:
        return np.full(shape, b"", dtype=object)
    return np.zeros(shape, np_dtype(dtype))


def explicit_examples(signature: list) -> list[tuple[np.ndarray, ...]]:
    """Inputs run before any generated one: all zeros, and all-empty where a dimension is unknown."""
    def fill(size):
        return tuple(_zeros(dtype, tuple(size if d is None else int(d) for d in dims)) for dtype, dims in signature)
    examples = [fill(FIXED_EXAMPLE_DIM)]
    if any(d is None for _, dims in signature for d in dims):
        examples.append(fill(0))
    return examples
