"""info, curves and prove (issue 11).  Every expected diagnosis is the one each curve set was
built to show (see the descriptions in problems/); every identity's truth is known by hand."""

from __future__ import annotations

import json
import sys
from fractions import Fraction

import pytest

from hwsolve import api
from hwsolve.errors import HwsolveError
from conftest import PROBLEMS, run_cli

# file -> (diagnosis, epoch or None when not fixed by construction, first remedy)
CURVE_SETS = {
    "q2a": ("overfitting", 5, "epochs"),                 # the seed: epochs = 5
    "q2b": ("underfitting", 100, "learning_rate"),       # the seed: raise the learning rate
    "curves_goodfit": ("good_fit", None, None),
    "curves_diverging": ("diverging", 6, "lower_learning_rate"),
    "curves_noisy_overfit": ("overfitting", None, "epochs"),
    "curves_high_loss": ("underfitting", None, "model_size"),
}


@pytest.mark.parametrize("name", CURVE_SETS)
def test_each_curve_set_gets_its_diagnosis(name):
    diagnosis, epoch, remedy = CURVE_SETS[name]
    found = api.curves(PROBLEMS / f"{name}.yaml")
    assert found.diagnosis == diagnosis
    if epoch is not None:
        assert found.epoch == epoch
    assert (found.remedies[0] if found.remedies else None) == remedy
    assert found.advice and all(sentence.endswith(".") for sentence in found.advice)


def test_noisy_overfit_best_epoch_is_near_the_true_minimum():
    # the validation loss was built as 0.35 + 0.0022·(epoch - 12)² plus noise of ±0.03
    assert 9 <= api.curves(PROBLEMS / "curves_noisy_overfit.yaml").epoch <= 15


def test_q2a_and_q2b_print_the_seed_answers_with_a_plot():
    out = run_cli("q2a", "--width", "80").output
    assert "overfitting (epoch 5)" in out and "Set epochs = 5" in out
    assert "┊" in out and "patience 2" in out and "moving average over 3" in out
    out = run_cli("q2b").output
    assert "underfitting" in out and "raise the learning rate" in out


def test_curves_json_shape(tmp_path):
    result = run_cli("curves", str(PROBLEMS / "q2a.yaml"), "--format", "json")
    document = json.loads(result.output)
    assert document["diagnosis"] == "overfitting" and document["epoch"] == 5
    assert isinstance(document["advice"], list) and document["evidence"]["best_epoch"] == 5
    assert document["evidence"]["metric"] == "val_accuracy"


