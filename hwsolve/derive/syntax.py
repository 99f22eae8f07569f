"""A form printed in hwsolve's expression syntax (what :func:`hwsolve.spec.expr.parse_tensor`
reads back): the fewest brackets Python's precedence allows, numbers as exact decimals or
p/q, and the build-time kinds fill/eye/zero written out as literals."""

from __future__ import annotations

from fractions import Fraction

MAX_LITERAL = 400  # entries a surviving fill/eye/zero may be printed as


def num_value(t):
    return t.data.value if t.kind == "num" else None


def is_one(t) -> bool:
    return t.kind == "num" and t.data.value == 1


def fmt_number(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    d = value.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:  # a terminating decimal
        sign = "-" if value < 0 else ""
        v = abs(value)
        digits = 0
        while (v * 10 ** digits).denominator != 1:
            digits += 1
        whole = v.numerator * 10 ** digits // v.denominator
        text = str(whole).rjust(digits + 1, "0")
        return f"{sign}{text[:-digits]}.{text[-digits:]}"
    return f"{value.numerator}/{value.denominator}"


_LEVEL = {"add": 1, "sub": 1, "mul": 2, "div": 2, "matmul": 2, "neg": 3, "pow": 4}


def level(t) -> int:
    if t.kind == "ew" and t.data in _LEVEL:
        return _LEVEL[t.data]
    if t.kind == "matmul":
        return 2
    if t.kind == "num" and num_value(t) < 0:
        return 3
    if t.kind == "num" and num_value(t).denominator != 1 and "/" in t.data.text:
        return 2
    if t.kind == "fill":
        return 2 if not is_one(t.args[0]) else 5
    return 5


def to_text(t, rename: dict | None = None) -> str:
    """The form in hwsolve's expression syntax (``rename`` maps names to other names)."""
    return _Printer(rename or {}).text(t)


class _Printer:
    def __init__(self, rename: dict):
        self.rename = rename

    def wrap(self, t, minimum: int, strict: bool = False) -> str:
        text = self.text(t)
        lv = level(t)
        return f"({text})" if lv < minimum or (strict and lv == minimum) else text

    def text(self, t) -> str:
        k = t.kind
        if k == "num":
            return t.data.text
        if k == "name":
            return self.rename.get(t.data, t.data)
        if k in ("item", "row"):
            n, index = t.data
            return f"{self.rename.get(n, n)}[{', '.join(map(str, index))}]"
        if k == "lit":
            return "[" + ", ".join(self.text(a) for a in t.args) + "]"
        if k in ("fill", "eye", "zero"):
            return self.constant(t)
        if k == "ew":
            return self.ew(t)
        if k == "matmul":
            return f"{self.wrap(t.args[0], 2)} @ {self.wrap(t.args[1], 2, True)}"
        if k == "reduce":
            return f"{t.data}({self.text(t.args[0])})"
        if k in ("dot", "outer"):
            return f"{k}({self.text(t.args[0])}, {self.text(t.args[1])})"
        if k in ("transpose", "softmax", "log_softmax", "trace"):
            return f"{k}({self.text(t.args[0])})"
        if k == "conv2d":
            stride, padding = t.data
            return (f"conv2d({self.text(t.args[0])}, {self.text(t.args[1])}, {stride}, "
                    f"{padding})")
        raise AssertionError(k)

    def ew(self, t) -> str:
        op, args = t.data, t.args
        if op == "add":
            parts = [self.wrap(args[0], 1)]
            for a in args[1:]:
                if a.kind == "ew" and a.data == "neg":
                    parts.append(f"- {self.wrap(a.args[0], 2)}")
                elif a.kind == "num" and num_value(a) < 0:
                    parts.append(f"- {fmt_number(-num_value(a))}")
                elif a.kind == "ew" and a.data == "mul" and a.args[0].kind == "num" and \
                        num_value(a.args[0]) < 0:
                    rest = a.args[1:]
                    c = -num_value(a.args[0])
                    body = " * ".join(self.wrap(f, 2, True) for f in rest)
                    parts.append(f"- {body}" if c == 1 else f"- {fmt_number(c)} * {body}")
                else:
                    parts.append(f"+ {self.wrap(a, 1)}")
            return " ".join(parts)
        if op == "sub":
            return f"{self.wrap(args[0], 1)} - {self.wrap(args[1], 1, True)}"
        if op == "mul":
            return " * ".join([self.wrap(args[0], 2)] + [self.wrap(a, 2, True) for a in args[1:]])
        if op == "div":
            return f"{self.wrap(args[0], 2)} / {self.wrap(args[1], 2, True)}"
        if op == "neg":
            return f"-{self.wrap(args[0], 3)}"
        if op == "pow":
            return f"{self.wrap(args[0], 5)} ** {self.wrap(args[1], 4)}"
        return f"{op}({', '.join(self.text(a) for a in args)})"

    def constant(self, t) -> str:
        size = 1
        for n in t.shape:
            size *= n
        if size > MAX_LITERAL:
            raise ValueError(f"the form needs a constant {t.kind} of {size} entries written "
                             "out; at most {MAX_LITERAL}")
        if t.kind == "eye":
            n = t.shape[0]
            return "[" + ", ".join("[" + ", ".join("1" if i == j else "0" for j in range(n))
                                   + "]" for i in range(n)) + "]"
        one = "0" if t.kind == "zero" else "1"
        if len(t.shape) == 1:
            body = "[" + ", ".join([one] * t.shape[0]) + "]"
        else:
            row = "[" + ", ".join([one] * t.shape[1]) + "]"
            body = "[" + ", ".join([row] * t.shape[0]) + "]"
        if t.kind == "fill" and not is_one(t.args[0]):
            return f"{self.wrap(t.args[0], 2)} * {body}"
        return body
