"""One-line mutants of hwsolve's core, for tests/mutation/run_mutants.py.

Each mutant is ``(file, exact original line with its indentation stripped, replacement, tests)``.
The original must occur exactly once in the file (stripped of indentation); when another change
removes or duplicates it, the runner stops and names the mutant, so the list is kept current by
hand rather than drifting silently.  ``tests`` names a test group of ``GROUPS``.
"""

GROUPS = {
    # fast files that hold independent keys (hand, PyTorch-keyed goldens, SymPy's derivatives),
    # the quickest and sharpest first: pytest -x stops at the first failure
    "ops": ["tests/test_mutant_survivors.py", "tests/test_solve.py", "tests/test_registry.py",
            "tests/test_symbolic_derivative.py"],
    "head": ["tests/test_mutant_survivors.py", "tests/test_solve.py", "tests/test_v2_engine.py"],
    "train": ["tests/test_train.py"],
    "tolerance": ["tests/test_tolerance.py", "tests/test_grade.py",
                  "tests/test_mutant_survivors.py"],
    "grid": ["tests/test_mutant_survivors.py", "tests/test_render_grid.py"],
    "grading": ["tests/test_mutant_survivors.py", "tests/test_grade.py"],
    "numbers": ["tests/test_mutant_survivors.py", "tests/test_num.py",
                "tests/test_num_precision.py"],
    "lower": ["tests/test_mutant_survivors.py", "tests/test_solve.py", "tests/test_v2_engine.py"],
}

R = "hwsolve/ops/rules.py"
V = "hwsolve/ops/vector.py"
H = "hwsolve/engine/head.py"
T = "hwsolve/engine/train.py"
TOL = "hwsolve/teach/tolerance.py"
G = "hwsolve/render/grid.py"
LOW = "hwsolve/spec/lower.py"
SOLVE = "hwsolve/engine/solve.py"
PREC = "hwsolve/engine/precision.py"
NT = "hwsolve/numtext.py"
TAB = "hwsolve/render/table.py"
CUR = "hwsolve/teach/curves.py"
ED = "hwsolve/teach/entrydiag.py"
WO = "hwsolve/teach/worlds.py"

