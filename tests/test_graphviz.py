"""The graph picture: dot text always, drawings through Graphviz's dot when it is installed."""

import shutil

import pytest

from hwsolve import api
from hwsolve.render import graphviz
from conftest import PROBLEMS, run_cli


@pytest.fixture(scope="module")
def q3b():
    return api.solve_file(PROBLEMS / "q3b.yaml")


def test_dot_names_every_slot_with_value_and_gradient(q3b):
    source = graphviz.dot_source(q3b)
    assert "rankdir=LR" in source
    for slot in q3b.graph.slots:
        assert f"<B>{slot.label}</B>" in source
    assert "<B>H1</B><BR/>1.5<BR/>" in source and "dL/dH1 = -1.45" in source
    assert "<B>Ŷ</B><BR/>0.378" in source and "<B>L</B><BR/>0.974" in source


def test_kinds_are_told_apart(q3b):
    styles = set(graphviz.STYLES.values())
    assert len(styles) == len(graphviz.STYLES)
    source = graphviz.dot_source(api.solve_file(PROBLEMS / "q3a.yaml"))
    for kind in ("input", "param", "constant", "node", "output", "loss"):
        assert graphviz.STYLES[kind] in source, kind


def test_edges_carry_local_derivatives_on_request(q3b):
    edges = [line for line in graphviz.dot_source(q3b).splitlines() if "->" in line]
    assert edges and not any("label=" in line for line in edges)
    labelled = graphviz.dot_source(q3b, edges=True)
    assert 's6 -> s9 [label="-1.33"];' in labelled          # ∂H4/∂H1
    assert 's0 -> s8 [label="0"];' in labelled              # ∂H3/∂X1: min passes nothing
    assert 's11 -> s12 [label="0.235"];' in labelled        # dŶ/dR (s12 is Ŷ)
    assert 's12 -> s14 [label="-2.65"];' in labelled        # ∂L/∂Ŷ (s14 is L)


def test_dot_file_needs_no_external_program(tmp_path, monkeypatch):
    monkeypatch.setattr(graphviz.shutil, "which", lambda name: None)
    target = tmp_path / "q3b.dot"
    result = run_cli("graph", "q3b", "-o", str(target))
    assert result.exit_code == 0
    assert target.read_text().startswith("digraph")


def test_drawing_without_graphviz_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(graphviz.shutil, "which", lambda name: None)
    result = run_cli("graph", "q3b", "-o", str(tmp_path / "q3b.svg"))
    assert result.exit_code == 2
    assert "apt-get install graphviz" in result.output
    assert not (tmp_path / "q3b.svg").exists()


def test_unknown_suffix_is_an_error(tmp_path):
    result = run_cli("graph", "q3b", "-o", str(tmp_path / "q3b.jpeg"))
    assert result.exit_code == 2 and ".svg" in result.output


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_svg_is_drawn_and_names_every_node(tmp_path, q3b):
    target = tmp_path / "q3b.svg"
    result = run_cli("graph", "q3b", "-o", str(target), "--edges")
    assert result.exit_code == 0
    svg = target.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for slot in q3b.graph.slots:
        assert f">{slot.label}<" in svg, slot.label
    assert ">Ŷ<" in svg and ">L<" in svg and "dL/dX1 = &#45;0.934" in svg
