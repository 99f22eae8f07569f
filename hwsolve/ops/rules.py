"""The operations of the format, each defining its value and its local derivatives in one place.

``forward(args)`` returns the value from the argument values; ``backward(args, out, needs)``
returns ``(partials, note)``: the derivative of the result with respect to each argument
(``None`` where ``needs`` says that argument carries no gradient), and a sentence when the
point is non-differentiable and a convention was applied.  The conventions are PyTorch's:
relu'(0) = 0, leaky_relu'(0) = slope, abs'(0) = 0, and a tie in min/max splits the gradient
equally between the tied arguments.  Arguments are scalars: vectors are flattened before they
reach an operation (``dot`` receives u1..un, v1..vn).
"""

from __future__ import annotations

from hwsolve import num
from hwsolve.num import HALF, ONE, ZERO, NumericError

PYTORCH = "PyTorch's convention"


class Add:
    @staticmethod
    def forward(a):
        total = a[0]
        for x in a[1:]:
            total = num.add(total, x)
        return total

    @staticmethod
    def backward(a, out, needs):
        return [ONE] * len(a), None


class Sub:
    @staticmethod
    def forward(a):
        return num.sub(a[0], a[1])

    @staticmethod
    def backward(a, out, needs):
        return [ONE, -ONE], None


class Neg:
    @staticmethod
    def forward(a):
        return num.neg(a[0])

    @staticmethod
    def backward(a, out, needs):
        return [-ONE], None


class Mul:
    @staticmethod
    def forward(a):
        product = a[0]
        for x in a[1:]:
            product = num.mul(product, x)
        return product

    @staticmethod
    def backward(a, out, needs):
        """∂(a1·…·an)/∂ai = (a1·…·a(i-1))·(a(i+1)·…·an): prefix and suffix products, 3n
        multiplications in all (a product over the others for each i would be n²)."""
        n = len(a)
        suffix = [ONE] * (n + 1)
        for i in range(n - 1, 0, -1):
            suffix[i] = num.mul(a[i], suffix[i + 1])
        partials = []
        prefix = ONE
        for i, x in enumerate(a):
            partials.append(num.mul(prefix, suffix[i + 1]) if needs[i] else None)
            if i < n - 1:
                prefix = num.mul(prefix, x)
        return partials, None


class Div:
    @staticmethod
    def forward(a):
        return num.div(a[0], a[1])

    @staticmethod
    def backward(a, out, needs):
        return [num.div(ONE, a[1]), num.neg(num.div(out, a[1]))], None


class Pow:
    @staticmethod
    def forward(a):
        return num.power(a[0], a[1])

    @staticmethod
    def backward(a, out, needs):
        base, exponent = a
        d_base = None
        if needs[0] and num.is_exact(exponent) and not exponent:
            d_base = ZERO  # x ** 0 is the constant 1, also at x = 0 (PyTorch agrees)
        elif needs[0]:
            if num.is_zero(base) and num.cmp(exponent, ONE) < 0:
                raise NumericError(f"the derivative of x ** {num.fmt_sig(exponent, 6)} at x = 0 "
                                   "is infinite")
            d_base = num.mul(exponent, num.power(base, num.sub(exponent, ONE)))
        d_exponent = None
        if needs[1]:
            if num.sign(base) < 0:
                raise NumericError("x ** y with a variable exponent needs a positive base")
            d_exponent = ZERO if num.is_zero(base) else num.mul(out, num.log(base))
        return [d_base, d_exponent], None


class Exp:
    @staticmethod
    def forward(a):
        return num.exp(a[0])

    @staticmethod
    def backward(a, out, needs):
        return [out], None


class Log:
    @staticmethod
    def forward(a):
        return num.log(a[0])

    @staticmethod
    def backward(a, out, needs):
        return [num.div(ONE, a[0])], None


class Sqrt:
    @staticmethod
    def forward(a):
        return num.sqrt(a[0])

    @staticmethod
    def backward(a, out, needs):
        if needs[0] and num.is_zero(out):
            raise NumericError("the derivative of sqrt at 0 is infinite")
        return [num.div(HALF, out) if needs[0] else None], None


class Sigmoid:
    @staticmethod
    def forward(a):
        return num.sigmoid(a[0])

    @staticmethod
    def backward(a, out, needs):
        return [num.sigmoid_slope(a[0])], None