def _csv(tmp_path, text, name="run.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_history_csv_with_step_and_L_is_read(tmp_path):
    rows = "\n".join(f"{s},{1 - s / 100},{0.5}" for s in range(1, 41))
    found = api.curves(_csv(tmp_path, "step,L,Yhat\n" + rows + "\n"))
    assert found.diagnosis == "underfitting"        # a straight line still falling
    assert found.remedies[0] == "learning_rate"


def test_nan_loss_is_diverging(tmp_path):
    found = api.curves(_csv(tmp_path, "epoch,train_loss\n1,0.7\n2,0.6\n3,5\n4,nan\n"))
    assert found.diagnosis == "diverging" and found.epoch == 2
    assert "epoch 4" in found.evidence["non_finite"]


def test_missing_epochs_and_empty_cells_are_tolerated(tmp_path):
    lines = ["epoch,train_loss,val_accuracy"]
    for e in range(1, 21):
        if e in (7, 13):
            continue
        va = "" if e == 9 else str(0.9 - 0.01 * abs(e - 5))
        lines.append(f"{e},{0.7 * 0.85 ** e},{va}")
    found = api.curves(_csv(tmp_path, "\n".join(lines) + "\n"))
    assert found.diagnosis == "overfitting" and found.epoch == 5
    assert found.evidence["missing_epochs"] == [7, 13]


@pytest.mark.parametrize("text, line, words", [
    ("epoch,train_loss,val_loss\n1,0.5,0.6\n2,0.4\n", 3, "different lengths"),
    ("epoch,train_loss\n1,0.5\n2,abc\n", 3, "'abc' is not a number"),
    ("epoch,val_acc,train_los\n1,0.5,1\n", 1, "unknown column 'train_los'"),
    ("epoch,train_loss\n1,0.5\n1,0.4\n", 3, "epoch 1 appears twice"),
    ("train_loss\n0.5\n", 1, "needs an 'epoch' column"),
    ("", None, "is empty"),
])
def test_bad_csv_is_one_clear_error(tmp_path, text, line, words):
    path = _csv(tmp_path, text)
    with pytest.raises(HwsolveError) as caught:
        api.curves(path)
    assert words in str(caught.value) and caught.value.line == line
    result = run_cli("curves", path)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_bad_cell_names_the_column(tmp_path):
    with pytest.raises(HwsolveError) as caught:
        api.curves(_csv(tmp_path, "epoch,train_loss,val_loss\n1,0.5,0.6\n2,0.4,x\n"))
    assert caught.value.where == "column 'val_loss'"


def test_yaml_curves_of_different_lengths(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("kind: curves\ntitle: t\ncurves:\n  epoch: [1, 2, 3]\n"
                    "  train_loss: [0.5, 0.4]\n")
    with pytest.raises(HwsolveError, match="different lengths") as caught:
        api.curves(path)
    assert caught.value.line == 5


def test_plot_file_is_written(tmp_path):
    pytest.importorskip("matplotlib")  # the plot extra; .ci/run installs it
    target = tmp_path / "q2a.svg"
    result = run_cli("curves", str(PROBLEMS / "q2a.yaml"), "--plot", str(target), "--no-plot")
    assert result.exit_code == 0, result.output
    assert target.read_text().lstrip().startswith("<?xml")


def test_plot_file_without_matplotlib_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = run_cli("curves", str(PROBLEMS / "q2a.yaml"), "--plot", str(tmp_path / "x.png"))
    assert result.exit_code == 2 and "pip install 'hwsolve[plot]'" in result.output


# ----------------------------------------------------------------------------- prove

@pytest.mark.parametrize("left, right", [
    ("tanh(x)", "2*sigmoid(2*x) - 1"),
    ("diff(sigmoid(x), x)", "sigmoid(x)*(1 - sigmoid(x))"),
    ("diff(tanh(x), x)", "1 - tanh(x)**2"),
    ("softplus(x) - softplus(-x)", "x"),
])
def test_identities_are_proved(left, right):
    proof = api.prove(left, right)
    assert proof.verdict == "proved"
    assert proof.steps[-1].left == 0 or proof.steps[-1].title == "Simplify"
    assert run_cli("prove", left, right).exit_code == 0


def test_eca_steps_follow_the_seed():
    result = run_cli("eca")
    assert result.exit_code == 0
    out = result.output
    for words in ("Rewrite in exponentials", "Common denominator", "(-1 + e^(2·x))/(1 + e^(2·x))",
                  "left − right = 0", "Proved"):
        assert words in out


def test_false_identity_gives_an_exact_counterexample():
    proof = api.prove("(x + 1)**2", "x**2 + 1")
    assert proof.verdict == "different"
    c = proof.counterexample
    x = c["at"]["x"]
    assert c["exact"] and c["left"] == (x + 1) ** 2 and c["right"] == x ** 2 + 1


def test_false_identity_with_exponentials_gives_a_numeric_counterexample():
    proof = api.prove("tanh(x)", "2*sigmoid(x) - 1")
    assert proof.verdict == "different"
    c = proof.counterexample
    assert not c["exact"] and c["at"] == {"x": Fraction(1, 2)}
    # tanh(1/2) = 0.46211715726000975850..., 2σ(1/2) - 1 = tanh(1/4) = 0.24491866240370912927...
    assert str(c["left"]).startswith("0.4621171572600097585")
    assert str(c["right"]).startswith("0.2449186624037091292")
    result = run_cli("prove", "tanh(x)", "2*sigmoid(x) - 1")
    assert result.exit_code == 1 and "Counterexample at x = 1/2" in result.output


def test_identity_sympy_cannot_decide_is_undecided_not_proved():
    # true for every real x, but SymPy cannot reduce Max(0, x) - Max(0, -x) - x to 0
    proof = api.prove("relu(x) - relu(-x)", "x")
    assert proof.verdict == "undecided" and proof.counterexample is None
    assert "not a proof" in proof.reason
    result = run_cli("prove", "relu(x) - relu(-x)", "x")
    assert result.exit_code == 1 and "Undecided" in result.output


def test_size_cap_makes_it_undecided():
    proof = api.prove("(x + 1)**3", "x**3 + 3*x**2 + 3*x + 1", max_ops=2)
    assert proof.verdict == "undecided" and "size cap" in proof.reason


@pytest.mark.parametrize("text", ["__import__('os').system('echo pwned')", "x.real",
                                  "eval('1')", "lambda: 1", "x < 1", "diff(x, 2)", "foo(x)",
                                  "tanh(x", "'x'", "x ** 1000"])
def test_bad_expressions_exit_2(text):
    result = run_cli("prove", text, "x")
    assert result.exit_code == 2 and "Traceback" not in result.output and "LEFT" in result.output


@pytest.mark.parametrize("fmt, words", [("latex", r"\begin{align*}"), ("markdown", "$$"),
                                        ("json", '"verdict": "proved"')])
def test_prove_formats(fmt, words):
    result = run_cli("prove", "tanh(x)", "2*sigmoid(2*x) - 1", "--format", fmt)
    assert result.exit_code == 0 and words in result.output


# ----------------------------------------------------------------------------- info

def test_info_q3a_lists_the_seed_table():
    document = json.loads(run_cli("info", "q3a", "--format", "json").output)
    assert [p["name"] for p in document["parameters"]] == ["W1", "B1", "W2", "B2", "W3", "B3"]
    assert document["learned_scalars"] == 9       # 2 + 1 + 2 + 1 + 2 + 1, by hand
    hyper = {h["name"]: h["value"] for h in document["hyperparameters"]}
    assert hyper["alpha"] == 0.1 and hyper["output activation"] == "sigmoid"
    assert hyper["loss"] == "bce" and hyper["hidden activation"] == "leaky ReLU"
    assert hyper["depth"] == 1 and hyper["width"] == 2
    assert [i["name"] for i in document["inputs"]] == ["X1", "X2", "Y"]
    assert all(h["reason"] for h in document["hyperparameters"])


def test_info_follows_overrides_and_has_no_layers_for_a_custom_graph():
    document = json.loads(run_cli("info", "q3b", "--act", "tanh", "--loss", "mse",
                                  "--format", "json").output)
    hyper = {h["name"]: h["value"] for h in document["hyperparameters"]}
    assert hyper["output activation"] == "tanh" and hyper["loss"] == "mse"
    assert "depth" not in hyper and document["learned_scalars"] == 3


def test_info_table_and_markdown():
    assert "9 learned scalars" in run_cli("info", "q3a", "--width", "120").output
    assert "| W1 | parameter |" in run_cli("info", "q3a", "--format", "markdown").output


# ----------------------------------------------------------------------------- check, list

def test_check_compares_the_expected_diagnoses_and_proofs(tmp_path):
    result = run_cli("check", *(str(PROBLEMS / f"{n}.yaml") for n in [*CURVE_SETS, "eca"]))
    assert result.exit_code == 0, result.output
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text((PROBLEMS / "q2a.yaml").read_text().replace("epoch: 5", "epoch: 6"))
    result = run_cli("check", str(wrong))
    assert result.exit_code == 1 and "epoch" in result.output
    false = tmp_path / "false.yaml"
    false.write_text("kind: identity\ntitle: t\nleft: tanh(x)\nright: 2*sigmoid(x) - 1\n"
                     "expect: {verdict: proved}\n")
    result = run_cli("check", str(false))
    assert result.exit_code == 1 and "different" in result.output


def test_unknown_kind_is_an_error(tmp_path):
    path = tmp_path / "k.yaml"
    path.write_text("kind: graphs\ntitle: t\n")
    result = run_cli(str(path))
    assert result.exit_code == 2 and "unknown kind 'graphs'" in result.output


def test_notebook_displays():
    solution = api.solve_file(PROBLEMS / "q3a.yaml")
    shown = api.show(solution)
    assert "<table>" in shown._repr_html_() and "∇W3" in shown._repr_markdown_()
    assert "$$\n\\begin{aligned}" in api.show(solution, steps=True)._repr_markdown_()
    assert "<table>" in api.info("q3a")._repr_html_()
    assert "Diagnosis: overfitting" in api.curves(PROBLEMS / "q2a.yaml")._repr_markdown_()
    assert r"\begin{align*}" in api.prove("tanh(x)", "2*sigmoid(2*x) - 1")._repr_latex_()


def test_info_counts_matrix_params_and_names_the_batch_size():
    # softmax_3x2: W is 3×2, 6 learned scalars; mazur_2_2_2_train: W1 and W2 2×2, 8; the XOR
    # batch has 4 examples (counted by hand from the files)
    import json as _json
    doc = _json.loads(run_cli("info", "softmax_3x2", "--format", "json").stdout)
    assert doc["learned_scalars"] == 6 and doc["parameters"][0]["shape"] == [3, 2]
    doc = _json.loads(run_cli("info", "mazur_2_2_2_train", "--format", "json").stdout)
    assert doc["learned_scalars"] == 8
    assert ("lr", 0.5) in [(h["name"], h["value"]) for h in doc["hyperparameters"]]
    doc = _json.loads(run_cli("info", "batch_xor_momentum", "--format", "json").stdout)
    assert ("batch size", 4) in [(h["name"], h["value"]) for h in doc["hyperparameters"]]
