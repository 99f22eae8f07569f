"""Hostile item 3: key matching and display rounded twice (to 60 digits, then to the key's
places): check accepted the wrong key 0.13 for exactly 0.125 - 1e-70, --digits 2 printed 0.13,
and a right key longer than 60 digits was rejected.  Now every rounding is done once, from the
exact value (or, for an irrational value, from as many bits as the decision needs).

Expected values by hand (0.125 - 1e-70 rounds to 0.12 at two places; 1/3 to seventy threes)
and mpmath at 90 digits: 1.5·e = 4.07742274268856785304043120702899374663587064054993936245045
14415861149455303214...
"""

from __future__ import annotations

from conftest import run_cli, spec

THIRDS = "0." + "3" * 70
E15 = "4.077422742688567853040431207028993746635870640549939362450451441586114946"  # 73 digits


def problem(tmp_path, node: str, keys: str):
    path = tmp_path / "p.yaml"
    path.write_text(spec(f"{{H: {node}}}", extra=f"activation: identity\nloss: mse\n"
                                                 f"answers:\n  values: {{{keys}}}\n"))
    return path


def test_wrong_key_rounded_from_sixty_digits_is_rejected(tmp_path):
    result = run_cli("check", str(problem(tmp_path, "W / 12 - 1e-70", "H: 0.13")))
    assert result.exit_code == 1, result.output   # was accepted
    result = run_cli("check", str(problem(tmp_path, "W / 12 - 1e-70", "H: 0.12")))
    assert result.exit_code == 0, result.output


def test_digits_two_rounds_once(tmp_path):
    path = problem(tmp_path, "W / 12 - 1e-70", "H: 0.12")
    result = run_cli(str(path), "-d", "2", "--values", "--width", "200")
    assert result.exit_code == 0, result.output
    assert "0.13" not in result.output
    assert " 0.12 " in result.output


def test_keys_longer_than_sixty_digits(tmp_path):
    assert run_cli("check", str(problem(tmp_path, "W / 4.5", f"H: {THIRDS}"))).exit_code == 0
    wrong = THIRDS[:-1] + "4"
    assert run_cli("check", str(problem(tmp_path, "W / 4.5", f"H: {wrong}"))).exit_code == 1


def test_irrational_key_longer_than_sixty_digits_is_decided_at_higher_precision(tmp_path):
    assert run_cli("check", str(problem(tmp_path, "W * exp(1)", f"H: {E15}"))).exit_code == 0
    wrong = E15[:-1] + "5"  # the last of 72 decimals off by one
    result = run_cli("check", str(problem(tmp_path, "W * exp(1)", f"H: {wrong}")))
    assert result.exit_code == 1, result.output
