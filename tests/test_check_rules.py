"""`hwsolve check` honours its rule everywhere (issue 16): batches and training runs are judged
under --tolerance, the spec's tolerance: and the course default, like single problems; variants
combine with train:/examples:; node keys are allowed on a training problem; the report never
cuts a key or a computed value; --digits, -q, and the course's problems folder.

Expected numbers are by hand (SGD on z = w·x, mse ½(z − y)², x = 2, y = 1, w = 1, lr 0.1:
w1 = 1 − 0.1·2 = 0.8, w2 = 0.8 − 0.1·1.2 = 0.68; z2 = 1.36; ∂L/∂w at w2 = 0.36·2 = 0.72) or
from PyTorch float64 (torch.optim.Adam, computed in the test itself, not by hwsolve).
"""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import run_cli

SGD = """\
title: sgd on one weight
inputs: {x: 2}
params: {w: 1}
nodes:
  z: w * x
activation: identity
loss: mse
label: 1
train: {optimizer: sgd, lr: 0.1, steps: 2}
"""


def _write(tmp_path, text, name="p.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def test_training_key_fails_under_an_absolute_rule(tmp_path):
    # 0.68 rounds to 0.7 at one place, so decimal places pass it; abs 1e-6 must not.
    path = _write(tmp_path, SGD + "answers:\n  train:\n    params: {w: 0.7}\n")
    assert run_cli("check", path).exit_code == 0
    result = run_cli("check", path, "--tolerance", "abs:1e-6")
    assert result.exit_code == 1, result.output
    assert "absolute error at most" in result.output
    spec_rule = _write(tmp_path, SGD + "tolerance: {abs: 1e-6}\nanswers:\n  train:\n"
                       "    params: {w: 0.7}\n", "q.yaml")
    assert run_cli("check", spec_rule).exit_code == 1


def test_batch_key_honours_the_rule(tmp_path):
    text = """\
    title: batch
    params: {w: 1}
    examples:
      - {inputs: {x: 2}, label: 1}
      - {inputs: {x: 1}, label: 0}
    nodes:
      z: w * x
    activation: identity
    loss: mse
    answers:
      L: 0.5
    """
    # L = mean(½·1², ½·1²) = 0.5 exactly; a key 0.50001 passes at places? no: 0.5 -> 0.50001 is
    # 5 places and 0.50000 != 0.50001.  Use rel 1e-4 to accept it, and abs 1e-6 to refuse it.
    path = _write(tmp_path, text.replace("L: 0.5", "L: 0.50001"))
    assert run_cli("check", path).exit_code == 1
    assert run_cli("check", path, "--tolerance", "rel:1e-4").exit_code == 0
    assert run_cli("check", path, "--tolerance", "abs:1e-6").exit_code == 1


def _adam_keys():
    torch = pytest.importorskip("torch")
    w = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        loss = 0.5 * (w * 1.5 - 1) ** 2
        loss.backward()
        opt.step()
    return w.item(), opt.state[w]["exp_avg"].item(), opt.state[w]["exp_avg_sq"].item()


ADAM = """\
title: adam on one weight
inputs: {x: 1.5}
params: {w: 0.3}
nodes:
  z: w * x
activation: identity
loss: mse
label: 1
train: {optimizer: adam, lr: 0.1, steps: 3}
"""


def _adam_exact():
    """The same three Adam steps in 50-digit decimal arithmetic (independent of hwsolve), so
    that repr(float(.)) is the true value to float64's last digit (PyTorch's own float64 run
    drifts by a few units in the last place)."""
    from decimal import Decimal, getcontext
    getcontext().prec = 50
    w, m, v = Decimal("0.3"), Decimal(0), Decimal(0)
    b1, b2, lr, eps = Decimal("0.9"), Decimal("0.999"), Decimal("0.1"), Decimal("1e-8")
    for t in range(1, 4):
        g = (w * Decimal("1.5") - 1) * Decimal("1.5")
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr / (1 - b1 ** t) * m / ((v.sqrt() / (1 - b2 ** t).sqrt()) + eps)
    return float(w)


def test_a_float64_last_digit_passes_under_rel_1e15(tmp_path):
    w = _adam_exact()
    torch_w, _, _ = _adam_keys()
    assert abs(torch_w - w) < 1e-14  # the decimal model agrees with torch.optim.Adam
    path = _write(tmp_path, ADAM + f"answers:\n  train:\n    params: {{w: {w!r}}}\n")
    assert run_cli("check", path, "--tolerance", "rel:1e-15").exit_code == 0
    import math
    off = w + 40 * math.ulp(w)
    bad = _write(tmp_path, ADAM + f"answers:\n  train:\n    params: {{w: {off!r}}}\n", "b.yaml")
    result = run_cli("check", bad, "--tolerance", "rel:1e-15")
    assert result.exit_code == 1
    assert repr(off) in result.output  # the whole key, never cut


def test_variants_combine_with_training(tmp_path):
    # variant w = 2: w1 = 2 − 0.1·6 = 1.4, w2 = 1.4 − 0.1·3.6 = 1.04.
    text = SGD + textwrap.dedent("""\
        answers:
          train: {params: {w: 0.68}}
        variants:
          big:
            params: {w: 2}
            answers:
              train: {params: {w: 1.04}}
        """)
    result = run_cli("check", _write(tmp_path, text), "--all", "--tolerance", "abs:1e-12")
    assert result.exit_code == 0, result.output
    assert "big" in result.output and "2/2 key entries match" in result.output
    wrong = text.replace("{w: 1.04}", "{w: 1.05}")
    assert run_cli("check", _write(tmp_path, wrong, "w.yaml")).exit_code == 1


def test_node_keys_on_a_training_problem(tmp_path):
    text = SGD + textwrap.dedent("""\
        answers:
          values: {z: 2}
          grad: {z: 1, w: 2}
          train:
            Yhat: 1.36
            values: {z: 1.36}
            grad: {w: 0.72, z: 0.36}
        """)
    result = run_cli("check", _write(tmp_path, text), "--tolerance", "abs:1e-12", "--all")
    assert result.exit_code == 0, result.output
    assert "7/7 key entries match" in result.output


def test_the_report_never_cuts_and_digits_is_honoured(tmp_path):
    key = "0.680000000000000000000000001"
    path = _write(tmp_path, SGD + f"answers:\n  train:\n    params: {{w: {key}}}\n")
    result = run_cli("check", path, "--width", "40")
    assert result.exit_code == 1
    assert key in result.output
    assert "0.68" in result.output
    assert "…" not in result.output
    result = run_cli("check", path, "--digits", "30", "--width", "40")
    assert key in result.output


def test_quiet_prints_only_failures(tmp_path):
    good = _write(tmp_path, SGD + "answers:\n  train:\n    params: {w: 0.68}\n", "good.yaml")
    bad = _write(tmp_path, SGD + "answers:\n  train:\n    params: {w: 0.69}\n", "bad.yaml")
    result = run_cli("check", "-q", good, bad)
    assert result.exit_code == 1
    assert "good" not in result.output
    assert "bad" in result.output and "0.69" in result.output
    assert "problem(s)" not in result.output
    assert run_cli("check", "-q", good).output == ""


def test_no_argument_checks_the_course_folder_not_the_demos(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()  # the course folder's root: no hwsolve.toml above it
    result = run_cli("check")
    assert result.exit_code == 2
    assert "--demos" in result.output
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "one.yaml").write_text(SGD + "answers:\n  train:\n    params: "
                                                "{w: 0.7}\n")
    (tmp_path / "hwsolve.toml").write_text('[course]\nproblems = "keys"\n'
                                           'tolerance = "abs:1e-6"\n')
    result = run_cli("check")
    assert result.exit_code == 1, result.output  # the course rule is in force
    assert "1 problem," in result.output
    assert "q3a" not in result.output


def test_demos_checks_the_shipped_problems(monkeypatch, tmp_path):
    from hwsolve.spec import problems
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "demo.yaml").write_text(SGD + "answers:\n  train:\n    params: {w: 0.68}\n")
    monkeypatch.setattr(problems, "packaged_dir", lambda: str(shipped))
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "--demos")
    assert result.exit_code == 0, result.output
    assert "demo: 1/1" in result.output


