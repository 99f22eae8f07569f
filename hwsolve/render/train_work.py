"""The update arithmetic of ``--steps`` for every optimizer, in plain text or LaTeX.

Each rule is written once, against a small writer (:class:`Plain` for the terminal,
:class:`Tex` for ``--format latex``), as equations ``target ← formula = numbers = result``.
Nothing here computes a number: the before and after values, the gradient the rule used
(after weight decay) and the optimizer's state before and after the step are all recorded by
:func:`hwsolve.engine.train.train`; the writer only prints them into PyTorch's formulas.
"""

from __future__ import annotations

from hwsolve.render.common import fmt
from hwsolve.spec.shapes import flatten, indices, label as entry_label, shape_of


def _top_level_sum(text: str) -> bool:
    """Whether ``text`` has a + or − outside parentheses (a sign of a number is not one)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in "+−" and i and text[i - 1] == " ":
            return True
    return False


class Plain:
    """Unicode text, as the terminal shows it."""
    arrow, minus, plus, dot = " ← ", " − ", " + ", "·"
    SYMBOLS = {"eta": "η", "mu": "μ", "alpha": "α", "beta1": "β₁", "beta2": "β₂", "eps": "ε",
               "lambda": "λ"}

    def __init__(self, digits: int):
        self.digits = digits

    def sym(self, name: str) -> str:
        return self.SYMBOLS.get(name, name)

    def entry(self, label: str) -> str:
        return label

    def grad(self, label: str) -> str:
        return "∇" + label

    def num(self, x) -> str:
        return fmt(x, self.digits)

    def factor(self, x) -> str:
        """A number as a factor of a product: in parentheses when negative."""
        text = self.num(x)
        return f"({text})" if text.startswith("-") else text

    def sqrt(self, x: str) -> str:
        return "√" + (x if x.replace(".", "").replace("e", "").isalnum() else f"({x})")

    def square(self, x: str) -> str:
        return x + "²"

    def power(self, x: str, t: int) -> str:
        return f"{x}^{t}"

    def frac(self, a: str, b: str) -> str:
        return f"{a}/({b})" if _top_level_sum(b) else f"{a}/{b}"

    def paren(self, x: str) -> str:
        return f"({x})"

    def equation(self, target: str, *sides: str) -> str:
        return target + self.arrow + " = ".join(sides)

    def note(self, text: str) -> str:
        return f" ({text})"


class Tex(Plain):
    """The same equations for an ``align*`` of LaTeX (``&`` before the arrow)."""
    arrow, minus, plus, dot = r" &\leftarrow ", " - ", " + ", r" \cdot "
    SYMBOLS = {"eta": r"\eta", "mu": r"\mu", "alpha": r"\alpha", "beta1": r"\beta_1",
               "beta2": r"\beta_2", "eps": r"\varepsilon", "lambda": r"\lambda"}

    def entry(self, label: str) -> str:
        from hwsolve.render.latex import latex_name
        return latex_name(label)

    def grad(self, label: str) -> str:
        return r"\nabla " + self.entry(label)

    def sqrt(self, x: str) -> str:
        return rf"\sqrt{{{x}}}"

    def square(self, x: str) -> str:
        return f"{x}^{{2}}"

    def power(self, x: str, t: int) -> str:
        return f"{x}^{{{t}}}"

    def frac(self, a: str, b: str) -> str:
        return rf"\frac{{{a}}}{{{b}}}"

    def paren(self, x: str) -> str:
        return rf"\left({x}\right)"

    def note(self, text: str) -> str:
        return rf"\ \text{{({text})}}"


def entry_equations(w: Plain, config, entry: str, p, g, used, a, before: dict, after: dict,
                    t: int, decayed=None) -> list:
    """The equations of one param entry in one step (``before``/``after``: its state;
    ``decayed``: adamw's p·(1 − η·λ))."""
    f, s, m, x = w.factor, w.sym, w.minus, w.dot
    me = w.entry(entry)
    lr = f(config.lr)
    out = []
    if config.optimizer == "adamw":
        if config.weight_decay:  # decoupled: the param shrinks, the gradient is left alone
            out.append(w.equation(me, me + x + w.paren("1" + m + s("eta") + x + s("lambda"))
                                  + w.note("decoupled weight decay"),
                                  f(p) + x + w.paren("1" + m + lr + x + f(config.weight_decay)),
                                  w.num(decayed)))
            p = decayed
        gs, gv = w.grad(entry), g
    elif config.weight_decay:
        out.append(w.equation("g", w.grad(entry) + w.plus + s("lambda") + x + me,
                              w.num(g) + w.plus + f(config.weight_decay) + x + f(p),
                              w.num(used)))
        gs, gv = "g", used
    else:
        gs, gv = w.grad(entry), g
    name = config.optimizer

    def step(form: str, numbers: str) -> str:
        return w.equation(me, me + m + s("eta") + x + form, w.num(p) + m + lr + x + numbers,
                          w.num(a))

    if name == "sgd":
        out.append(step(gs, f(gv)))
    elif name in ("momentum", "nesterov"):
        mu = f(config.momentum)
        if "b" in before:
            out.append(w.equation("b", s("mu") + x + "b" + w.plus + gs,
                                  mu + x + f(before["b"]) + w.plus + f(gv), w.num(after["b"])))
        else:
            out.append(w.equation("b", gs + w.note("step 1"), w.num(after["b"])))
        if name == "momentum":
            out.append(step("b", f(after["b"])))
        else:
            out.append(step(w.paren(gs + w.plus + s("mu") + x + "b"),
                            w.paren(w.num(gv) + w.plus + mu + x + f(after["b"]))))
    elif name == "rmsprop":
        alpha = f(config.alpha)
        out.append(w.equation(
            "v", s("alpha") + x + "v" + w.plus + w.paren("1" + m + s("alpha")) + x
            + w.square(gs),
            alpha + x + f(before.get("v", 0)) + w.plus + w.paren("1" + m + alpha) + x
            + w.square(f(gv)), w.num(after["v"])))
        ratio = w.frac(gs, w.sqrt("v") + w.plus + s("eps"))
        numbers = w.frac(f(gv), w.sqrt(w.num(after["v"])) + w.plus + f(config.eps))
        if config.momentum:
            out.append(w.equation("b", s("mu") + x + "b" + w.plus + ratio,
                                  f(config.momentum) + x + f(before.get("b", 0)) + w.plus
                                  + numbers, w.num(after["b"])))
            out.append(step("b", f(after["b"])))
        else:
            out.append(step(ratio, numbers))
    elif name == "adagrad":
        out.append(w.equation("s", "s" + w.plus + w.square(gs),
                              w.num(before.get("s", 0)) + w.plus + w.square(f(gv)),
                              w.num(after["s"])))
        out.append(step(w.frac(gs, w.sqrt("s") + w.plus + s("eps")),
                        w.frac(f(gv), w.sqrt(w.num(after["s"])) + w.plus + f(config.eps))))
    else:
        b1, b2 = (f(b) for b in config.betas)
        out.append(w.equation(
            "m", s("beta1") + x + "m" + w.plus + w.paren("1" + m + s("beta1")) + x + gs,
            b1 + x + f(before.get("m", 0)) + w.plus + w.paren("1" + m + b1) + x + f(gv),
            w.num(after["m"])))
        out.append(w.equation(
            "v", s("beta2") + x + "v" + w.plus + w.paren("1" + m + s("beta2")) + x
            + w.square(gs),
            b2 + x + f(before.get("v", 0)) + w.plus + w.paren("1" + m + b2) + x
            + w.square(f(gv)), w.num(after["v"])))

        def adam(eta, beta1, beta2, mv, vv, eps):
            return w.frac(eta, "1" + m + w.power(beta1, t)) + x + w.frac(
                mv, w.frac(w.sqrt(vv), w.sqrt("1" + m + w.power(beta2, t))) + w.plus + eps)
        out.append(w.equation(
            me, me + m + adam(s("eta"), s("beta1"), s("beta2"), "m", "v", s("eps")),
            w.num(p) + m + adam(w.num(config.lr), b1, b2, f(after["m"]), w.num(after["v"]),
                                f(config.eps)), w.num(a)))
    return out


def update_equations(run, w: Plain) -> list:
    """[(step number, [(entry label, [equation])])] for the recorded steps."""
    config = run.config
    out = []
    for step in run.steps:
        entries = []
        for name in step.before:
            shape = shape_of(step.before[name])
            flat = {key: flatten(v) for key, v in (
                ("p", step.before[name]), ("g", step.grad[name]), ("a", step.after[name]),
                ("u", step.used.get(name, step.grad[name])))}
            flat["d"] = flatten(step.decayed[name]) if name in step.decayed else None
            before = {k: flatten(v) for k, v in (step.state_before or {}).get(name, {}).items()}
            after = {k: flatten(v) for k, v in step.state.get(name, {}).items()}
            for i, index in enumerate(indices(shape)):
                entry = entry_label(name, index)
                entries.append((entry, entry_equations(
                    w, config, entry, flat["p"][i], flat["g"][i], flat["u"][i], flat["a"][i],
                    {k: v[i] for k, v in before.items()},
                    {k: v[i] for k, v in after.items()}, step.step,
                    flat["d"][i] if flat["d"] else None)))
        out.append((step.step, entries))
    return out


def plain_lines(run, digits: int = 3) -> list:
    """``--steps`` in the terminal: per step, per entry, its equations."""
    lines = []
    for number, entries in update_equations(run, Plain(digits)):
        lines.append(f"Step {number}")
        for entry, equations in entries:
            if len(equations) == 1:
                lines.append("  " + equations[0])
            else:
                lines.append(f"  {entry}:")
                lines += ["    " + e for e in equations]
    return lines
