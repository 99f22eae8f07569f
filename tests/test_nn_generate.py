"""``hwsolve generate --tensor`` draws issue 19's ops (GELU, norms, var, dropout, concat,
masked softmax with a broadcast bias, pooling with a planted tie, convolution over channels,
the Huber, L1 and smooth L1 heads), and every drawn problem agrees with PyTorch (--verify)."""

from __future__ import annotations

import pytest

from hwsolve.api import solve_text
from hwsolve.tools.generate import generate_problem

pytest.importorskip("torch", reason="the verify extra (torch==2.13.0) is needed")

WORDS = ("gelu(", "gelu_tanh(", "layer_norm(", "batch_norm(", "var(", "dropout(", "concat(",
         "max_pool2d(", "avg_pool2d(", "softmax(outer", "conv2d(X", "loss: huber", "loss: l1",
         "loss: smooth_l1", "pool_tie")


def test_generated_tensor_problems_draw_the_new_ops_and_agree_with_torch():
    from hwsolve.tools.verify import verify_entries

    seen = dict.fromkeys(WORDS, 0)
    checked = 0
    for seed in range(60):
        for kinks in (False, True):
            text = generate_problem(8, seed, tensor=True, kinks=kinks)
            for word in WORDS:
                seen[word] += word in text
            rows = verify_entries(solve_text(text))
            assert rows and all(row[-1] for row in rows), (seed, kinks,
                                                           [r for r in rows if not r[-1]][:3])
            checked += 1
    assert checked == 120
    assert all(seen.values()), seen
