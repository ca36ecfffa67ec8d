"""Show what the conversion buys: the example's feature function, saved as a SavedModel, runs in another process.

    python examples/prove_savedmodel.py CONVERTED.py ORIGINAL.py

Both modules are imported from their paths, and `featurize` and `score_target` are saved as a SavedModel.
Each SavedModel is then loaded and run by a fresh interpreter (`python -c`) started in an empty directory,
so that it cannot import the example. The converted one must run and give the original's outputs; the
original must fail there, because a py_function callback lives only in the process that created it
("Could not find callback with key=pyfunc_0 in the registry"). Exit status 0 when both happen.
"""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

PYFUNC_OPS = {"PyFunc", "PyFuncStateless", "EagerPyFunc"}
SCORES = [0, 1, 3, 5, 9]   # out of range on both sides too: the target clips them
RTOL = ATOL = 1e-4         # float32 log10 and reductions may differ by a few ulps between NumPy and TF

# Runs in the fresh interpreter: nothing of the example is importable there, only the SavedModel.
FRESH_PROCESS_CODE = """
import json, sys
import numpy as np, tensorflow as tf
loaded = tf.saved_model.load(sys.argv[1])
wave = np.load(sys.argv[2])
features = loaded.featurize(tf.constant(wave)).numpy()
targets = [float(loaded.score_target(tf.constant(s, tf.int64)).numpy()) for s in json.loads(sys.argv[3])]
print(json.dumps({"features": features.tolist(), "targets": targets}))
"""


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_wave():
    """Half a second of a decaying tone, then silence (which hits the -100 dB floor)."""
    t = np.arange(8000, dtype=np.float64) / 16000
    tone = 0.5 * np.exp(-4 * t) * np.sin(2 * np.pi * 440 * t)
    return np.concatenate([tone, np.zeros(800)]).astype(np.float32)


def exportable(module):
    exported = tf.Module()
    exported.featurize = tf.function(module.featurize, input_signature=[tf.TensorSpec([None], tf.float32)])
    exported.score_target = tf.function(module.score_target, input_signature=[tf.TensorSpec([], tf.int64)])
    return exported


def pyfunc_op_count(exported):
    graphs = [exported.featurize.get_concrete_function().graph.as_graph_def(),
              exported.score_target.get_concrete_function().graph.as_graph_def()]
    nodes = [n for g in graphs for n in list(g.node) + [m for f in g.library.function for m in f.node_def]]
    return sum(n.op in PYFUNC_OPS for n in nodes)


def in_process_outputs(module, wave):
    return {"features": module.featurize(tf.constant(wave)).numpy().tolist(),
            "targets": [float(module.score_target(tf.constant(s, tf.int64)).numpy()) for s in SCORES]}


def run_fresh(saved_dir, wave_file):
    """(outputs, None) or (None, the line of the error that stopped the fresh interpreter)."""
    with tempfile.TemporaryDirectory() as elsewhere:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        proc = subprocess.run([sys.executable, "-c", FRESH_PROCESS_CODE, saved_dir, wave_file, json.dumps(SCORES)],
                              cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode == 0:
        return json.loads(proc.stdout.strip().splitlines()[-1]), None
    lines = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()]
    callback = [ln for ln in lines if "Could not find callback" in ln]
    return None, (callback or lines or ["(no output)"])[-1]


def converted_verdict(outputs, error, expected):
    if error:
        return False, f"FAILED: {error}"
    if not all(np.allclose(outputs[k], expected[k], rtol=RTOL, atol=ATOL, equal_nan=True) for k in expected):
        return False, "ran, but the outputs differ from the original's  FAILED"
    return True, "reloaded and ran; same outputs as the original in its own process  OK"


def original_verdict(outputs, error):
    if error and "Could not find callback" in error:
        return True, f"fails, as expected: {error}"
    return False, f"expected 'Could not find callback', got: {error or 'a successful run'}"


def main(converted_path, original_path):
    wave = sample_wave()
    original = load_module(original_path, "original_pipeline")
    converted = load_module(converted_path, "converted_pipeline")
    expected = in_process_outputs(original, wave)
    all_ok = True
    with tempfile.TemporaryDirectory() as work:
        wave_file = os.path.join(work, "wave.npy")
        np.save(wave_file, wave)
        for label, path, module in (("converted", converted_path, converted), ("original", original_path, original)):
            exported = exportable(module)
            saved_dir = os.path.join(work, label)
            tf.saved_model.save(exported, saved_dir)
            print(f"{label} ({path}): {pyfunc_op_count(exported)} py_function ops in the saved graph")
            outputs, error = run_fresh(saved_dir, wave_file)
            ok, verdict = (converted_verdict(outputs, error, expected) if label == "converted"
                           else original_verdict(outputs, error))
            print(f"  SavedModel in a fresh process: {verdict}")
            all_ok = all_ok and ok
    return 0 if all_ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
