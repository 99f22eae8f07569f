"""Seeded random problems for stress tests, cross-checks and practice.

``generate_problem(n, seed)`` writes a scalar graph of format v1 (:mod:`.scalar`);
``generate_problem(n, seed, tensor=True)`` a tensor problem of format v2 (:mod:`.tensor`):
matrices, ``@``, element-wise ops, softmax/cross-entropy, hinge, ``loss: none`` with
``output_grad`` and loss expressions.  ``kinks=True`` plants exact kinks and ties in either.

Command line: ``hwsolve generate N --seed S [--kinks] [--tensor] [-o FILE]``.
"""

from __future__ import annotations

from hwsolve.spec.yamlread import MAX_BYTES
from hwsolve.tools.generate.common import KINK_EPS, RCAP, SQUASH_MAX, VMAX

__all__ = ["KINK_EPS", "RCAP", "SQUASH_MAX", "VMAX", "generate_problem"]


def generate_problem(n_nodes: int, seed: int, *, kinks: bool = False, activation=None,
                     loss=None, tensor: bool = False) -> str:
    """The YAML text of a random problem with ``n_nodes`` nodes, deterministic in ``seed``.

    ``activation`` / ``loss`` fix the head (otherwise a seeded random valid combination);
    ``kinks=True`` plants exact kinks (relu/leaky_relu/abs at 0, min/max ties, and for tensor
    problems a hinge margin of exactly 0); ``tensor=True`` writes a format-v2 tensor problem.
    """
    least = least_bytes(n_nodes, tensor)
    if least > MAX_BYTES:  # refused before any work: the text could not be read back
        raise ValueError(f"{n_nodes:,} nodes make a problem of at least "
                         f"{least / 1024 / 1024:.2f} MiB, more than the "
                         f"{MAX_BYTES // (1024 * 1024)} MiB hwsolve reads; ask for at most "
                         f"about {most_nodes(tensor):,} nodes")
    if tensor:
        from hwsolve.tools.generate.tensor import generate_tensor_problem

        text = generate_tensor_problem(n_nodes, seed, kinks=kinks, activation=activation,
                                       loss=loss)
    else:
        from hwsolve.tools.generate.scalar import _Generator

        text = _Generator(n_nodes, seed, kinks, activation, loss).build()
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:  # never write what hwsolve would refuse to read
        fits = min(most_nodes(tensor), max(1, int(n_nodes * MAX_BYTES / size * 0.98)))
        raise ValueError(f"{n_nodes:,} nodes make a {size / 1024 / 1024:.2f} MiB problem, more "
                         f"than the {MAX_BYTES // (1024 * 1024)} MiB hwsolve reads; ask for at "
                         f"most about {fits:,} nodes")
    return text


_BASE = {False: 25, True: 36}


def least_bytes(n_nodes: int, tensor: bool) -> int:
    """A lower bound of the size of a generated problem of ``n_nodes`` nodes: measured, a node
    line, its params and its share of the head take at least 25 bytes (scalar; 36 tensor) plus
    4 per digit of the node count (names grow with it); measured (seeds 0 and 1): 41.4 and 54.8
    bytes a node at 300 nodes, 45.5 and 57.2 at 3,000, 49.9 and 61.6 at 30,000, 51.4 and 63.3
    at 90,000."""
    return n_nodes * (_BASE[tensor] + 4 * len(str(n_nodes)))


def most_nodes(tensor: bool) -> int:
    """About the most nodes whose problem fits in MAX_BYTES (from :func:`least_bytes`, with a
    margin: it is a lower bound; the tensor templates of issue 19's layers measure about 76
    bytes a node at 60,000 nodes, hence the wider margin there)."""
    margin = 1.5 if tensor else 1.2
    n = MAX_BYTES // _BASE[tensor]
    while n > 1 and least_bytes(n, tensor) * margin > MAX_BYTES:
        n = int(n * 0.98)
    return n
