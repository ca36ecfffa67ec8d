"""pyfunc2tf's library: convert Python/NumPy functions wrapped by tf.py_function into native TF."""
from __future__ import annotations

from .api import convert  # noqa: F401
from .diagnostics import ConversionError, Diagnostic  # noqa: F401
from .pipeline import convert_text  # noqa: F401