def test_train_steps_and_optimizer_state(tmp_path):
    w, m, v = _adam_keys()
    text = ADAM + textwrap.dedent(f"""\
        answers:
          train:
            steps:
              3:
                params: {{w: {w!r}}}
                state: {{exp_avg: {{w: {m!r}}}, exp_avg_sq: {{w: {v!r}}}}}
        """)
    result = run_cli("check", _write(tmp_path, text), "--tolerance", "rel:1e-14", "--all")
    assert result.exit_code == 0, result.output
    assert "3/3 key entries match" in result.output
    wrong = text.replace("exp_avg_sq", "square_avg")
    result = run_cli("check", _write(tmp_path, wrong, "s.yaml"))
    assert result.exit_code == 2
    assert "adam keeps no square_avg" in result.output


def test_yhat_entry_at_the_top_level(tmp_path):
    text = """\
    title: vector output
    inputs: {x: [1, 2]}
    params: {W: [[1, 0], [0, 1]]}
    nodes:
      z: W @ x
    activation: identity
    loss: mse
    label: [0, 0]
    answers:
      'Yhat[2]': 2
    """
    assert run_cli("check", _write(tmp_path, text)).exit_code == 0
    bad = _write(tmp_path, textwrap.dedent(text).replace("'Yhat[2]': 2", "'Yhat[2]': 3"), "b.yaml")
    assert run_cli("check", bad).exit_code == 1


@pytest.mark.parametrize("steps, words", [
    ("{5: {params: {w: 1}}}", "step 5 is keyed, but the run has 3 steps"),
    ("{0: {params: {w: 1}}}", "is not a step number"),
    ("{1: {state: {velocity: {w: 1}}}}", "is not an optimizer state"),
    ("{1: {state: {exp_avg: {q: 1}}}}", "'q' is not a param"),
    ("{1: {moment: {w: 1}}}", "unknown key 'moment'"),
])
def test_bad_step_keys_are_errors(tmp_path, steps, words):
    text = ADAM + f"answers:\n  train:\n    steps: {steps}\n"
    result = run_cli("check", _write(tmp_path, text))
    assert result.exit_code == 2
    assert words in result.output


def test_the_letters_of_the_formulas_are_accepted(tmp_path):
    # rmsprop's v is square_avg; after step 1 of g = (0.3·1.5 − 1)·1.5 = −0.825:
    # v = 0.01·g² = 0.0068062500 exactly
    text = ADAM.replace("optimizer: adam, lr: 0.1", "optimizer: rmsprop, lr: 0.01") + \
        "answers:\n  train:\n    steps: {1: {state: {v: {w: 0.00680625}}}}\n"
    result = run_cli("check", _write(tmp_path, text), "--tolerance", "rel:1e-12", "--all")
    assert result.exit_code == 0, result.output
    assert "square_avg of w after step 1" in result.output
