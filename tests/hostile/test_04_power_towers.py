"""Hostile item 4: constant power towers were computed before any bound: 3 ** 10 ** 301030
never finished and 3 ** 10 ** 10 ** 10 took over 4 GB.  ``**`` is now bounded as exp is (a
result beyond about e^1e12 is refused before computing), with the file, node and line named;
a big power that is fine as a 60-digit number still works."""

from __future__ import annotations

import time

import pytest

from conftest import run_cli, spec


@pytest.mark.parametrize("expression", ["3 ** 10 ** 301030", "3 ** 10 ** 10 ** 10",
                                        "W * 2 ** 10 ** 13", "0.5 ** 10 ** 13",
                                        "(1 + 1e-300) ** 10 ** 313"])
def test_absurd_powers_are_refused_quickly(tmp_path, expression):
    path = tmp_path / "p.yaml"
    path.write_text(spec(f"{{A: W + 1, H: {expression}}}"))
    start = time.perf_counter()
    result = run_cli(str(path))
    assert time.perf_counter() - start < 2
    assert result.exit_code == 2
    assert f"{path}, line 4, at nodes.H: cannot evaluate node H" in result.output
    assert "too large in magnitude" in result.output


def test_large_powers_within_the_bound_use_sixty_digits(tmp_path):
    # log(2 ** 20000) = 20000 ln 2 = 13862.943611198906188344642429163531361510002687205105...
    # (mpmath at 80 digits); 2 ** 20000 has 20000 bits, past the exact limit, so it is an mpf.
    path = tmp_path / "p.yaml"
    path.write_text(spec("{H: W * (log(2 ** 20000) - 13862)}"))
    result = run_cli(str(path), "--values", "-d", "25")
    assert result.exit_code == 0, result.output
    # 1.5 * 0.943611198906188344642429163531... = 1.41541679835928251696364374529...
    assert "1.415416798359282516963644" in result.output
    path.write_text(spec("{H: W * 1.0000001 ** 10 ** 8}"))
    result = run_cli(str(path), "-f", "json")
    assert result.exit_code == 0, result.output
    # 1.5 * (1 + 1e-7) ** 1e8 = 1.5 * e^(1e8 * log1p(1e-7)) = 33039.6821723659... (mpmath, 50 digits)
    assert '"H": 33039.68217236' in result.output
