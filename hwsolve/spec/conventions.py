"""Course conventions: what a key means differs between courses, and a convention fixes it.

``conventions: textbook | pytorch | cmu11785 | cs231n`` in a spec (or ``--conventions`` on the
command line) sets:

- the mse reduction over the k outputs of one example (the batch then takes the mean over the
  N examples, ``reduction: mean``): textbook ½Σ(Ŷ − Y)²; pytorch and cmu11785 the mean
  Σ(Ŷ − Y)²/k, which over a batch is Σ/(N·C), torch.nn.functional.mse_loss and 11-785's
  MSELoss (gradient 2(A − Y)/(N·C)); cs231n Σ(Ŷ − Y)² (the squared L2 norm of its notes);
- the batch reduction of cross-entropy (and every loss): the mean over the examples in all four
  (an explicit ``reduction:`` key still wins);
- the tie rule of max and max_pool2d: max splits the gradient equally between tied arguments
  (torch.amax/torch.maximum), max_pool2d sends it to the first maximal entry in row-major order
  (PyTorch's max_pool2d, 11-785's argmax);
- the variance in layer and batch norm: biased, Σ(x − μ)²/n, in all four (PyTorch's training
  mode, 11-785's and cs231n's batch norm forward).

The default is ``textbook``: hwsolve's behaviour before conventions existed.
"""

from __future__ import annotations

from dataclasses import dataclass

NAMES = ("textbook", "pytorch", "cmu11785", "cs231n")
DEFAULT = "textbook"


@dataclass(frozen=True)
class Convention:
    mse: str            # half_sum | mean | sum
    batch: str          # the batch reduction of the examples' losses
    max_tie: str        # split | first
    pool_tie: str       # split | first
    variance: str       # biased | unbiased

    @property
    def mse_text(self) -> str:
        return {"half_sum": "mse ½Σ(Ŷ−Y)²", "mean": "mse mean (Σ/(N·C) over a batch)",
                "sum": "mse Σ(Ŷ−Y)²"}[self.mse]


TABLE = {
    "textbook": Convention("half_sum", "mean", "split", "first", "biased"),
    "pytorch": Convention("mean", "mean", "split", "first", "biased"),
    "cmu11785": Convention("mean", "mean", "split", "first", "biased"),
    "cs231n": Convention("sum", "mean", "split", "first", "biased"),
}

MSE_OPS = {"half_sum": "loss_mse", "mean": "loss_mse_mean", "sum": "loss_sse"}


def get(name: str | None) -> Convention:
    return TABLE[name or DEFAULT]


def summary(name: str | None) -> str:
    """One line for under a table: the convention in force and what it sets."""
    c = get(name)
    return (f"conventions: {name or DEFAULT} ({c.mse_text}; batch {c.batch}; max tie "
            f"{c.max_tie}, max_pool2d tie {c.pool_tie} argmax; {c.variance} variance in norms)")


def matters(problem, loss: str) -> bool:
    """Whether a table should name the convention: chosen in the spec or on the command line,
    or an mse loss (the one figure the conventions set differently)."""
    import re
    return (problem.conventions != DEFAULT or "conventions" in problem.lines
            or bool(re.search(r"\bmse\b", loss or "")))
