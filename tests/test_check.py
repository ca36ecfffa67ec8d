"""`pyfunc2tf check`: exit codes, output formats, the skip pragma, and [tool.pyfunc2tf] configuration."""
import hashlib
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from sample_sites import SCALE_MODULE, SCALE_SIGNATURE
from transpiler.config import read_config

runner = CliRunner()

MODULE, SIG = SCALE_MODULE, SCALE_SIGNATURE


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_check_fails_before_and_passes_after_convert(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(MODULE)
    before = runner.invoke(app, ["check", str(module), "--jobs", "1", *SIG])
    assert before.exit_code == 1
    assert before.stdout.startswith(f"{module}:10:12: P601 tf.numpy_function(_scale, ...) can be replaced")
    assert module.read_text() == MODULE           # check changes nothing
    converted = runner.invoke(app, ["convert", str(module), "--write", "--jobs", "1", "--examples", "5", *SIG])
    assert converted.exit_code == 0, converted.output
    after = runner.invoke(app, ["check", str(module), "--jobs", "1", *SIG])
    assert after.exit_code == 0 and after.stdout == ""


def test_refused_sites_are_printed_but_do_not_fail_the_check(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(MODULE.replace("_scale, [x]", "open, [x]"))
    result = runner.invoke(app, ["check", str(tmp_path), "--no-verify", "--jobs", "1"])
    assert result.exit_code == 0
    assert f"{module}:10:12: P103 tf.numpy_function(open, ...) stays:" in result.stdout


def test_github_annotations(tmp_path):
    module = tmp_path / "m,1.py"
    module.write_text(MODULE)
    result = runner.invoke(app, ["check", str(module), "--format", "github", "--no-verify", "--jobs", "1", *SIG])
    assert result.exit_code == 1
    line = result.stdout.splitlines()[0]
    path = str(module).replace(",", "%2C")
    assert line.startswith(f"::warning file={path},line=10,col=12,title=pyfunc2tf P601::tf.numpy_function(")
    bad = runner.invoke(app, ["check", str(module), "--format", "xml"])
    assert bad.exit_code == 2


def test_skip_pragma_on_the_line_or_the_line_before_keeps_the_site(tmp_path):
    same_line = tmp_path / "a.py"
    same_line.write_text(MODULE.replace("tf.float32)\n", "tf.float32)  # pyfunc2tf: skip\n"))
    line_before = tmp_path / "b.py"
    line_before.write_text(MODULE.replace("    return tf.numpy_function",
                                          "    # pyfunc2tf: skip (the original is faster here)\n"
                                          "    return tf.numpy_function"))
    result = runner.invoke(app, ["check", str(tmp_path), "--no-verify", "--jobs", "1", *SIG])
    assert result.exit_code == 0 and result.stdout == ""
    before = {p: digest(p) for p in (same_line, line_before)}
    converted = runner.invoke(app, ["convert", str(tmp_path), "--write", "--no-verify", "--jobs", "1", *SIG])
    assert converted.exit_code == 0
    assert "a.py:10: _scale  skipped" in converted.stdout and "b.py:11: _scale  skipped" in converted.stdout
    assert {p: digest(p) for p in before} == before
    # a pragma two lines above does not count
    far = tmp_path / "a.py"
    far.write_text(MODULE.replace("def run(x):\n", "# pyfunc2tf: skip\n\ndef run(x):\n"))
    assert runner.invoke(app, ["check", str(far), "--no-verify", "--jobs", "1", *SIG]).exit_code == 1


def test_pre_commit_hook_is_declared():
    text = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text()
    assert "- id: pyfunc2tf-check" in text and "entry: pyfunc2tf check" in text
    assert "types_or: [python, jupyter]" in text


def write_pyproject(root: Path, table: str) -> Path:
    path = root / "pyproject.toml"
    path.write_text("[project]\nname = 'x'\n\n[tool.pyfunc2tf]\n" + table)
    return path


def test_config_signatures_exclude_and_examples_apply_and_flags_override(tmp_path):
    write_pyproject(tmp_path, 'signatures = {_scale = "float32[None]"}\nexclude = ["legacy/"]\nexamples = 3\n'
                              'ops-modules = ["my_ops"]\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.py").write_text(MODULE)
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.py").write_text(MODULE)
    report = tmp_path / "r.json"
    result = runner.invoke(app, ["convert", str(tmp_path / "src"), str(tmp_path / "legacy"), "--jobs", "1",
                                 "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr            # ops-modules belongs to another part of the tool
    import json
    data = json.loads(report.read_text())
    assert [s["file"] for s in data["sites"]] == [str(tmp_path / "src" / "m.py")]     # legacy/ excluded
    site = data["sites"][0]
    assert site["signature"] == "float32[None]" and site["status"] == "converted"
    assert site["verification"]["examples"] <= 3 + 5       # 3 generated plus the fixed edge cases
    # a flag overrides the file: this signature does not match the call's single input
    overridden = runner.invoke(app, ["convert", str(tmp_path / "src"), "--no-verify", "--jobs", "1",
                                     "--signature", "_scale=float32[None], float32[None]"])
    assert overridden.exit_code == 1 and "P110" in overridden.stdout


def test_config_unknown_keys_warn_and_bad_values_are_usage_errors(tmp_path):
    path = write_pyproject(tmp_path, 'examples = 4\nsignaturez = {}\n')
    config = read_config(path)
    assert config.examples == 4 and len(config.warnings) == 1 and "signaturez" in config.warnings[0]
    (tmp_path / "m.py").write_text("x = 1\n")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 0 and "unknown key 'signaturez'" in result.stderr
    write_pyproject(tmp_path, 'signatures = {f = "floot[None]"}\n')
    bad = runner.invoke(app, ["check", str(tmp_path)])
    assert bad.exit_code == 2 and "signatures.f" in bad.stderr


def test_config_is_found_walking_up_but_not_past_the_repository_root(tmp_path):
    write_pyproject(tmp_path, 'examples = 7\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pkg").mkdir()
    from transpiler.config import load_config
    assert load_config([repo / "pkg"]).path is None
    write_pyproject(repo, 'examples = 9\n')
    assert load_config([repo / "pkg"]).examples == 9
