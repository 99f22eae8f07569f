"""The computational graph: every scalar as a numbered slot, every node entry as a flat tape.

Inputs, params and constants are leaf slots (a vector W of n entries is n slots W[1]..W[n], a
matrix M of m×n entries is M[1, 1]..M[m, n], row-major).  A node of shape s is one program per
entry, each computing one slot with a tape: a postorder list of ``(op, args, payload)`` where
``op`` is ``"load"`` (payload: a slot), ``"const"`` (payload: a number) or a key of
:data:`hwsolve.ops.rules.RULES` (args: earlier tape positions; payload: the entry index of a
vector function such as softmax, else None).  Flat lists keep evaluation iterative and linear
in the size of the graph.

The output head (Ŷ, and the loss L) is compiled the same way by :mod:`hwsolve.engine.head`,
into ``head_nodes`` after the spec's nodes; its label entries are leaf slots of kind "label".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hwsolve import num
from hwsolve.errors import HwsolveError
from hwsolve.spec import expr as E
from hwsolve.spec.load import Problem
from hwsolve.spec.shapes import (MAX_RANK, flat_position, flatten, indices,
                                 label as entry_label, shape_of)


MAX_GRAPH_WORK = 1_500_000
"""Scalar operations a whole problem may lower to: a 20,000-node v1 graph is about 200,000, the
784-64-10 MLP about 110,000."""


@dataclass(frozen=True)
class Slot:
    name: str
    index: int | tuple | None  # 1-based entry of a vector (int) or matrix ((i, j)); None: scalar
    kind: str                  # input, param, constant, node, yhat, label or loss

    @property
    def label(self) -> str:
        return entry_label(self.name, self.index)


@dataclass
class NodeProgram:
    name: str
    slot: int
    text: str
    line: int
    expr: E.Expr
    tape: list
    needs: list          # per tape position: does a gradient flow through it?
    inputs: list = field(default_factory=list)  # direct-input slots, in order of first use
    index: int | tuple | None = None            # the entry of the node this program computes

    @property
    def label(self) -> str:
        return entry_label(self.name, self.index)


@dataclass
class Graph:
    problem: Problem
    slots: list
    leaf_values: dict    # slot -> exact value
    vectors: dict        # tensor name -> its slots, row-major
    scalars: dict        # scalar name -> slot
    nodes: list          # the spec's nodes, one program per entry
    shapes: dict = field(default_factory=dict)   # name -> shape
    head_nodes: list = field(default_factory=list)
    linear: dict = field(default_factory=dict)   # node -> (W, x, b): a node W @ x (+ b)

    def slot_of(self, name: str, index=None) -> int:
        if index is None:
            return self.scalars[name]
        return self.vectors[name][flat_position(self.shapes[name], index)]

    def slots_of(self, name: str) -> list:
        """Every slot of ``name``, row-major (one for a scalar)."""
        return [self.scalars[name]] if name in self.scalars else self.vectors[name]

    @property
    def programs(self) -> list:
        return self.nodes + self.head_nodes


def build(problem: Problem, values: dict | None = None) -> Graph:
    """The graph of ``problem``'s spec nodes.  ``values`` may replace the leaf values by name
    (a variant's inputs, params or constants, of the same shapes)."""
    graph = Graph(problem, [], {}, {}, {}, [])
    shapes: dict = {}
    for kind, table in (("input", problem.inputs), ("param", problem.params),
                        ("constant", problem.constants)):
        for name, value in table.items():
            if values and name in values:
                value = values[name]
            add_leaf(graph, name, kind, value)
            shapes[name] = graph.shapes[name]
    remaining = {node.name for node in problem.nodes}
    budget = MAX_GRAPH_WORK
    for source in problem.nodes:
        remaining.discard(source.name)
        where = f"nodes.{source.name}"
        try:
            tree = E.parse_tensor(source.text, shapes, node=source.name, later=remaining)
        except E.ExprError as exc:
            raise HwsolveError(str(exc), file=problem.file, where=where,
                               line=source.line) from None
        if len(tree.shape) > MAX_RANK:
            raise HwsolveError(f"a node may be a tensor of rank at most {MAX_RANK}",
                               file=problem.file, where=where, line=source.line)
        cost = E.work(tree)
        budget -= cost
        if cost > E.MAX_WORK or budget < 0:
            raise HwsolveError(
                f"this node is about {cost:,} scalar operations"
                + ("" if cost > E.MAX_WORK else f", and the problem about {MAX_GRAPH_WORK - budget:,}")
                + f"; hwsolve solves at most {E.MAX_WORK:,} per node and {MAX_GRAPH_WORK:,} in all "
                "(every entry is exact and keeps its own tape): make the tensors smaller",
                file=problem.file, where=where, line=source.line)
        shapes[source.name] = tree.shape
        graph.nodes += compile_tree(graph, source.name, "node", tree, source.text, source.line)
        linear = _linear(tree)
        if linear:
            graph.linear[source.name] = linear
    return graph


def _linear(tree: E.Tensor) -> tuple | None:
    """(W, x, b) for a vector node written ``W @ x`` or ``W @ x + b`` with W a matrix name and
    x, b names (None where x or b is not a bare name): its gradients have matrix forms."""
    bias = None
    if tree.kind == "ew" and tree.data == "add" and len(tree.args) == 2:
        tree, other = tree.args
        bias = other.data if other.kind == "name" else None
    if tree.kind != "matmul" or len(tree.shape) != 1:
        return None
    w, x = tree.args
    if w.kind != "name" or len(w.shape) != 2:
        return None
    return w.data, x.data if x.kind == "name" else None, bias


def add_leaf(graph: Graph, name: str, kind: str, value) -> list:
    shape = shape_of(value)
    graph.shapes[name] = shape
    numbers = []
    for index, entry in zip(indices(shape), flatten(value)):
        graph.slots.append(Slot(name, index, kind))
        number = len(graph.slots) - 1
        graph.leaf_values[number] = num.number(entry)
        numbers.append(number)
    if shape:
        graph.vectors[name] = numbers
    else:
        graph.scalars[name] = numbers[0]
    return numbers


def compile_tree(graph: Graph, name: str, kind: str, tree: E.Tensor, text: str,
                 line: int) -> list:
    """Add the slots of a node of this shape and one program per entry."""
    programs = []
    numbers = []
    for index, expr in zip(indices(tree.shape), E.lower(tree)):
        slot = len(graph.slots)
        graph.slots.append(Slot(name, index, kind))
        numbers.append(slot)
        programs.append(_compile(graph, name, index, text, line, expr, slot))
    graph.shapes[name] = tree.shape
    if tree.shape:
        graph.vectors[name] = numbers
    else:
        graph.scalars[name] = numbers[0]
    return programs


def _compile(graph: Graph, name: str, index, text: str, line: int, parsed: E.Expr,
             slot: int) -> NodeProgram:
    program = NodeProgram(name, slot, text, line, parsed, [], [], index=index)
    tape, needs, slots = program.tape, program.needs, graph.slots
    seen_inputs: dict = {}

    def load(target: int) -> int:
        seen_inputs[target] = None
        tape.append(("load", (), target))
        needs.append(slots[target].kind not in ("constant", "label"))
        return len(tape) - 1

    # Postorder with an explicit stack: a lowered entry may be deep (a chain of element-wise
    # functions over a whole tensor) without meeting Python's recursion limit.
    out: list = []       # positions produced, as a stack of lists
    stack = [(parsed, False)]
    while stack:
        e, ready = stack.pop()
        kind = type(e)
        if kind is E.Apply:
            if not ready:
                stack.append((e, True))
                stack.extend((a, False) for a in reversed(e.args))
                continue
            count = len(e.args)
            parts = out[len(out) - count:]
            del out[len(out) - count:]
            args = tuple(p for part in parts for p in part)
            tape.append((e.op, args, e.index))
            needs.append(any(needs[a] for a in args))
            out.append([len(tape) - 1])
        elif kind is E.Name:
            out.append([load(graph.scalars[e.name])])
        elif kind is E.Num:
            tape.append(("const", (), num.exact(e.value)))
            needs.append(False)
            out.append([len(tape) - 1])
        elif kind is E.Item:
            out.append([load(graph.slot_of(e.name, e.index))])
        elif kind is E.Context:
            tape.append(("load", (), e.slot))
            needs.append(False)
            out.append([len(tape) - 1])
        elif kind is E.VectorName:
            out.append([load(s) for s in graph.vectors[e.name]])
        else:  # VectorLit: its items are scalars
            if not ready:
                stack.append((e, True))
                stack.extend((a, False) for a in reversed(e.items))
                continue
            count = len(e.items)
            parts = out[len(out) - count:]
            del out[len(out) - count:]
            out.append([p for part in parts for p in part])
    program.inputs = list(seen_inputs)
    return program
