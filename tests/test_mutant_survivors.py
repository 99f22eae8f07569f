"""Tests that kill the mutants a hand-made mutation run left alive (issue 21).  Each names the
mutant it kills; every expected number is worked by hand in the comments, never taken from
hwsolve.  tests/mutation/run_mutants.py applies these mutants (and more) automatically."""

from fractions import Fraction as F

from hwsolve import api

AB = """
title: "non-square A @ B"
params:
  A: [[1, 2, 3], [4, 5, 6]]
  B: [[1, -1], [2, 0], [0, 3]]
inputs:
  C: [[1, 2], [3, 4]]
nodes:
  M: A @ B
  z: sum(M * C)
activation: identity
loss: none
"""


def test_matrix_at_matrix_non_square_by_hand():
    """Kills: matrix @ matrix reading B transposed (spec/lower.py, ``eb[j * n + k]``), and the
    rows of A or the order of the result's entries mixed up.

    A is 2×3, B is 3×2, so M = A @ B is 2×2 and z = Σ M∘C with C = [[1, 2], [3, 4]]:
      M11 = 1·1 + 2·2 + 3·0 = 5     M12 = 1·(-1) + 2·0 + 3·3 = 8
      M21 = 4·1 + 5·2 + 6·0 = 14    M22 = 4·(-1) + 5·0 + 6·3 = 14
      z = 5·1 + 8·2 + 14·3 + 14·4 = 119
    Backward: dz/dM = C; dz/dA = C @ Bᵀ with Bᵀ = [[1, 2, 0], [-1, 0, 3]]:
      row 1 (C row [1, 2]): [1 - 2, 2 + 0, 0 + 6] = [-1, 2, 6]
      row 2 (C row [3, 4]): [3 - 4, 6 + 0, 0 + 12] = [-1, 6, 12]
    dz/dB = Aᵀ @ C: B[k][j] gets Σ_i A[i][k]·C[i][j]:
      k=1 (A col [1, 4]): [1 + 12, 2 + 16] = [13, 18]
      k=2 (A col [2, 5]): [2 + 15, 4 + 20] = [17, 24]
      k=3 (A col [3, 6]): [3 + 18, 6 + 24] = [21, 30]
    and dz/dC = M (C is an input: it has a gradient like any leaf).
    """
    s = api.solve_text(AB)
    assert s.values["M"] == [[5, 8], [14, 14]]
    assert s.values["z"] == 119
    assert s.grad["M"] == [[1, 2], [3, 4]]
    assert s.grad["A"] == [[-1, 2, 6], [-1, 6, 12]]
    assert s.grad["B"] == [[13, 18], [17, 24], [21, 30]]
    assert s.grad["C"] == [[5, 8], [14, 14]]
    assert all(isinstance(x, F) for row in s.grad["B"] for x in row)


CONSTANT = """
title: "a constant has no gradient"
inputs:
  x: 2
params:
  w: 3
constants:
  c: 5
nodes:
  z: w * x * c
activation: identity
loss: none
"""


def test_constants_receive_no_gradient():
    """Kills: the reverse pass accumulating into constants (engine/solve.py), and constants
    listed among the gradients.  z = w·x·c with w = 3, x = 2, c = 5: dz/dw = x·c = 10,
    dz/dx = w·c = 15, and c is a constant: no gradient at all (its slot stays 0)."""
    s = api.solve_text(CONSTANT)
    assert s.values["z"] == 30 and s.values["c"] == 5
    assert s.grad["w"] == 10 and s.grad["x"] == 15
    assert "c" not in s.grad
    slots = s.full.graph.slots
    (c_slot,) = [i for i, slot in enumerate(slots) if slot.name == "c"]
    assert s.grads[c_slot] == 0


TINY = """
title: "a tiny difference of irrational values"
inputs:
  x: 2
  e: 1e-58
nodes:
  a: exp(x)
  d: a + e - a
  z: d * 3
activation: identity
loss: none
"""


def test_a_tiny_true_difference_is_found_by_the_precision_ladder_not_zeroed():
    """Kills: a precision ladder that stops at the working precision (engine/precision.py
    next_bits) and then takes the cancelling difference as 0 with a note.  exp(2) + 1e-58 -
    exp(2) is exactly 1e-58 (it cancels below 203 bits, not at 406): d = 1e-58, z = 3e-58,
    and no note, because nothing was decided without proof."""
    s = api.solve_text(TINY)
    assert float(s.values["d"]) == 1e-58
    assert float(s.values["z"]) == 3e-58
    assert s.warnings == []
    assert s.grad["e"] == 3


