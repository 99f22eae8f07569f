"""The LaTeX answer table without SymPy or rich (issue 12, performance): the table alone
must start as fast as Markdown, and its names must match SymPy's printer, which prints the
same symbols in the work shown with --steps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

from hwsolve.render import latex as tex
from hwsolve.work import symbolic

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
from hwsolve.cli.app import main
sys.argv = ["hwsolve", *sys.argv[1:]]
out = sys.stdout
sys.stdout = open("/dev/null", "w")
try:
    main()
except SystemExit as exc:
    code = exc.code
sys.stdout = out
print(json.dumps({"code": code, "sympy": "sympy" in sys.modules, "rich": "rich" in sys.modules}))
"""


def _modules_after(*args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_latex_table_imports_neither_sympy_nor_rich():
    for extra in ([], ["--standalone"]):
        loaded = _modules_after("q3b", "--format", "latex", *extra)
        assert loaded == {"code": 0, "sympy": False, "rich": False}, extra


def test_latex_with_steps_still_loads_sympy():
    # The probe is sensitive: the work shown does need SymPy.
    loaded = _modules_after("q3b", "--format", "latex", "--steps")
    assert loaded["code"] == 0 and loaded["sympy"]


def test_latex_table_is_the_table_of_the_steps_document():
    from hwsolve import api
    from hwsolve.render import steps as render_steps
    solution = api.solve_file(api.find("q3a"))
    table = tex.answer(solution, 3)
    assert table == render_steps.latex(solution, None, 3)
    assert r"$\nabla W_{3}$" in table and r"$\hat{Y}$" in table
    assert "$0.69$" in table and "$1.17$" in table  # the key of q3a: Ŷ 0.69, L 1.171


NAMES = ["W1", "X12", "alpha", "Alpha", "lamda", "Yhat", "L", "H2a", "z", "loss", "xbar",
         "thetadot", "a_b", "a__b", "a_x_y", "Wprime", "W1[3]", "alpha2[10]", "Omega_1",
         "varphi", "hbar", "omicron", "Khi", "h_1_2", "bar", "abs", "xhatbar", "normx"]


def test_names_match_sympy():
    for name in NAMES:
        assert tex.latex_name(name) == symbolic.latex_name(symbolic.leaf(name)), name


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,11}", fullmatch=True),
       st.one_of(st.none(), st.integers(1, 99)))
def test_any_name_matches_sympy(name, index):
    label = name if index is None else f"{name}[{index}]"
    assert tex.latex_name(label) == symbolic.latex_name(symbolic.leaf(label))
