"""Reading source files as Python does and writing them back byte-for-byte in the same encoding."""
import os
import stat

import pytest

from transpiler.files import SourceFileError, atomic_write, python_files, read_source


def test_utf8_bom_and_crlf_survive_a_round_trip(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"\xef\xbb\xbfx = 'caf\xc3\xa9'\r\ny = 2\r\n")
    source = read_source(path)
    assert source.text == "x = 'café'\r\ny = 2\r\n"     # BOM gone, CRLF kept
    atomic_write(path, source.text.replace("2", "3"), like=source)
    assert path.read_bytes() == b"\xef\xbb\xbfx = 'caf\xc3\xa9'\r\ny = 3\r\n"


def test_pep263_cookie_decides_the_encoding(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\nname = 'M\xfcller'\n")
    source = read_source(path)
    assert source.text == "# -*- coding: latin-1 -*-\nname = 'Müller'\n"
    atomic_write(path, source.text + "z = 1\n", like=source)
    assert path.read_bytes() == b"# -*- coding: latin-1 -*-\nname = 'M\xfcller'\nz = 1\n"


def test_text_the_encoding_cannot_hold_is_refused_and_nothing_written(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"# coding: latin-1\nx = 1\n")
    source = read_source(path)
    with pytest.raises(SourceFileError, match="cannot be encoded"):
        atomic_write(path, source.text + "y = '\u2192'\n", like=source)
    assert path.read_bytes() == b"# coding: latin-1\nx = 1\n"


def test_undecodable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"x = '\xff'\n")
    with pytest.raises(SourceFileError, match="cannot decode"):
        read_source(path)


def test_permissions_are_kept_and_no_temporary_file_is_left(tmp_path):
    path = tmp_path / "tool.py"
    path.write_text("x = 1\n")
    path.chmod(0o751)
    source = read_source(path)
    atomic_write(path, "x = 2\n", like=source)
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert sorted(os.listdir(tmp_path)) == ["tool.py"]


def test_a_symlink_stays_a_link_and_its_target_is_written(tmp_path):
    target = tmp_path / "real.py"
    target.write_text("x = 1\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    atomic_write(link, "x = 2\n", like=read_source(link))
    assert link.is_symlink()
    assert target.read_text() == "x = 2\n"


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("x = 1\n")
    source = read_source(path)
    path.write_text("x = 1  # edited meanwhile\n")
    with pytest.raises(SourceFileError, match="changed on disk"):
        atomic_write(path, "x = 2\n", like=source)
    assert path.read_text() == "x = 1  # edited meanwhile\n"


def test_directories_are_searched_for_python_files_outside_environments_and_builds(tmp_path):
    for rel in ["pkg/a.py", "pkg/sub/b.py", "pkg/notes.txt", "pkg/.venv/lib/c.py", "pkg/build/d.py",
                "pkg/__pycache__/e.py", "pkg/venv/f.py", "pkg/x/site-packages/g.py"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    single = tmp_path / "pkg" / "a.py"
    found = python_files([tmp_path / "pkg", single])   # a.py named twice: listed once
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["pkg/a.py", "pkg/sub/b.py"]
