"""The generated code does not depend on string hashing: the same file converts to the same bytes whatever
PYTHONHASHSEED is (a cross-module replacement is recognised by its source, and reviewers diff it)."""
import os
import subprocess
import sys
from pathlib import Path

MODULE = '''import numpy as np
import tensorflow as tf


def _gate(p):
    p = p.numpy()
    smooth = np.zeros(len(p))
    kept, order = [], []
    state, total, best, last = 0, 0.0, -1.0, 0
    for t in range(len(p)):
        smooth[t] = 0.5 * p[t] + 0.5 * smooth[max(t - 1, 0)]
        if state == 0 and smooth[t] > 0.6:
            state, last = 1, t
        elif state == 1 and smooth[t] < 0.4:
            state = 0
        total += float(p[t])
        best = max(best, float(p[t]))
        if p[t] > 0.5:
            kept.append(p[t])
            order.append(t)
    return (smooth.astype(np.float32), np.array(kept, np.float32), np.array(order, np.int64),
            np.array([total, best, last, state]))


def run(p):
    return tf.py_function(_gate, [p], [tf.float32, tf.float32, tf.int64, tf.float64])
'''


def _diff(path: Path, seed: int) -> str:
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    out = subprocess.run([sys.executable, "-m", "cli", "convert", str(path), "--diff", "--no-verify",
                          "--signature", "_gate=float32[None]"], env=env, capture_output=True, text=True,
                         cwd=Path(__file__).parent.parent, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_same_code_for_every_hash_seed(tmp_path):
    path = tmp_path / "gate.py"
    path.write_text(MODULE)
    diffs = {_diff(path, seed) for seed in (1, 2, 3, 4, 5)}
    assert len(diffs) == 1 and "tf.while_loop" in next(iter(diffs))
