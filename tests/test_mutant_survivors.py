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