class Tanh:
    @staticmethod
    def forward(a):
        return num.tanh(a[0])

    @staticmethod
    def backward(a, out, needs):
        return [num.tanh_slope(a[0])], None


class Relu:
    @staticmethod
    def forward(a):
        return a[0] if num.sign(a[0]) > 0 else ZERO

    @staticmethod
    def backward(a, out, needs):
        s = num.sign(a[0])
        note = f"relu at 0: derivative taken as 0 ({PYTORCH})" if s == 0 else None
        return [ONE if s > 0 else ZERO], note


class LeakyRelu:
    """leaky_relu(x, slope) = x for x > 0, slope·x otherwise."""

    @staticmethod
    def forward(a):
        x, slope = a
        return x if num.sign(x) > 0 else num.mul(slope, x)

    @staticmethod
    def backward(a, out, needs):
        x, slope = a
        s = num.sign(x)
        if s > 0:
            return [ONE, ZERO], None
        note = None
        if s == 0:
            note = (f"leaky_relu at 0: derivative taken as the slope {num.fmt_sig(slope, 6)} "
                    f"({PYTORCH})")
        return [slope, x], note


class Abs:
    @staticmethod
    def forward(a):
        return a[0] if num.sign(a[0]) >= 0 else num.neg(a[0])

    @staticmethod
    def backward(a, out, needs):
        s = num.sign(a[0])
        note = f"abs at 0: derivative taken as 0 ({PYTORCH})" if s == 0 else None
        return [num.number(s)], note


class _Extreme:
    """min and max: the winner gets the gradient; k tied winners get 1/k each."""
    pick = 1  # 1 for max, -1 for min
    name = ""

    @classmethod
    def forward(cls, a):
        best = a[0]
        for x in a[1:]:
            if num.cmp(x, best) == cls.pick:
                best = x
        return best

    @classmethod
    def backward(cls, a, out, needs):
        winners = [i for i, x in enumerate(a) if num.cmp(x, out) == 0]
        share = num.fmpq(1, len(winners))
        partials = [ZERO] * len(a)
        for i in winners:
            partials[i] = share
        note = None
        if len(winners) > 1:
            note = (f"{cls.name} has a {len(winners)}-way tie at {num.fmt_sig(out, 6)}: "
                    f"the gradient is split equally, {share} to each tied argument ({PYTORCH})")
        return partials, note


class Max(_Extreme):
    pick = 1
    name = "max"


class Min(_Extreme):
    pick = -1
    name = "min"


class Dot:
    """dot(u, v) with arguments u1..un, v1..vn."""

    @staticmethod
    def forward(a):
        n = len(a) // 2
        total = ZERO
        for x, y in zip(a[:n], a[n:]):
            total = num.add(total, num.mul(x, y))
        return total

    @staticmethod
    def backward(a, out, needs):
        n = len(a) // 2
        return list(a[n:]) + list(a[:n]), None


class Sum:
    forward = Add.forward
    backward = Add.backward


# --- issue 18 (closed-form gradients): the indicator the closed forms of relu, abs, max need
class Step:
    """step(x) = 1[x > 0]: 1 for x > 0, 0 for x <= 0 (at 0, relu's convention: relu' = step);
    its derivative is 0 wherever it is defined, and taken as 0 at the jump."""

    @staticmethod
    def forward(a):
        return ONE if num.sign(a[0]) > 0 else ZERO

    @staticmethod
    def backward(a, out, needs):
        note = f"step at 0: value 0 and derivative taken as 0 (relu's convention)" \
            if num.sign(a[0]) == 0 else None
        return [ZERO], note
# --- end issue 18


RULES = {
    "add": Add, "sub": Sub, "neg": Neg, "mul": Mul, "div": Div, "pow": Pow,
    "exp": Exp, "log": Log, "sqrt": Sqrt, "sigmoid": Sigmoid, "tanh": Tanh, "relu": Relu,
    "leaky_relu": LeakyRelu, "abs": Abs, "max": Max, "min": Min, "dot": Dot, "sum": Sum,
    "step": Step,  # issue 18
}


from hwsolve.ops.vector import RULES as _VECTOR_RULES  # noqa: E402

RULES.update(_VECTOR_RULES)

from hwsolve.ops.nn import RULES as _NN_RULES  # noqa: E402

RULES.update(_NN_RULES)

from hwsolve.ops.losses import RULES as _LOSS_RULES  # noqa: E402

RULES.update(_LOSS_RULES)
