"""Batch 3, items 14 and 15: `--history FILE` overwrote any file, the problem itself
included; `graph -o` overwrote its own input when the problem had a .dot name; `generate -o`
overwrote silently.  (Every writer is in tests/test_writers.py; these are the reported
commands.)"""

from conftest import PROBLEMS, run_cli

TRAIN = (PROBLEMS / "mazur_2_2_2_train.yaml").read_text()


def test_history_is_never_written_over_the_problem(tmp_path):
    problem = tmp_path / "p.yaml"
    problem.write_text(TRAIN)
    for extra in ((), ("--force",)):
        result = run_cli(str(problem), "--train-steps", "3", "--history", str(problem), *extra)
        assert result.exit_code == 2
        assert f"{problem}, at --history: is one of this command's inputs" in result.stderr
    assert problem.read_text() == TRAIN


def test_history_keeps_an_existing_file_and_says_so_before_training(tmp_path):
    problem, history = tmp_path / "p.yaml", tmp_path / "h.csv"
    problem.write_text(TRAIN)
    history.write_text("my notes")
    result = run_cli(str(problem), "--train-steps", "3", "--history", str(history))
    assert result.exit_code == 2 and result.stdout == ""          # refused before any work
    assert f"{history}, at --history: already exists; add --force" in result.stderr
    assert history.read_text() == "my notes"
    assert run_cli(str(problem), "--train-steps", "3", "--history", str(history),
                   "--force").exit_code == 0
    assert history.read_text().startswith("step,")


def test_graph_of_a_dot_named_problem(tmp_path):
    problem = tmp_path / "net.gv"
    problem.write_text((PROBLEMS / "q3a.yaml").read_text())
    result = run_cli("graph", str(problem), "-o", str(problem))
    assert result.exit_code == 2 and "is one of this command's inputs" in result.stderr
    assert problem.read_text() == (PROBLEMS / "q3a.yaml").read_text()


def test_generate_does_not_overwrite(tmp_path):
    out = tmp_path / "g.yaml"
    out.write_text("mine")
    result = run_cli("generate", "5", "-o", str(out))
    assert result.exit_code == 2 and "already exists; add --force" in result.stderr
    assert out.read_text() == "mine"
    assert run_cli("generate", "5", "-o", str(out), "--force").exit_code == 0
    assert out.read_text().startswith("title:") or "nodes:" in out.read_text()


def test_two_outputs_of_one_command_may_not_be_the_same_file(tmp_path):
    problem, out = tmp_path / "p.yaml", tmp_path / "x.csv"
    problem.write_text(TRAIN)
    result = run_cli(str(problem), "--train-steps", "2", "-f", "csv", "-o", str(out),
                     "--history", str(out))
    assert result.exit_code == 2 and not out.exists()
    assert f"{out}, at --history: is also the file of --output" in result.stderr
