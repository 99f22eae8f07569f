"""`hwsolve key FILE`: the answers block written from the solution, the rest of the file kept
byte for byte.  The expected numbers are the shipped keys, which come from PyTorch
(tests/keys/torch_keys.py), not from hwsolve: at the same digits the writer reproduces them."""

from __future__ import annotations

import shutil

from conftest import PROBLEMS, run_cli

HEAD = b"# a comment that must survive\ntitle: 'kept: quoted'   # trailing comment\n"
BODY = b"""inputs: {X1: 2, X2: -1}
params: {W: 1.5}
nodes:
  z: W * X1 + X2
label: 1
"""
TAIL = b"""
# a comment before the variants
variants:
  other: {label: 0}
"""


def test_the_writer_reproduces_the_pytorch_keys_of_q3a(tmp_path):
    path = tmp_path / "q3a.yaml"
    shutil.copy(PROBLEMS / "q3a.yaml", path)
    result = run_cli("key", str(path), "-d", "4", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "17 entries: 17 unchanged, 0 changed" in result.output
    assert path.read_bytes() == (PROBLEMS / "q3a.yaml").read_bytes()  # dry run: untouched


def test_a_wrong_key_is_refreshed_and_everything_else_kept(tmp_path):
    path = tmp_path / "p.yaml"
    # z = 1.5·2 − 1 = 2, Ŷ = σ(2), L = −log σ(2) = 0.126928...
    old_block = b"answers:\n  L: 0.5   # wrong\n  grad: {W: 9}\n"
    path.write_bytes(HEAD + BODY + old_block + TAIL)
    assert run_cli("check", str(path)).exit_code == 1
    result = run_cli("key", str(path), "-d", "3")
    assert result.exit_code == 0, result.output
    assert "~ L: 0.5 -> 0.127" in result.output
    new = path.read_bytes()
    assert new.startswith(HEAD + BODY + b"answers:\n")
    assert new.endswith(TAIL)
    assert b"L: 0.127\n" in new
    assert run_cli("check", str(path)).exit_code == 0


def test_a_file_without_answers_gets_a_block_appended(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(HEAD + BODY.rstrip(b"\n"))  # no final newline either
    result = run_cli("key", str(path))
    assert result.exit_code == 0, result.output
    new = path.read_bytes()
    assert new.startswith(HEAD + BODY) and b"\nanswers:\n  Yhat: 0.8808\n" in new
    assert run_cli("check", str(path)).exit_code == 0


def test_crlf_line_endings_and_a_bom_are_kept(tmp_path):
    path = tmp_path / "p.yaml"
    text = b"\xef\xbb\xbf" + (HEAD + BODY + b"answers:\n  L: 1\n" + TAIL).replace(b"\n", b"\r\n")
    path.write_bytes(text)
    assert run_cli("key", str(path)).exit_code == 0
    new = path.read_bytes()
    assert new.startswith(b"\xef\xbb\xbf" + (HEAD + BODY).replace(b"\n", b"\r\n"))
    assert new.endswith(TAIL.replace(b"\n", b"\r\n"))
    assert b"\n" not in new.replace(b"\r\n", b"")


def test_an_up_to_date_key_is_not_rewritten(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(HEAD + BODY)
    assert run_cli("key", str(path)).exit_code == 0
    stamp = path.stat().st_mtime_ns
    result = run_cli("key", str(path))
    assert result.exit_code == 0 and "up to date" in result.output
    assert path.stat().st_mtime_ns == stamp


def test_a_training_problem_is_keyed_and_passes_check(tmp_path):
    path = tmp_path / "t.yaml"
    shutil.copy(PROBLEMS / "softmax_adam.yaml", path)
    result = run_cli("key", str(path), "-d", "9")
    assert result.exit_code == 0, result.output
    # the PyTorch key of W after 10 Adam steps, to 9 figures
    assert "1.06914650" in path.read_text() and "0.751558735" in path.read_text()
    assert run_cli("check", str(path)).exit_code == 0


def test_a_flow_style_file_is_refused(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("{title: t, inputs: {x: 1}, params: {w: 2}, nodes: {z: w * x}, label: 1, "
                    "answers: {L: 1}}\n")
    before = path.read_bytes()
    result = run_cli("key", str(path))
    assert result.exit_code == 2
    assert path.read_bytes() == before


def test_a_symlinked_problem_is_edited_through_the_link(tmp_path):
    real = tmp_path / "real.yaml"
    real.write_bytes(HEAD + BODY)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    assert run_cli("key", str(link)).exit_code == 0
    assert link.is_symlink()
    assert b"answers:" in real.read_bytes()


def test_variant_answer_blocks_are_refreshed_too(tmp_path):
    path = tmp_path / "r.yaml"
    shutil.copy(PROBLEMS / "regression.yaml", path)
    original = path.read_text()
    spoiled = original.replace("L: 6.41", "L: 9.99")  # variant low-target's key, wrong
    path.write_text(spoiled)
    assert run_cli("check", str(path)).exit_code == 1
    result = run_cli("key", str(path), "-d", "3")
    assert result.exit_code == 0, result.output
    assert "~ low-target: L: 9.99 -> 6.41" in result.output
    assert run_cli("check", str(path)).exit_code == 0
    new = path.read_text()
    before_answers = original.split("\nanswers:")[0]
    assert new.startswith(before_answers + "\nanswers:")  # comments and givens kept
    for line in ("variants:", "  low-target:", "    label: -0.5", "  sigmoid-out:",
                 "    activation: sigmoid", "    label: 0.8"):
        assert line + "\n" in new


def test_a_flow_style_variant_is_left_as_written(tmp_path):
    path = tmp_path / "p.yaml"
    # label 0: L = −log(1 − σ(2)) = 2.1269...
    flow = b"variants:\n  other: {label: 0, answers: {L: 2.13}}\n"
    path.write_bytes(HEAD + BODY + flow)
    result = run_cli("key", str(path))
    assert result.exit_code == 0, result.output
    assert "left as written (flow style): the answers of other" in result.output
    assert path.read_bytes().startswith(HEAD + BODY + flow)
    path.write_bytes(HEAD + BODY + flow.replace(b"2.13", b"7"))
    result = run_cli("key", str(path))
    assert result.exit_code == 2 and "flow style" in result.output
