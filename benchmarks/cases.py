"""The benchmark's cases: the shared corpus (../shared/corpus/cases.toml) that the tool should convert, and the
project's example (examples/audio_pipeline.py, with the hand-written version in benchmarks/refs/)."""
from __future__ import annotations

try:
    import tomllib
except ImportError:   # Python < 3.11
    import tomli as tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
CHECK_CASES = ROOT.parent / "shared" / "bench" / "check_cases.py"

_EXAMPLE_SIGNATURES = {"_read_pcm": "string[]", "_log_envelope": "float32[None]",
                       "_standardize": "float32[None]", "_score_to_target": "int64[]"}
EXAMPLE_CASES = [
    {"name": "example:featurize", "file": str(ROOT / "examples" / "audio_pipeline.py"),
     "ref": str(ROOT / "benchmarks" / "refs" / "audio_pipeline.py"), "entry": "featurize",
     "signature": _EXAMPLE_SIGNATURES, "inputs": [{"dtype": "float32", "shape": [4000], "low": -1, "high": 1}],
     "pyfuncs": ["_log_envelope", "_standardize"], "seed": 7},
    {"name": "example:score_target", "file": str(ROOT / "examples" / "audio_pipeline.py"),
     "ref": str(ROOT / "benchmarks" / "refs" / "audio_pipeline.py"), "entry": "score_target",
     "signature": _EXAMPLE_SIGNATURES, "inputs": [{"dtype": "int64", "shape": [], "low": 0, "high": 7}],
     "pyfuncs": ["_score_to_target"], "seed": 7},
]


def corpus_cases(corpus: Path = CORPUS) -> list[dict]:
    """expect=convert cases with a hand-written reference; paths made absolute."""
    with open(corpus / "cases.toml", "rb") as f:
        cases = tomllib.load(f).get("case", [])
    out = []
    for case in cases:
        if case.get("expect", "convert") != "convert" or not case.get("ref"):
            continue
        case = dict(case)
        case["file"] = str(corpus / case["file"])
        case["ref"] = str(corpus / case["ref"])
        sigs = case.get("signature", {})
        case["signature"] = sigs if isinstance(sigs, dict) else {case["pyfunc"]: sigs}
        case["pyfuncs"] = list(case["signature"])
        case.setdefault("seed", 0)
        out.append(case)
    return out


def all_cases(corpus: Path = CORPUS) -> list[dict]:
    return (corpus_cases(corpus) if (corpus / "cases.toml").exists() else []) + EXAMPLE_CASES


def fixed_shapes(case: dict) -> list[dict]:
    """The case's input specs with every size range replaced by its upper bound (named sizes shared): the
    benchmark times one input, the largest the case describes."""
    named, specs = {}, []
    for spec in case["inputs"]:
        shape = []
        for d in spec.get("shape", []):
            if isinstance(d, str):
                name, _, rng = d.rpartition(":") if ":" in d else ("", "", d)
                if ".." in rng:
                    size = int(rng.split("..")[1])
                    if name:
                        named[name] = size
                else:
                    size = named[rng]
                shape.append(size)
            else:
                shape.append(int(d))
        specs.append({**spec, "shape": shape})
    return specs