def test_scientific_notation_starts_at_1e7_and_below_1e_minus_5():
    """Kills: scientific notation from 1e6 (numtext.fmt_sig's ``-5 <= adjusted < 7``)."""
    from hwsolve.numtext import fmt_sig
    assert fmt_sig(F(1234567), 3) == "1230000"          # 1.23e6: still plain
    assert fmt_sig(F(-9999994), 7) == "-9999994"        # the largest plain magnitude
    assert fmt_sig(F(12345678), 3) == "1.23e7"
    assert fmt_sig(F(9999996), 6) == "1e7"              # rounds up into scientific
    assert fmt_sig(F(1234, 10 ** 8), 3) == "0.0000123"  # 1.23e-5: plain
    assert fmt_sig(F(1234, 10 ** 9), 3) == "1.23e-6"


FOLD = """
title: "fold"
inputs:
  x: [1, 2, 3, 4, 5, 6, 7, 8]
params:
  w: [-0.468, 0.125, -12.5, 3.25, -0.468, 0.001, -7.75, 100.5]
nodes:
  z: sum(w * x)
activation: identity
loss: none
"""


def _printed(renderable, width: int) -> str:
    import io

    from rich.console import Console
    out = io.StringIO()
    Console(file=out, width=width, no_color=True, highlight=False).print(renderable)
    return out.getvalue()


def test_the_answer_table_folds_a_vector_between_numbers_never_inside_one():
    """Kills: a fold of the answer table's cells that cuts a number (``-0.468`` → ``-0.46`` and
    ``8``).  ∇x = w = [-0.468, 0.125, -12.5, 3.25, -0.468, 0.001, -7.75, 100.5], shown at 3
    digits (100.5 → 101); at every width from 24 to 80 each of those numbers is printed whole,
    and no line is wider than the console."""
    import re

    from hwsolve.render.table import answer_table
    s = api.solve_text(FOLD)
    wanted = ["-0.468", "0.125", "-12.5", "3.25", "-0.468", "0.001", "-7.75", "101"]
    for width in range(24, 81):
        text = _printed(answer_table(s, width=width), width)
        numbers = re.findall(r"-?\d+(?:\.\d+)?", text)
        for n in set(wanted):
            assert numbers.count(n) >= wanted.count(n), (width, n, text)
        assert "-0.46\n" not in text and "-0.46 " not in text
        assert max(len(line) for line in text.splitlines()) <= width


def test_a_folded_grid_column_fills_the_width_exactly_and_keeps_every_character():
    """Kills: a ``--values`` fold one column too wide (or narrow), and a fold that drops a
    character (render/grid.py).  A name column and a foldable exact column, drawn at widths
    from 16 to 60 in the answer table's box: each line is exactly ``width`` cells wide once the
    exact column must fold (unfolded it is 3 borders + 2·2 padding + 4 + 50 = 61 wide), and the folded pieces read back the
    fraction."""
    from rich.cells import cell_len

    from hwsolve.render import grid
    exact = "-12345678901234567890123456789012345678901234567/3"   # 50 characters
    columns = [grid.Column("name", "left"), grid.Column("exact", "left", fold=True)]
    for width in range(16, 61):  # 60 and less: folded
        lines = grid.draw(columns, [["w[1]", exact]], grid.SQUARE, width).lines
        texts = ["".join(text for text, _ in line) for line in lines]
        assert all(cell_len(t) == width for t in texts), (width, texts)
        body = [t.split("│")[2].strip() for t in texts[3:-1]]
        assert "".join(body) == exact, (width, body)
    # narrower than 16 it cannot fit: the exact column stops at its header's width ("exact",
    # 5, or 8 for a longer header), so the header is never cut
    for width in (8, 12, 15):
        lines = grid.draw(columns, [["w[1]", exact]], grid.SQUARE, width).lines
        texts = ["".join(text for text, _ in line) for line in lines]
        assert texts[1] == "│ name │ exact │" and cell_len(texts[0]) == 16
    long_head = [grid.Column("name", "left"), grid.Column("exact ∂L/∂·", "left", fold=True)]
    texts = ["".join(t for t, _ in line)
             for line in grid.draw(long_head, [["w[1]", exact]], grid.SQUARE, 12).lines]
    assert texts[1] == "│ name │ exact ∂L │" and texts[2] == "│      │ /∂·      │"
    unfolded = grid.draw(columns, [["w[1]", exact]], grid.SQUARE, 61).lines
    assert all(cell_len("".join(t for t, _ in line)) == 61 for line in unfolded)
    assert len(unfolded) == 5   # top, header, rule, one row, bottom: nothing folded at 61


