"""The node templates of the scalar generator (a mixin of ``scalar._Generator``): one method
per kind of node, each returning ``(text, float value, estimated exact size)`` or raising
``_Reject``; and the exact kinks of ``--kinks``."""

from __future__ import annotations

import math
from itertools import accumulate

from hwsolve.tools.generate.common import (KINK_EPS, SQUASH_MAX, _NODE_REF, _SLOPES, _Op, _Reject,
                                           _Vec, _dec, _sigmoid, _size)


class NodeTemplates:
    # -------------------------------------------------------------- templates
    def t_lin(self):
        return self._lin(k=self.r.choice((2, 2, 3, 4)))

    def _squash_arg(self):
        """A linear combination in the unsaturated range of tanh / sigmoid."""
        t, v, s = self._lin()
        if abs(v) > SQUASH_MAX:
            raise _Reject
        return t, v, s

    def t_tanh(self):
        t, v, _ = self._squash_arg()
        return f"tanh({t})", math.tanh(v), None

    def t_sigmoid(self):
        t, v, _ = self._squash_arg()
        return f"sigmoid({t})", _sigmoid(v), None

    def t_relu(self):
        t, v, s = self._lin()
        self._away(v)
        if v < 0:
            if self.r.random() < 0.85:  # mostly active units: gradients flow
                raise _Reject
            self.gated.update(_NODE_REF.findall(t))
        return f"relu({t})", max(v, 0.0), s

    def t_leaky(self):
        t, v, s = self._lin()
        self._away(v)
        if v < 0 and self.r.random() < 0.6:
            raise _Reject
        if self.r.random() < 0.5:
            return f"leaky_relu({t})", v if v > 0 else 0.01 * v, _size(s, 3)
        sl = self.r.choice(_SLOPES)
        return f"leaky_relu({t}, {sl})", v if v > 0 else float(sl) * v, _size(s, 3)

    def t_abs(self):
        if self.r.random() < 0.5:
            ops = self._picks(2)
            if len(ops) < 2:
                raise _Reject
            a, b = ops
            self._away(a.value - b.value)
            return f"abs({a.text} - {b.text})", abs(a.value - b.value), _size(a.size, b.size)
        t, v, s = self._lin()
        self._away(v)
        return f"abs({t})", abs(v), s

    def t_dot(self):
        r = self.r
        x = r.random()
        if x < 0.6:
            w = r.choice(self.param_vectors)
            k = len(w.values)
            other = self._vector_operand(k)
            first, fv, fs = w.text, w.values, w.size
        else:
            first, fv, fs = self._vector_operand()
            k = len(fv)
            other = self._vector_operand(k)
        ot, ov, os_ = other
        if len(ov) != k:
            raise _Reject
        v = sum(a * b for a, b in zip(fv, ov))
        s = _size(fs, os_, k)
        text = f"dot({first}, {ot})" if r.random() < 0.5 else f"dot({ot}, {first})"
        if r.random() < 0.5:
            b = r.choice(self.param_scalars)
            text += f" + {b.text}"
            v += b.value
            s = _size(s, b.size)
        y = r.random() if abs(v) <= SQUASH_MAX else 1.0
        if y < 0.2:
            return f"tanh({text})", math.tanh(v), None
        if y < 0.35:
            return f"sigmoid({text})", _sigmoid(v), None
        return text, v, s

    def t_minmax(self):
        r = self.r
        fn = r.choice(("min", "max"))
        if r.random() < 0.35:
            t, vals, s = self._vector_operand()
            arg = t
        else:
            ops = self._picks(r.choice((2, 2, 3)))
            if len(ops) < 2:
                raise _Reject
            arg = ", ".join(o.text for o in ops)
            vals = [o.value for o in ops]
            s = _size(*(o.size for o in ops))
            s = None if s is None else max(o.size for o in ops)
        srt = sorted(vals)
        if fn == "max":
            self._away(srt[-1] - srt[-2])
            v = srt[-1]
        else:
            self._away(srt[1] - srt[0])
            v = srt[0]
        if "," in arg:  # the losers get no gradient from here
            self.gated.update(item for item, val in zip(arg.strip("[]").split(", "), vals)
                              if val != v)
        text = f"{fn}({arg})"
        if r.random() < 0.3:
            c = self._coef()
            text = f"{c}*{text}"
            v *= float(c)
            s = _size(s, len(c))
        return text, v, s

    def t_exp(self):
        r = self.r
        a = self._pick()
        x = r.random()
        if x < 0.3:
            return f"exp(-{a.text}*{a.text})", math.exp(-a.value * a.value), None
        if x < 0.55:
            return f"exp(tanh({a.text}))", math.exp(math.tanh(a.value)), None
        if x < 0.75:
            c = self._coef()
            return f"exp({c}*sigmoid({a.text}))", math.exp(float(c) * _sigmoid(a.value)), None
        t, v, _ = self._lin()
        if not -4.0 <= v <= 2.0:
            raise _Reject
        return f"exp({t})", math.exp(v), None

    def t_log(self):
        r = self.r
        a = self._pick()
        x = r.random()
        if x < 0.35:
            return f"log(1 + {a.text}*{a.text})", math.log1p(a.value * a.value), None
        if x < 0.55:
            return f"log(sigmoid({a.text}))", math.log(_sigmoid(a.value)), None
        if x < 0.75:
            return f"log(2 + tanh({a.text}))", math.log(2 + math.tanh(a.value)), None
        b = self._pick()
        return (f"log({a.text}*{a.text} + {b.text}*{b.text} + 0.5)",
                math.log(a.value ** 2 + b.value ** 2 + 0.5), None)

    def t_sqrt(self):
        r = self.r
        a = self._pick()
        x = r.random()
        if x < 0.4:
            return f"sqrt(1 + {a.text}*{a.text})", math.sqrt(1 + a.value * a.value), None
        if x < 0.6:
            return f"sqrt(sigmoid({a.text}))", math.sqrt(_sigmoid(a.value)), None
        if x < 0.8:
            b = self._pick()
            return (f"sqrt({a.text}*{a.text} + {b.text}*{b.text} + 0.25)",
                    math.sqrt(a.value ** 2 + b.value ** 2 + 0.25), None)
        if a.value < 0.05:
            raise _Reject
        return f"sqrt({a.text})", math.sqrt(a.value), None

    def t_div(self):
        r = self.r
        a, b = self._pick(), self._pick()
        x = r.random()
        if x < 0.3:
            return (f"{a.text} / (1 + {b.text}*{b.text})", a.value / (1 + b.value * b.value),
                    _size(a.size, b.size, b.size, 1))
        if x < 0.45:
            if abs(b.value) > 3:
                raise _Reject
            return f"{a.text} / exp({b.text})", a.value / math.exp(b.value), None
        if x < 0.6:
            if a.text == b.text:
                raise _Reject
            c = self._pick()
            return (f"({a.text} - {b.text}) / (2 + tanh({c.text}))",
                    (a.value - b.value) / (2 + math.tanh(c.value)), None)
        if x < 0.8:
            d = r.choice(("2", "3", "4", "0.5", "1.5", "10"))
            if self.constants and r.random() < 0.5:
                name, ctext = r.choice(self.constants)
                if ctext.startswith("["):
                    raise _Reject
                d = name
                dv = float(ctext)
            else:
                dv = float(d)
            t, v, s = self._lin(k=r.choice((1, 2)), bias=False)
            return f"({t}) / {d}", v / dv, _size(s, 2)
        return (f"{a.text} / sqrt(1 + {b.text}*{b.text})",
                a.value / math.sqrt(1 + b.value * b.value), None)

    def t_pow(self):
        r = self.r
        a = self._pick()
        x = r.random()
        if x < 0.25:
            return f"{a.text}**2", a.value ** 2, _size(a.size, a.size)
        if x < 0.4:
            b = self._pick()
            if a.text == b.text:
                raise _Reject
            d = a.value - b.value
            return f"({a.text} - {b.text})**2", d * d, _size(a.size, b.size, a.size, b.size)
        if x < 0.5:
            if abs(a.value) > 2:
                raise _Reject
            return f"{a.text}**3", a.value ** 3, _size(a.size, a.size, a.size)
        if x < 0.65:
            return (f"(1 + {a.text}*{a.text})**0.5", math.sqrt(1 + a.value * a.value), None)
        if x < 0.78:
            return (f"(1 + {a.text}*{a.text})**-1", 1 / (1 + a.value * a.value),
                    _size(a.size, a.size, 1))
        if x < 0.9:
            return f"sigmoid({a.text})**2", _sigmoid(a.value) ** 2, None
        if a.value < 0.05:
            raise _Reject
        return f"{a.text}**0.5", math.sqrt(a.value), None

    def t_prod(self):
        r = self.r
        x = r.random()
        if x < 0.4:
            a, b = self._gate_zero(self._pick(), self._pick())
            return f"{a.text}*{b.text}", a.value * b.value, _size(a.size, b.size)
        if x < 0.7:
            a, b = self._gate_zero(self._pick(), self._pick())
            c = self._coef().lstrip("-")
            if c == "1":
                raise _Reject
            return (f"{c}*{a.text}*{b.text}", float(c) * a.value * b.value,
                    _size(len(c), a.size, b.size))
        a, b, c = self._gate_zero(self._pick(), self._pick(), self._pick())
        return (f"{a.text}*{b.text}*{c.text}", a.value * b.value * c.value,
                _size(a.size, b.size, c.size))

    def t_sum(self):
        r = self.r
        t, vals, s = self._vector_operand()
        text, v = f"sum({t})", sum(vals)
        s = _size(s, len(vals))
        if r.random() < 0.4:
            c = self._coef().lstrip("-")
            text, v, s = f"{c}*{text}", float(c) * v, _size(s, len(c))
        return text, v, s

    def t_neg(self):
        r = self.r
        a = self._pick()
        x = r.random()
        if x < 0.35:
            a, b = self._gate_zero(a, self._pick())
            return f"-{a.text}*{b.text}", -a.value * b.value, _size(a.size, b.size)
        if x < 0.65:
            t, v, s = self._lin()
            return f"-({t})", -v, s
        if x < 0.85:
            return f"tanh(-{a.text})", math.tanh(-a.value), None
        b = self._pick()
        return f"-sigmoid({a.text}) + {b.text}", -_sigmoid(a.value) + b.value, None

    def t_index(self):
        """A product or sum built around explicitly indexed vector entries."""
        r = self.r
        w = r.choice(self.vectors)
        i = r.randrange(len(w.values))
        a = self._pick()
        e = f"{w.text}[{i + 1}]"
        if r.random() < 0.5 or abs(w.values[i] * (a.value + 1)) > SQUASH_MAX:
            return f"{e}*{a.text}", w.values[i] * a.value, _size(w.size, a.size)
        return (f"tanh({e}*{a.text} + {e})", math.tanh(w.values[i] * (a.value + 1)), None)

    def t_residual(self):
        """A skip connection ``a + c*tanh(...)``: keeps gradients alive in deep chains."""
        a = self._pick()
        t, v, _ = self._squash_arg()
        c = self._coef()
        return (f"{a.text} {'-' if c.startswith('-') else '+'} {c.lstrip('-')}*tanh({t})",
                a.value + float(c) * math.tanh(v), None)

    TEMPLATES = (
        ("t_residual", 16), ("t_lin", 8), ("t_tanh", 12), ("t_sigmoid", 8), ("t_relu", 7),
        ("t_leaky", 6), ("t_dot", 10), ("t_minmax", 8), ("t_abs", 4), ("t_exp", 5), ("t_log", 5),
        ("t_sqrt", 4), ("t_div", 6), ("t_pow", 6), ("t_prod", 7), ("t_sum", 4),
        ("t_neg", 3), ("t_index", 3),
    )

    _NAMES = [t for t, _ in TEMPLATES]
    _CUM = list(accumulate(w for _, w in TEMPLATES))

    def _gate_zero(self, *ops):
        """Factors of a product: one whose co-factors multiply to 0 gets no gradient."""
        for i, op in enumerate(ops):
            if any(o.value == 0.0 for j, o in enumerate(ops) if j != i):
                self.gated.add(op.text)
        return ops

    @staticmethod
    def _away(v):
        if abs(v) < KINK_EPS:
            raise _Reject

    # ------------------------------------------------------------------ kinks
    def _new_param(self, text):
        name = f"p{self.next_p}"
        self.next_p += 1
        self.params.append((name, text))
        op = _Op(name, float(text), len(text))
        self.param_scalars.append(op)
        self.scalars.append(op)
        return op

    def _new_input(self, text):
        name = f"x{self.next_x}"
        self.next_x += 1
        self.inputs.append((name, text))
        op = _Op(name, float(text), len(text))
        self.scalars.append(op)
        return op

    def _dyadic(self, lo=-12, hi=12):
        """k for a short decimal k/8 (exact in binary floating point), k != 0."""
        k = 0
        while k == 0:
            k = self.r.randint(lo, hi)
        return k

    KINDS = ("relu0", "leaky0", "leaky0s", "abs0", "tie2", "tie3", "tievec")

    def _kink(self, kind):
        """A node with an exact kink of the given kind: (text, value, size)."""
        r = self.r
        if kind in ("relu0", "leaky0", "leaky0s", "abs0"):
            k = self._dyadic()
            t = _dec(k * 125, 3)
            x = r.random()
            if x < 0.4:
                a, b = self._new_param(t), self._new_param(t)
                arg = f"{a.text} - {b.text}"
            elif x < 0.7:
                a, b = self._new_input(t), self._new_param(t)
                arg = f"{a.text} - {b.text}" if r.random() < 0.5 else f"{b.text} - {a.text}"
            else:  # 0.5*p + ... with dyadic values: exact in floats too
                a, b = self._new_param(_dec(k * 250, 3)), self._new_param(t)
                arg = f"0.5*{a.text} - {b.text}"
            if kind == "relu0":
                return f"relu({arg})", 0.0, 4
            if kind == "leaky0":
                return f"leaky_relu({arg})", 0.0, 4
            if kind == "leaky0s":
                return f"leaky_relu({arg}, {r.choice(_SLOPES)})", 0.0, 4
            return f"abs({arg})", 0.0, 4
        fn = r.choice(("min", "max"))
        sign = 1 if fn == "max" else -1
        kt = self._dyadic(-8, 8)
        t = _dec(kt * 125, 3)
        tv = float(t)
        if kind == "tievec":
            ties = r.choice((2, 2, 3))
            others = [_dec((kt - sign * r.randint(1, 12)) * 125, 3)
                      for _ in range(r.randint(ties, 6) - ties)]
            entries = [t] * ties + others
            r.shuffle(entries)
            if r.random() < 0.6:
                name = f"w{self.next_w}"
                self.next_w += 1
                self.params.append((name, "[" + ", ".join(entries) + "]"))
                vec = _Vec(name, [float(e) for e in entries], 6)
                self.param_vectors.append(vec)
                return f"{fn}({name})", tv, 4
            ops = [self._new_param(e) for e in entries]
            return f"{fn}([{', '.join(o.text for o in ops)}])", tv, 4
        ties = 2 if kind == "tie2" else 3
        args = []
        for _ in range(ties):
            if r.random() < 0.3:
                args.append(f"0.5*{self._new_param(_dec(kt * 250, 3)).text}")
            else:
                args.append(self._new_param(t).text)
        if r.random() < 0.5:  # a loser that is a real earlier node or leaf
            op = self._pick()
            if sign * (tv - op.value) >= 0.1:
                args.insert(r.randrange(len(args) + 1), op.text)
        return f"{fn}({', '.join(args)})", tv, 4

