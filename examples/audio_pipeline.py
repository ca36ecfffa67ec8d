"""tf.data input pipeline for a clip-level audio quality model (mean opinion score from raw PCM).

Each element is a path to a 16 kHz mono 16-bit little-endian PCM file and an integer score in 1..5:

    path  -> samples in [-1, 1)           _read_pcm          (tf.numpy_function; reads the file)
    wave  -> log-magnitude envelope, dB   _log_envelope      (tf.numpy_function)
    dB    -> zero mean, unit variance     _standardize       (tf.py_function)
    score -> regression target in [0, 1]  _score_to_target   (tf.py_function)

Nothing runs at import; `python audio_pipeline.py` writes a few synthetic clips and prints a batch.
"""
import numpy as np
import tensorflow as tf

SAMPLE_RATE = 16000
MIN_SCORE = 1
MAX_SCORE = 5


def _read_pcm(path):
    # numpy_function hands a string tensor over as bytes
    samples = np.fromfile(path.decode("utf-8"), dtype="<i2")
    return (samples / 32768.0).astype(np.float32)


def _log_envelope(wave):
    # floor the magnitude so that silence gives -100 dB instead of -inf
    magnitude = np.maximum(np.abs(wave), 1e-5)
    return (20.0 * np.log10(magnitude)).astype(np.float32)


def _standardize(features):
    # py_function hands us an EagerTensor
    features = features.numpy()
    mean = np.mean(features)
    std = np.std(features)
    return ((features - mean) / (std + 1e-6)).astype(np.float32)


def _score_to_target(score):
    score = score.numpy()
    clipped = np.clip(score, MIN_SCORE, MAX_SCORE)
    return ((clipped - MIN_SCORE) / (MAX_SCORE - MIN_SCORE)).astype(np.float32)


def load_clip(path):
    wave = tf.numpy_function(_read_pcm, [path], tf.float32, name="read_pcm")
    wave.set_shape([None])
    return wave


def featurize(wave):
    envelope = tf.numpy_function(_log_envelope, [wave], tf.float32)
    features = tf.py_function(_standardize, [envelope], tf.float32)
    features.set_shape(wave.shape)
    return features


def score_target(score):
    target = tf.py_function(func=_score_to_target, inp=[score], Tout=tf.float32)
    target.set_shape([])
    return target


def make_dataset(paths, scores, batch_size=8):
    dataset = tf.data.Dataset.from_tensor_slices((paths, scores))
    dataset = dataset.map(lambda path, score: (featurize(load_clip(path)), score_target(score)),
                          num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.padded_batch(batch_size, padded_shapes=([None], [])).prefetch(tf.data.AUTOTUNE)


def _write_synthetic_clips(directory, count=4):
    """Tones of different loudness and length, so the demo needs no data download."""
    rng = np.random.default_rng(0)
    paths, scores = [], []
    for i in range(count):
        seconds = 0.5 + 0.25 * i
        t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
        tone = (0.1 + 0.2 * i) * np.sin(2 * np.pi * 220.0 * (i + 1) * t) + 0.01 * rng.standard_normal(t.size)
        path = f"{directory}/clip{i}.pcm"
        (np.clip(tone, -1, 1) * 32767).astype("<i2").tofile(path)
        paths.append(path)
        scores.append(i + 1)
    return paths, scores


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as clips_dir:
        clip_paths, clip_scores = _write_synthetic_clips(clips_dir)
        for features, targets in make_dataset(clip_paths, clip_scores, batch_size=2):
            print("features", features.shape, "targets", targets.numpy())