def test_overfitting_needs_the_best_epoch_exactly_patience_points_before_the_end():
    """Kills: the overfitting patience boundary (teach/curves.py ``after >= patience``).
    Unsmoothed (window 1), the validation loss 1.0, 0.8, 0.6, 0.5, 0.4, 0.6, 0.7, 0.8 is best
    at epoch 5 (index 4), 3 points before the last (index 7); it ends 0.4 worse, far above its
    tolerance (1% of its range 0.6), while the training loss falls from 0.6 to 0.3.  With
    patience 3 that is overfitting after epoch 5; with patience 4 the rise is too short."""
    from hwsolve.teach.curves import diagnose
    from hwsolve.teach.curves_csv import parse_csv
    train = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]
    val = [1.0, 0.8, 0.6, 0.5, 0.4, 0.6, 0.7, 0.8]
    text = "epoch,train_loss,val_loss\n" + "".join(
        f"{e},{t},{v}\n" for e, t, v in zip(range(1, 9), train, val))
    curves = parse_csv(text, "history.csv")
    at_three = diagnose(curves, window=1, patience=3)
    assert (at_three.diagnosis, at_three.epoch) == ("overfitting", 5)
    assert at_three.evidence["worsening_after_best"] == F(2, 5)
    assert diagnose(curves, window=1, patience=4).diagnosis != "overfitting"
    assert diagnose(curves, window=1, patience=2).diagnosis == "overfitting"