MUTANTS = [
    # --- derivative rules (ops/rules.py)
    (R, "return [ONE, -ONE], None", "return [ONE, ONE], None", "ops"),
    (R, "return [-ONE], None", "return [ONE], None", "ops"),
    (R, "return [num.div(ONE, a[1]), num.neg(num.div(out, a[1]))], None",
     "return [num.div(ONE, a[1]), num.div(out, a[1])], None", "ops"),
    (R, "d_base = num.mul(exponent, num.power(base, num.sub(exponent, ONE)))",
     "d_base = num.mul(exponent, num.power(base, exponent))", "ops"),
    (R, "return [num.div(ONE, a[0])], None", "return [num.div(ONE, out)], None", "ops"),
    (R, "return [num.div(HALF, out) if needs[0] else None], None",
     "return [num.div(ONE, out) if needs[0] else None], None", "ops"),
    (R, "return [num.sigmoid_slope(a[0])], None", "return [num.sigmoid(a[0])], None", "ops"),
    (R, "return [num.tanh_slope(a[0])], None", "return [num.sub(ONE, num.tanh(a[0]))], None",
     "ops"),
    (R, "return [ONE if s > 0 else ZERO], note", "return [ONE if s >= 0 else ZERO], note", "ops"),
    (R, "return [slope, x], note", "return [ONE, x], note", "ops"),
    (R, "suffix[i] = num.mul(a[i], suffix[i + 1])", "suffix[i] = num.mul(a[i - 1], suffix[i + 1])",
     "ops"),
    (R, "return list(a[n:]) + list(a[:n]), None", "return list(a[:n]) + list(a[n:]), None", "ops"),
    (R, "d_exponent = ZERO if not base else num.mul(out, num.log(base))",
     "d_exponent = ZERO if not base else num.log(base)", "ops"),
    # --- ties and kinks
    (R, "share = num.Fraction(1, len(winners))", "share = num.Fraction(1)", "ops"),
    (R, "winners = [i for i, x in enumerate(a) if num.cmp(x, out) == 0]",
     "winners = [i for i, x in enumerate(a) if num.cmp(x, out) == 0][:1]", "ops"),
    (R, "if len(winners) > 1:", "if len(winners) > 2:", "ops"),
    (R, 'note = f"relu at 0: derivative taken as 0 ({PYTORCH})" if s == 0 else None',
     "note = None", "ops"),
    (R, 'note = f"abs at 0: derivative taken as 0 ({PYTORCH})" if s == 0 else None',
     "note = None", "ops"),
    (R, "return a[0] if num.sign(a[0]) > 0 else ZERO", "return a[0] if num.sign(a[0]) >= 0 else a[0]",
     "ops"),
    # --- vector ops and the losses (ops/vector.py)
    (V, "return [num.mul(out, num.sub(ONE if j == i else ZERO, p[j])) for j in range(len(a))], None",
     "return [num.mul(out, num.sub(ONE if j != i else ZERO, p[j])) for j in range(len(a))], None",
     "ops"),
    (V, "return [num.sub(ONE if j == i else ZERO, p[j]) for j in range(len(a))], None",
     "return [num.sub(ZERO, p[j]) for j in range(len(a))], None", "ops"),
    (V, "return [Fraction(1, len(a))] * len(a), None", "return [Fraction(1)] * len(a), None",
     "ops"),
    (V, "return [num.sigmoid(a[0])], None", "return [num.sigmoid(num.neg(a[0]))], None", "ops"),
    (V, "return num.mul(HALF, total)", "return total", "head"),
    (V, "partials.append(num.div(r, num.mul(yhat[t], num.sigmoid(num.neg(z[t])))))",
     "partials.append(num.div(r, yhat[t]))", "head"),
    (V, "partials = [num.neg(num.div(y[t], yhat[t])) if y[t] else ZERO for t in range(k)]",
     "partials = [num.div(y[t], yhat[t]) if y[t] else ZERO for t in range(k)]", "head"),
    (V, "return [num.neg(y) if num.sign(margins[0]) > 0 else ZERO, None, None], note",
     "return [num.neg(y) if num.sign(margins[0]) >= 0 else ZERO, None, None], note", "head"),
    (V, "partials[c - 1] = num.sub(partials[c - 1], ONE)", "partials[c - 1] = ZERO", "head"),
    (V, "return num.mul(-TWO, num.sigmoid(num.mul(-TWO, z)))",
     "return num.mul(-TWO, num.sigmoid(num.mul(TWO, z)))", "head"),
    # --- the head (engine/head.py)
    (H, "head.seeds = {head.loss: Fraction(1)}", "head.seeds = {head.loss: Fraction(2)}", "head"),
    (H, "grads = Fraction(1)", "grads = Fraction(-1)", "head"),
    (H, "return tuple(Fraction(int(j == int(c))) for j in range(1, k + 1))",
     "return tuple(Fraction(int(j == int(c) - 1)) for j in range(1, k + 1))", "head"),
    (H, "if c.denominator != 1 or not 1 <= c <= k:", "if c.denominator != 1 or not 1 <= c <= k + 1:",
     "head"),
    (H, "if any(p < 0 for p in label) or sum(label) != 1:", "if any(p < 0 for p in label):",
     "head"),
    # --- optimizers (engine/train.py)
    (T, "g = [num.add(gi, num.mul(c.weight_decay, pi)) for gi, pi in zip(g, p)]",
     "g = [num.sub(gi, num.mul(c.weight_decay, pi)) for gi, pi in zip(g, p)]", "train"),
    (T, "b = [num.add(num.mul(mu, bi), gi) for bi, gi in zip(state[\"b\"], g)]",
     "b = [num.add(bi, gi) for bi, gi in zip(state[\"b\"], g)]", "train"),
    (T, "d = [num.add(gi, num.mul(mu, bi)) for gi, bi in zip(g, b)] if nesterov else b",
     "d = b", "train"),
    (T, "keep = ONE - c.alpha", "keep = c.alpha", "train"),
    (T, "s = [num.add(si, num.mul(gi, gi)) for si, gi in zip(s, g)]",
     "s = [num.mul(gi, gi) for si, gi in zip(s, g)]", "train"),
    (T, "step_size = num.div(c.lr, ONE - b1 ** self.t)", "step_size = c.lr", "train"),
    (T, "root = num.sqrt(ONE - b2 ** self.t)", "root = ONE - b2 ** self.t", "train"),
    (T, "m = [num.add(num.mul(b1, mi), num.mul(ONE - b1, gi)) for mi, gi in zip(m, g)]",
     "m = [num.add(num.mul(b1, mi), gi) for mi, gi in zip(m, g)]", "train"),
    # --- tolerance rules (teach/tolerance.py)
    (TOL, "return error <= unit", "return error < unit", "tolerance"),
    (TOL, "ok_rel = self.rel is not None and error <= _dec(self.rel) * abs(true)",
     "ok_rel = self.rel is not None and error <= _dec(self.rel)", "tolerance"),
    (TOL, "return ok_rel or ok_abs", "return ok_rel and ok_abs", "tolerance"),
    (TOL, "return Decimal(5).scaleb(Decimal(text).as_tuple().exponent - 1)",
     "return Decimal(5).scaleb(Decimal(text).as_tuple().exponent)", "tolerance"),
    (TOL, "return problem_rule, \"the problem's tolerance\"",
     "return GRADING_DEFAULT, \"the problem's tolerance\"", "tolerance"),
    # --- the table layout (render/grid.py)
    (G, "narrower = max(widths[i] - (total - width), shortest)",
     "narrower = max(widths[i] - (total - width) - 1, shortest)", "grid"),
    (G, "total = sum(widths) + 3 * len(widths) + 1", "total = sum(widths) + 3 * len(widths)",
     "grid"),
    (G, "shortest = min(max(cell_len(line) for line in heads[i]), 8)  # \"exact\" whole",
     "shortest = min(max(cell_len(line) for line in heads[i]), 4)", "grid"),
    (G, "return [text[i:i + width] for i in range(0, len(text), width)] or [\"\"]",
     "return [text[i:i + width - 1] for i in range(0, len(text), width)] or [\"\"]", "grid"),
    # --- lowering of @, conv2d, softmax (spec/lower.py)
    (LOW, "cols_b = [VectorLit(tuple(eb[k * n + j] for k in range(inner))) for j in range(n)]",
     "cols_b = [VectorLit(tuple(eb[j * n + k] for k in range(inner))) for j in range(n)]", "lower"),
    (LOW, "return [Apply(\"dot\", (row, col)) for row in rows_a for col in cols_b]",
     "return [Apply(\"dot\", (row, col)) for col in cols_b for row in rows_a]", "lower"),
    (LOW, "rows_a = [VectorLit(tuple(ea[i * inner:(i + 1) * inner])) for i in range(a.shape[0])]",
     "rows_a = [VectorLit(tuple(ea[i:i + inner])) for i in range(a.shape[0])]", "lower"),
    (LOW, "r = i * stride + a - padding", "r = i * stride + a", "lower"),
    (LOW, "c = j * stride + b - padding", "c = j + b - padding", "lower"),
    (LOW, "ks.append(ek[a * kc + b])", "ks.append(ek[b * kc + a])", "lower"),
    (LOW, "return [Apply(kind, (vector,), i) for i in range(1, t.shape[0] + 1)]",
     "return [Apply(kind, (vector,), 1) for i in range(1, t.shape[0] + 1)]", "lower"),
    (LOW, "return [a[i * n + j] for j in range(n) for i in range(m)]",
     "return [a[i * n + j] for i in range(m) for j in range(n)]", "lower"),
    # --- survivors of the first hand-made run (issue 21), now with tests
    (SOLVE, '_GRAD_KINDS = frozenset(("input", "param", "node", "yhat"))',
     '_GRAD_KINDS = frozenset(("input", "param", "constant", "node", "yhat"))', "head"),
    (PREC, "return bits * 2 if bits < TOP_BITS else None", "return None", "numbers"),
    (NT, "if -5 <= adjusted < 7:", "if -5 <= adjusted < 6:", "numbers"),
    (TAB, "if lines[-1] and len(candidate) > limit:", "if lines[-1] and len(candidate) > limit + 8:",
     "grid"),
    (TAB, "_fold(fmt(column_value(solution, c), digits), width - 4))",
     "_wrap_header(fmt(column_value(solution, c), digits), width - 4))", "grid"),
    (CUR, "if after >= patience and worse > m_tol and train_falls:",
     "if after > patience and worse > m_tol and train_falls:", "tolerance"),
    (ED, "slack += abs(num.to_decimal(partial)) * self.slack(w_in)", "slack += 0", "grading"),
    (ED, "if abs(num.to_decimal(w.value) - recomputed) > slack + self.slack(w):",
     "if abs(num.to_decimal(w.value) - recomputed) > self.slack(w):", "grading"),
    (ED, "if term and self.matches(w, num.sub(correct, num.mul(Fraction(2), term))):",
     "if term and self.matches(w, num.sub(correct, term)):", "grading"),
    (WO, '("sign", Fraction(-1),', '("sign", Fraction(1),', "grading"),
]
