"""Signatures read from the file when --signature is absent: what is declared is used, the rest refused."""
import textwrap

import pytest

from transpiler.pipeline import convert_text

HEAD = "import numpy as np\nimport tensorflow as tf\n\n\ndef _f(a, b=None):\n    return np.abs(a).astype(np.float32)\n\n\n"


def site_of(body: str):
    result = convert_text(HEAD + textwrap.dedent(body), "m.py", verify=False)
    assert len(result.sites) == 1
    return result.sites[0]


def converted(body: str) -> tuple[str, str]:
    site = site_of(body)
    assert site.status == "converted", [r.message for r in site.reasons]
    assert any(n.code == "P112" and n.severity == "info" for n in site.notes)   # the report says it assumed
    return site.signature, site.signature_source


def test_decorator_input_signature():
    sig, source = converted("""
        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float64)])
        def serve(x):
            return tf.numpy_function(_f, [x], tf.float32)
    """)
    assert sig == "float64[None,3]"
    assert "input_signature of `serve`" in source


def test_tf_function_call_with_keyword_spec_and_module_level_spec_name():
    sig, _ = converted("""
        SPEC = tf.TensorSpec(shape=(None,), dtype=tf.int32)

        def serve(x):
            return tf.numpy_function(_f, [x], tf.float32)

        serving = tf.function(serve, input_signature=[SPEC])
    """)
    assert sig == "int32[None]"


def test_cast_and_scalar_arithmetic_are_followed():
    sig, _ = converted("""
        @tf.function(input_signature=[tf.TensorSpec([None, None], tf.uint8)])
        def serve(img):
            x = tf.cast(img, tf.float32)
            return tf.numpy_function(_f, [x * 2.0], tf.float32)
    """)
    assert sig == "float32[None,None]"


def test_same_dtype_tensors_broadcast():
    sig, _ = converted("""
        @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32), tf.TensorSpec([], tf.float32)])
        def serve(x, bias):
            return tf.numpy_function(_f, [x + bias], tf.float32)
    """)
    assert sig == "float32[None,4]"


def test_dataset_element_spec_through_variables_and_batch():
    sig, source = converted("""
        def gen():
            yield np.zeros(3, np.float32), np.int64(1)

        def parse(x, label):
            y = tf.numpy_function(_f, [x, label], tf.float32)
            return y, label

        ds = tf.data.Dataset.from_generator(gen, output_signature=(
            tf.TensorSpec([3], tf.float32), tf.TensorSpec([], tf.int64)))
        ds = ds.shuffle(10).batch(4)
        ds = ds.map(parse)
    """)
    assert sig == "float32[None,3], int64[None]"
    assert "element spec" in source


def test_method_skips_self():
    sig, _ = converted("""
        class Model(tf.Module):
            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
            def __call__(self, x):
                return tf.numpy_function(_f, [x], tf.float32)
    """)
    assert sig == "float32[None]"


@pytest.mark.parametrize("body, why", [
    ("""
        def serve(x):
            return tf.numpy_function(_f, [x], tf.float32)
     """, "declares no input_signature"),
    ("""
        y = tf.numpy_function(_f, [tf.zeros(3)], tf.float32)
     """, "not inside a function"),
    ("""
        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
        def serve(x):
            return tf.numpy_function(_f, [tf.reshape(x, [-1, 2])], tf.float32)
     """, "input 1 `tf.reshape(x, [-1, 2])`"),
    ("""
        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
        def serve(x):
            if tf.size(x) > 3:
                x = tf.cast(x, tf.float32)
            return tf.numpy_function(_f, [x], tf.float32)
     """, "input 1 `x`"),
    ("""
        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
        def serve(x):
            return tf.numpy_function(_f, [x * 0.5], tf.float32)
     """, "input 1"),
    ("""
        @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
        def serve(x):
            return tf.numpy_function(_f, [x], tf.float32)
     """, "cannot be read statically"),
])
def test_what_cannot_be_inferred_is_refused_with_the_reason(body, why):
    site = site_of(body)
    assert site.status == "refused"
    [reason] = site.reasons
    assert reason.code == "P111" and why in reason.message and "--signature _f=" in reason.message


def test_explicit_signature_wins_over_inference():
    body = textwrap.dedent("""
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float64)])
        def serve(x):
            return tf.numpy_function(_f, [x], tf.float32)
    """)
    result = convert_text(HEAD + body, "m.py", {"_f": "float64[5]"}, verify=False)
    [site] = result.sites
    assert site.signature == "float64[5]" and site.signature_source == "--signature"
    assert not any(n.code == "P112" for n in site.notes)
