"""A minimal module with one convertible site, shared by the CLI tests that write it into trees."""

SCALE_MODULE = """\
import numpy as np
import tensorflow as tf


def _scale(x):
    return (x * 2.0 + 1.0).astype(np.float32)


def run(x):
    return tf.numpy_function(_scale, [x], tf.float32)
"""
SCALE_SIGNATURE = ["--signature", "_scale=float32[None]"]