def _grade_q3b(tmp_path, text: str) -> dict:
    import json

    from conftest import PROBLEMS, run_cli
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("grade", str(PROBLEMS / "q3b.yaml"), str(path), "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.output)
    document["by_entry"] = {e["entry"]: e for e in document["entries"]}
    return document


def test_a_carried_error_allows_for_the_rounding_of_the_students_own_upstream_number(tmp_path):
    """Kills: the grader ignoring the rounding of the student's own (wrong) upstream number
    when it judges a carried error (teach/entrydiag.py, the slack of the inputs).

    Q3b: H4 = W2·H2/H1 = -3·H2/1.5 = -2·H2 (so ∂H4/∂H2 = -2).  A student whose wrong H2 was
    -2.3749… writes H2 = -2.37 and H4 = 4.75 (= -2 · -2.3749…, rounded).  From the written
    -2.37 one gets 4.74: 0.01 away, more than 4.75's own rounding (±0.005 at 3 significant
    figures) but within it plus the rounding of -2.37 carried through ∂H4/∂H2 (2 · 0.005):
    0.015.  So H4 follows from H2.  4.76 is 0.02 away: beyond both, it is not carried.
    The same for gradients: ∇H2 = ∇H4·∂H4/∂H2 = -2·∇H4; with ∇H4 = 1.37 (wrong; it is
    0.622), ∇H2 = -2.75 is 0.01 from -2.74, within 2·0.005 + 0.005."""
    document = _grade_q3b(tmp_path, "values: {H2: -2.37, H4: 4.75}\n")
    h4 = document["by_entry"]["value H4"]
    assert (h4["status"], h4["diagnosis"]["kind"]) == ("follows", "carried")
    assert document["by_entry"]["value H2"]["status"] == "wrong"
    document = _grade_q3b(tmp_path, "values: {H2: -2.37, H4: 4.76}\n")
    assert document["by_entry"]["value H4"]["status"] == "wrong"
    document = _grade_q3b(tmp_path, "grad: {H4: 1.37, H2: -2.75}\n")
    h2 = document["by_entry"]["∇H2"]
    assert (h2["status"], h2["diagnosis"]["kind"]) == ("follows", "carried")


def test_a_sign_error_in_one_term_of_a_sum_is_diagnosed_on_that_term(tmp_path):
    """Kills: the per-term sign diagnosis (a sign flipped on one edge, teach/worlds.py and
    teach/entrydiag.py).  Q3b: ∇H1 = ∇H3·∂H3/∂H1 + ∇H4·∂H4/∂H1 = -0.622459 + 0.622459·
    (-W2·H2/H1²) where -W2·H2/H1² = -(-3)(-1)/2.25 = -4/3: -0.622459 - 0.829946 = -1.452405.
    With ∂H4/∂H1 taken as +4/3 the second term flips: -0.622459 + 0.829946 = 0.207487, written
    0.207.  That is the sign of ∂H4/∂H1, not of the whole entry (which would be 1.45), not a
    missed term (-0.622) and not a doubled one (-2.28)."""
    document = _grade_q3b(tmp_path, "grad: {H1: 0.207}\n")
    h1 = document["by_entry"]["∇H1"]
    assert h1["status"] == "wrong"
    (root,) = document["roots"]
    assert (root["kind"], root["where"], root["entries"]) == ("sign", "∂H4/∂H1", ["∇H1"])
    assert "-1.333" in root["explanation"]
    # When ∇W1 (= ∇H1 · 1) is written right, no single mistake explains both entries: no root,
    # and the entry's own diagnosis names the term
    document = _grade_q3b(tmp_path, "grad: {H1: 0.207, W1: -1.45}\n")
    assert document["roots"] == [] and document["by_entry"]["∇W1"]["status"] == "right"
    h1 = document["by_entry"]["∇H1"]
    assert h1["diagnosis"]["kind"] == "sign"
    assert h1["diagnosis"]["text"] == ("a sign error in the term through H4: ∂H4/∂H1 is "
                                       "-1.333")
    whole = _grade_q3b(tmp_path, "grad: {H1: 1.45}\n")["by_entry"]["∇H1"]
    assert whole["diagnosis"]["kind"] == "sign"


def _product(a, b):
    return [[sum(float(a[i][k]) * float(b[k][j]) for k in range(len(b)))
             for j in range(len(b[0]))] for i in range(len(a))]


def _transposed(a):
    return [list(col) for col in zip(*a)]


def _near(a, b):
    return all(abs(float(x) - y) <= 1e-12 * max(1.0, abs(y))
               for row_a, row_b in zip(a, b) for x, y in zip(row_a, row_b)) and \
        [len(r) for r in a] == [len(r) for r in b]


def test_the_tensor_generator_writes_matrix_at_matrix_and_it_solves_right():
    """The generator (hwsolve generate --tensor) writes ``W @ M`` and ``M @ W`` for a matrix
    node M and a new non-square param W, so that generated problems (and the PyTorch
    cross-check over them) exercise matrix @ matrix.  Each one found is checked here against a
    plain product of the operands' values, and the new param's gradient against the rule
    dL/dW = G·Mᵀ (W on the left) or Mᵀ·G (W on the right), G the gradient of the product."""
    import re

    import yaml

    from hwsolve.tools.generate import generate_problem
    checked = 0
    for seed in range(40):
        text = generate_problem(1 + seed % 9 + 20 * (seed % 2), seed, tensor=True)
        nodes = yaml.safe_load(text)["nodes"]
        pairs = [(name, *m.groups()) for name, node in nodes.items()
                 if (m := re.fullmatch(r"(\w+) @ (\w+)", str(node)))]
        s = None
        for name, left, right in pairs:
            s = s or api.solve_text(text)
            a, b = s.values[left], s.values[right]
            if not (isinstance(a[0], list) and isinstance(b[0], list)):
                continue
            assert len(a) != len(a[0]) or len(b) != len(b[0])   # not both square
            assert _near(s.values[name], _product(a, b)), (seed, name)
            g = s.grad[name]
            if left.startswith("W") and left not in nodes:
                assert _near(s.grad[left], _product(g, _transposed(b))), (seed, name)
            if right.startswith("W") and right not in nodes:
                assert _near(s.grad[right], _product(_transposed(a), g)), (seed, name)
            checked += 1
    assert checked >= 2, checked


def test_the_kinked_ops_forward_values_by_hand():
    """Kills: a kinked op's value changed (relu passing negatives, abs, leaky_relu's slope, the
    pick of max/min, step at 0).  The registry's SymPy check covers only the smooth ops' local
    derivatives, and the PyTorch check only derivatives: these values are by definition.
    relu(-3/2) = 0, relu(0) = 0, relu(5/2) = 5/2; leaky_relu(-2, 1/10) = -1/5; abs(-7/4) = 7/4;
    max(1, 3, -2) = 3, min(1, 3, -2) = -2; step(0) = 0, step(1/3) = 1; and the derivatives
    there: relu' = 0, 0 (PyTorch's convention at 0), 1; leaky_relu' = 1/10 (and -2 for the
    slope); abs' = -1; max gives 1 to the winner; min too."""
    from hwsolve.ops.rules import RULES

    def value(op, *args):
        return RULES[op].forward(list(map(F, args)))

    def slope(op, *args):
        args = list(map(F, args))
        out = RULES[op].forward(args)
        return RULES[op].backward(args, out, [True] * len(args))[0]

    assert value("relu", F(-3, 2)) == 0 and value("relu", 0) == 0
    assert value("relu", F(5, 2)) == F(5, 2)
    assert value("leaky_relu", -2, F(1, 10)) == F(-1, 5)
    assert value("leaky_relu", 3, F(1, 10)) == 3
    assert value("abs", F(-7, 4)) == F(7, 4) and value("abs", F(7, 4)) == F(7, 4)
    assert value("max", 1, 3, -2) == 3 and value("min", 1, 3, -2) == -2
    assert value("step", 0) == 0 and value("step", F(1, 3)) == 1 and value("step", -1) == 0
    assert slope("relu", F(-3, 2)) == [0] and slope("relu", 0) == [0]
    assert slope("relu", F(5, 2)) == [1]
    assert slope("leaky_relu", -2, F(1, 10)) == [F(1, 10), -2]
    assert slope("abs", F(-7, 4)) == [-1]
    assert slope("max", 1, 3, -2) == [0, 1, 0] and slope("min", 1, 3, -2) == [0, 0, 1]


def test_tolerance_boundaries_slack_and_precedence():
    """Kills three tolerance survivors (teach/tolerance.py):
    - 3 significant figures accept an error of exactly half a unit of the third figure: 1.235
      (exact) may be written 1.24 or 1.23 (|1.23 - 1.235| = 0.005 = ½·10⁻²), not 1.22;
    - the slack of a number written to its own decimal places is half its last place:
      "0.62" → 0.005, "1.5" → 0.05, "2" → 0.5, "120" → 0.5;
    - the problem's own tolerance beats the course's and the default; --tolerance beats it."""
    from decimal import Decimal

    from hwsolve.teach.tolerance import DEFAULT, GRADING_DEFAULT, Rule, for_grading, parse_option
    three = Rule("sigfigs", sigfigs=3)
    x = F(1235, 1000)
    assert three.matches("1.24", x) and three.matches("1.23", x)
    assert not three.matches("1.22", x) and not three.matches("1.2451", x)
    assert three.matches("-0.00468", F(-468, 100000)) and three.matches("0.00468", F(4685, 10**6))
    assert DEFAULT.slack("0.62", F(62, 100)) == Decimal("0.005")
    assert DEFAULT.slack("1.5", F(3, 2)) == Decimal("0.05")
    assert DEFAULT.slack("2", F(2)) == Decimal("0.5")
    assert DEFAULT.slack("120", F(120)) == Decimal("0.5")
    mine = Rule("sigfigs", sigfigs=2)
    assert for_grading(None, mine) == (mine, "the problem's tolerance")
    assert for_grading(None, None) == (GRADING_DEFAULT, "the grading default")
    assert for_grading("abs:0.01", mine) == (parse_option("abs:0.01"), "--tolerance")


def test_tanh_output_with_mse_at_labels_plus_and_minus_one():
    """Kills: the cancellation-free residual of a tanh output (ops/vector.py: Ŷ - 1 is
    -2σ(-2z), Ŷ + 1 is 2σ(2z)) with a sign slipped.  By hand, with z = w·x = 0.5:
    Ŷ = tanh(0.5); L = ½(Ŷ - y)²; dL/dw = (Ŷ - y)(1 - Ŷ²)·x, for y = 1 and for y = -1."""
    import math
    t = math.tanh(0.5)
    for y in (1, -1):
        s = api.solve_text(f"""
title: "tanh + mse"
inputs: {{x: 1}}
params: {{w: 0.5}}
nodes: {{z: w * x}}
activation: tanh
loss: mse
label: {y}
""")
        assert abs(float(s.values["L"]) - 0.5 * (t - y) ** 2) < 1e-15
        assert abs(float(s.grad["w"]) - (t - y) * (1 - t * t)) < 1e-15
