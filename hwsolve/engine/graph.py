"""The computational graph: every scalar as a numbered slot, every node as a flat tape.

Inputs, params and constants are leaf slots (a vector W of n entries is n slots W[1]..W[n]);
each node is one slot computed by a tape, a postorder list of ``(op, args, payload)`` where
``op`` is ``"load"`` (payload: a slot), ``"const"`` (payload: a number) or a key of
:data:`hwsolve.ops.rules.RULES` (args: earlier tape positions).  Flat lists keep evaluation
iterative and linear in the size of the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hwsolve.spec import expr as E
from hwsolve.errors import HwsolveError
from hwsolve.spec.load import Problem


@dataclass(frozen=True)
class Slot:
    name: str
    index: int | None  # 1-based entry of a vector, None for a scalar
    kind: str          # input, param, constant or node

    @property
    def label(self) -> str:
        return self.name if self.index is None else f"{self.name}[{self.index}]"


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


@dataclass
class Graph:
    problem: Problem
    slots: list
    leaf_values: dict    # slot -> exact value
    vectors: dict        # vector name -> list of slots
    scalars: dict        # scalar name -> slot
    nodes: list

    def slot_of(self, name: str, index: int | None = None) -> int:
        return self.scalars[name] if index is None else self.vectors[name][index - 1]


def build(problem: Problem) -> Graph:
    graph = Graph(problem, [], {}, {}, {}, [])
    shapes: dict = {}
    for kind, table in (("input", problem.inputs), ("param", problem.params),
                        ("constant", problem.constants)):
        for name, value in table.items():
            if isinstance(value, tuple):
                graph.vectors[name] = [_add_slot(graph, Slot(name, i, kind), v)
                                       for i, v in enumerate(value, start=1)]
                shapes[name] = len(value)
            else:
                graph.scalars[name] = _add_slot(graph, Slot(name, None, kind), value)
                shapes[name] = None
    remaining = {node.name for node in problem.nodes}
    for source in problem.nodes:
        remaining.discard(source.name)
        where = f"nodes.{source.name}"
        try:
            parsed = E.parse(source.text, shapes, node=source.name, later=remaining)
        except E.ExprError as exc:
            raise HwsolveError(str(exc), file=problem.file, where=where,
                               line=source.line) from None
        slot = len(graph.slots)
        graph.slots.append(Slot(source.name, None, "node"))
        graph.scalars[source.name] = slot
        shapes[source.name] = None
        graph.nodes.append(_compile(graph, source, parsed, slot))
    return graph


def _add_slot(graph: Graph, slot: Slot, value) -> int:
    graph.slots.append(slot)
    number = len(graph.slots) - 1
    graph.leaf_values[number] = value
    return number


def _compile(graph: Graph, source, parsed: E.Expr, slot: int) -> NodeProgram:
    program = NodeProgram(source.name, slot, source.text, source.line, parsed, [], [])
    tape, needs, slots = program.tape, program.needs, graph.slots
    seen_inputs: dict = {}

    def load(target: int) -> int:
        seen_inputs[target] = None
        tape.append(("load", (), target))
        needs.append(slots[target].kind != "constant")
        return len(tape) - 1

    def emit(e: E.Expr) -> list:
        """Append ``e`` to the tape; returns its positions (several for a vector)."""
        kind = type(e)
        if kind is E.Apply:
            args = []
            for arg in e.args:
                args += emit(arg)
            tape.append((e.op, tuple(args), None))
            needs.append(any(needs[a] for a in args))
            return [len(tape) - 1]
        if kind is E.Name:
            return [load(graph.scalars[e.name])]
        if kind is E.Num:
            tape.append(("const", (), e.value))
            needs.append(False)
            return [len(tape) - 1]
        if kind is E.Item:
            return [load(graph.vectors[e.name][e.index - 1])]
        if kind is E.VectorName:
            return [load(s) for s in graph.vectors[e.name]]
        return [p for item in e.items for p in emit(item)]  # VectorLit

    emit(parsed)
    program.inputs = list(seen_inputs)
    return program
