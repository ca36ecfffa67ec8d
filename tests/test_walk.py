"""Walking a repository: .gitignore, skipped folders, symlinks, the prefilter."""
import os

import pytest

from transpiler.walk import NOT_REGULAR, SYMLINK_NOT_FOLLOWED, TOO_LARGE, prefilter, walk

SITE = "import tensorflow as tf\ny = tf.numpy_function(f, [x], tf.float32)\n"


def make(root, files: dict):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def relpaths(entries, root):
    return [os.path.relpath(e.path, root) for e in entries if e.problem is None]


def test_gitignore_rules_nested_files_and_negation(tmp_path):
    make(tmp_path, {
        ".gitignore": "*.gen.py\nscratch/\n/top_only.py\n!keep.gen.py\n",
        "a.py": "", "x.gen.py": "", "keep.gen.py": "", "top_only.py": "", "sub/top_only.py": "",
        "scratch/s.py": "", "sub/scratch/t.py": "",
        "sub/.gitignore": "local.py\n!x2.gen.py\n", "sub/local.py": "", "sub/x2.gen.py": "", "sub/nb.ipynb": "{}",
        "notes.txt": "",
    })
    assert relpaths(walk([tmp_path]), tmp_path) == [
        "a.py", "keep.gen.py", "sub/nb.ipynb", "sub/top_only.py", "sub/x2.gen.py"]


def test_gitignore_above_the_walked_directory_applies_up_to_the_repository_root(tmp_path):
    make(tmp_path, {".gitignore": "generated/\n", "pkg/generated/g.py": "", "pkg/m.py": ""})
    (tmp_path / ".git").mkdir()
    assert relpaths(walk([tmp_path / "pkg"]), tmp_path) == ["pkg/m.py"]


def test_environments_builds_and_caches_are_skipped(tmp_path):
    make(tmp_path, {"m.py": "", "env/pyvenv.cfg": "home = /usr\n", "env/lib/x.py": "",
                    "build/b.py": "", "node_modules/n.py": "", "pkg.egg-info/e.py": "",
                    ".ipynb_checkpoints/c.ipynb": "{}", ".tox/t.py": ""})
    assert relpaths(walk([tmp_path]), tmp_path) == ["m.py"]


def test_exclude_globs_are_relative_to_their_root(tmp_path):
    make(tmp_path, {"a/m.py": "", "a/legacy_old.py": "", "experiments/e.py": "", "b/experiments/k.py": ""})
    found = walk([tmp_path], ["legacy_*.py", "/experiments/"], tmp_path)
    assert relpaths(found, tmp_path) == ["a/m.py", "b/experiments/k.py"]


def test_symlinks_out_of_the_tree_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    make(outside, {"lib.py": SITE, "deep/d.py": SITE})
    tree = tmp_path / "tree"
    make(tree, {"m.py": SITE})
    (tree / "linked_dir").symlink_to(outside)
    (tree / "linked_file.py").symlink_to(outside / "lib.py")
    (tree / "alias.py").symlink_to(tree / "m.py")        # inside the tree: the same file, looked at once
    (tree / "broken.py").symlink_to(tmp_path / "absent.py")
    entries = walk([tree])
    assert relpaths(entries, tree) == ["alias.py"]   # m.py is alias.py's target: one of the two
    problems = {os.path.basename(e.path): e.problem for e in entries if e.problem is not None}
    assert set(problems) == {"linked_dir", "linked_file.py", "broken.py"}
    assert all(p.code == SYMLINK_NOT_FOLLOWED and p.severity == "warning" for p in problems.values())
    assert "outside the tree" in problems["linked_file.py"].message


def test_prefilter_reads_bytes_only(tmp_path):
    with_site, without = tmp_path / "a.py", tmp_path / "b.py"
    with_site.write_bytes(b"# -*- coding: latin-1 -*-\nx = '\xfc'\ny = tf.py_function(f, [x], tf.float32)\n")
    without.write_bytes(b"def broken(:\n")      # not parsed, so not an error
    assert prefilter(with_site) == (True, None)
    assert prefilter(without) == (False, None)
    empty = tmp_path / "c.py"
    empty.write_bytes(b"")
    assert prefilter(empty) == (False, None)


def test_a_very_large_file_is_searched_but_not_converted(tmp_path):
    big = tmp_path / "big.py"
    big.write_bytes(b"x = 1\n" * 4000 + SITE.encode())
    may_hold, problem = prefilter(big, max_bytes=10_000)
    assert may_hold and problem.code == TOO_LARGE and "not converted" in problem.message
    quiet = tmp_path / "quiet.py"
    quiet.write_bytes(b"x = 1\n" * 4000)
    assert prefilter(quiet, max_bytes=10_000) == (False, None)


def test_a_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    may_hold, problem = prefilter(fifo)     # opening it for reading would block forever
    assert not may_hold and problem.code == NOT_REGULAR


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_a_diagnostic(tmp_path):
    path = tmp_path / "secret.py"
    path.write_text(SITE)
    path.chmod(0)
    may_hold, problem = prefilter(path)
    assert not may_hold and problem.code == "P503"


def test_default_jobs_are_the_cores_bounded_by_the_files_and_eight(monkeypatch):
    from transpiler import batch
    monkeypatch.setattr(batch.os, "sched_getaffinity", lambda pid: set(range(32)), raising=False)
    assert batch.default_jobs(None, 100) == 8
    assert batch.default_jobs(None, 3) == 3
    assert batch.default_jobs(None, 0) == 1
    assert batch.default_jobs(5, 1) == 5            # --jobs as given
    monkeypatch.setattr(batch.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert batch.default_jobs(None, 100) == 2
