"""The shared reader/writer rules (hwsolve.fileio) and the course file (hwsolve.teach.course)."""

from __future__ import annotations

import os

import pytest

from hwsolve import fileio
from hwsolve.errors import HwsolveError
from hwsolve.teach import course


def test_reader_refuses_fifo_device_and_link_to_device(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    for path in (fifo, link, "/dev/zero"):
        with pytest.raises(HwsolveError, match="not a regular file"):
            fileio.read_text(path, limit=100, what="gradebook")


def test_reader_refuses_past_limit_binary_and_bad_utf8(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("x" * 101)
    with pytest.raises(HwsolveError, match="larger than 101 bytes|limit for a history"):
        fileio.read_text(big, limit=100, what="history")
    nul = tmp_path / "nul.txt"
    nul.write_bytes(b"a\0b")
    with pytest.raises(HwsolveError, match="NUL"):
        fileio.read_text(nul, limit=100)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\xfa")
    with pytest.raises(HwsolveError, match="not UTF-8"):
        fileio.read_text(bad, limit=100)
    ok = tmp_path / "ok.txt"
    ok.write_bytes("\ufeffé".encode())
    assert fileio.read_text(ok, limit=100) == "é"


def test_writer_never_replaces_without_force_nor_writes_over_an_input(tmp_path):
    out = tmp_path / "out.txt"
    fileio.write_file(out, "one")
    with pytest.raises(HwsolveError, match="already exists; add --force"):
        fileio.write_file(out, "two")
    assert out.read_text() == "one"
    fileio.write_file(out, "two", force=True)
    assert out.read_text() == "two"
    with pytest.raises(HwsolveError, match="inputs"):
        fileio.write_file(out, "three", force=True, inputs=[out], option="-o")
    assert out.read_text() == "two"
    # a failed write names the file and the option, and leaves no temporary file behind
    with pytest.raises(HwsolveError, match="--history.*cannot be written|cannot be written"):
        fileio.write_file(tmp_path / "missing" / "h.csv", "x", option="--history")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_folder_writer_names_every_clash(tmp_path):
    (tmp_path / "a.yaml").write_text("")
    (tmp_path / "b.yaml").write_text("")
    with pytest.raises(HwsolveError, match="a.yaml, b.yaml; add --force"):
        fileio.check_folder_writable(tmp_path, ["a.yaml", "b.yaml", "c.yaml"])
    fileio.check_folder_writable(tmp_path, ["a.yaml"], force=True)


def test_course_file_is_found_in_parents_and_validated(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "hwsolve.toml").write_text(
        '[course]\ntolerance = "sigfigs:3"\ndigits = 4\nproblems = "hw"\n'
        'follow_through = "half"\nseed = 7\n')
    sub = tmp_path / "week1"
    sub.mkdir()
    found = course.load(sub)
    assert found.path == tmp_path / "hwsolve.toml"
    assert found.rule().kind == "sigfigs" and found.rule().sigfigs == 3
    assert (found.digits, found.follow_through, found.seed) == (4, "half", 7)
    assert found.problems == (tmp_path / "hw").resolve()


def test_course_file_errors_name_the_setting(tmp_path):
    (tmp_path / ".git").mkdir()
    path = tmp_path / "hwsolve.toml"
    for text, fragment in [('tolerence = "rel:1e-3"\n', "did you mean 'tolerance'"),
                           ('tolerance = "within:3"\n', "unknown tolerance rule"),
                           ("digits = 0\n", "digits is a whole number"),
                           ('follow_through = "some"\n', "full, half, none"),
                           ("seed = -1\n", "seed is a whole number"),
                           ("[course\n", "not valid TOML")]:
        path.write_text(text)
        with pytest.raises(HwsolveError, match=fragment):
            course.load(tmp_path)


def test_no_course_file_stops_at_the_repository_root(tmp_path):
    (tmp_path / "hwsolve.toml").write_text('digits = 3\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert course.load(repo).path is None
