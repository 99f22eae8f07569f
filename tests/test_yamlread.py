import pytest

from hwsolve.errors import HwsolveError
from hwsolve.spec.yamlread import MAX_BYTES, Mapping, Scalar, Sequence, parse_text, read_file


def test_scalars_keep_their_text_and_line():
    tree = parse_text("a: 0.690\nb: [1, '2']\nc: {d: x}\n", "t")
    assert isinstance(tree, Mapping)
    assert tree.values["a"] == Scalar("0.690", 1, True)
    assert tree.key_lines["c"] == 3
    b = tree.values["b"]
    assert isinstance(b, Sequence) and b.items[1].plain is False


@pytest.mark.parametrize("text, message", [
    ("a: 1\na: 2\n", "duplicate key 'a'"),
    ("a: &x 1\nb: *x\n", "anchors and aliases"),
    ("a: !!python/object:os.system 1\n", "tags"),
    ("a: 1\n---\nb: 2\n", "more than one YAML document"),
    ("a: yes\n", "boolean"),
    ("on: 1\n", "boolean"),
    ("a: [1, 2\n", "YAML syntax error"),
    ("", "empty"),
    ("[" * 100 + "]" * 100, "nested more than"),
    ("? [a, b]\n: 1\n", "key must be a plain name"),
])
def test_refused_yaml(text, message):
    with pytest.raises(HwsolveError, match=message):
        parse_text(text, "t.yaml")


def test_errors_carry_the_line():
    with pytest.raises(HwsolveError) as info:
        parse_text("a: 1\nb: 2\na: 3\n", "t.yaml")
    assert info.value.line == 3 and info.value.file == "t.yaml"


def test_billion_laughs_is_refused_at_the_first_anchor():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(HwsolveError, match="aliases"):
        parse_text("\n".join(lines), "bomb.yaml")


def test_deep_nesting_does_not_recurse():
    text = "[" * 200_000 + "]" * 200_000
    with pytest.raises(HwsolveError, match="nested|nesting"):
        parse_text(text, "deep.yaml")
    block = "".join(" " * i + f"k{i}:\n" for i in range(500)) + " " * 500 + "k: 1\n"
    with pytest.raises(HwsolveError, match="nested|nesting"):
        parse_text(block, "deep.yaml")


def test_files_that_are_not_problems(tmp_path):
    (tmp_path / "bin.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    (tmp_path / "latin.yaml").write_bytes(b"title: caf\xe9\n")
    (tmp_path / "big.yaml").write_bytes(b"# " + b"x" * MAX_BYTES)
    cases = {"bin.yaml": "binary", "latin.yaml": "not UTF-8", "big.yaml": "larger than",
             "missing.yaml": "no such file", ".": "directory"}
    for name, message in cases.items():
        with pytest.raises(HwsolveError, match=message):
            read_file(tmp_path / name, name)
