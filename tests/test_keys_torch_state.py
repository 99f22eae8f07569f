"""Keys for everything a run prints (issue 19), checked against an independent PyTorch float64
model written here by hand (the tests/keys/torch_keys_train.py pattern: torch.nn.functional and
torch.optim, no hwsolve code): each example's node values, Ŷ/values/grad after training, and the
params and optimizer state after step K, named as torch.optim names it — for every optimizer
that keeps state.  Keys are torch's numbers written to 12 significant figures, and `hwsolve
check` must pass them under rel 1e-10 (and fail a key nudged by 1e-6)."""

from __future__ import annotations

import textwrap

import pytest

from conftest import run_cli

torch = pytest.importorskip("torch")
F = torch.nn.functional
DT = torch.float64
EXAMPLES = [([1.0, 2.0], 1.0), ([-1.0, 0.5], 0.0)]
PARAMS = {"W": [[0.5, -0.3], [0.2, 0.4]], "b": [0.1, -0.1], "v": [0.7, -0.5]}
OPTIMIZERS = {
    "momentum": ("train: {optimizer: momentum, lr: 0.1, momentum: 0.9, steps: 3}",
                 lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), ["momentum_buffer"]),
    "rmsprop": ("train: {optimizer: rmsprop, lr: 0.01, steps: 3}",
                lambda ps: torch.optim.RMSprop(ps, lr=0.01), ["square_avg"]),
    "adagrad": ("train: {optimizer: adagrad, lr: 0.1, steps: 3}",
                lambda ps: torch.optim.Adagrad(ps, lr=0.1), ["sum"]),
    "adam": ("train: {optimizer: adam, lr: 0.05, steps: 3}",
             lambda ps: torch.optim.Adam(ps, lr=0.05), ["exp_avg", "exp_avg_sq"]),
}


def _forward(p, x):
    h = torch.tanh(p["W"] @ torch.tensor(x, dtype=DT) + p["b"])
    z = p["v"] @ h
    return h, z


def _loss(p):
    losses = [F.binary_cross_entropy_with_logits(_forward(p, x)[1], torch.tensor(y, dtype=DT))
              for x, y in EXAMPLES]
    return torch.stack(losses).mean()


def _torch_run(make, steps: int = 3) -> dict:
    p = {k: torch.tensor(v, dtype=DT, requires_grad=True) for k, v in PARAMS.items()}
    before = {k: [_forward(p, x)[0].tolist() for x, _ in EXAMPLES] for k in ("h",)}
    opt = make(list(p.values()))
    after = {}
    for step in range(1, steps + 1):
        opt.zero_grad()
        _loss(p).backward()
        opt.step()
        after[step] = ({k: v.detach().tolist() for k, v in p.items()},
                       {k: {name: value.tolist() for name, value in opt.state[v].items()
                            if name != "step"} for k, v in p.items()})
    for v in p.values():
        v.grad = None
    loss = _loss(p)
    loss.backward()
    yhat = [torch.sigmoid(_forward(p, x)[1]).item() for x, _ in EXAMPLES]
    grad = {k: v.grad.tolist() for k, v in p.items()}
    return {"before_h": before["h"], "after": after, "yhat": yhat, "grad": grad}


def _k(value, nudge: float = 0.0) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_k(v, nudge) for v in value) + "]"
    return f"{value + nudge:.12g}"


def _problem(train_line: str, run: dict, states: list, nudge: float = 0.0) -> str:
    params, state = run["after"][2]
    state_lines = "".join(f"\n                  {name}: {{W: {_k(state['W'][name], nudge)}, "
                          f"v: {_k(state['v'][name])}}}" for name in states)
    return textwrap.dedent(f"""\
        title: keys for everything a run prints
        params: {{W: [[0.5, -0.3], [0.2, 0.4]], b: [0.1, -0.1], v: [0.7, -0.5]}}
        examples:
          - {{inputs: {{x: [1, 2]}}, label: 1}}
          - {{inputs: {{x: [-1, 0.5]}}, label: 0}}
        nodes:
          h: tanh(W @ x + b)
          z: dot(v, h)
        activation: sigmoid
        loss: bce
        {train_line}
        answers:
          examples:
            - {{values: {{h: {_k(run['before_h'][0])}}}}}
            - {{values: {{h: {_k(run['before_h'][1])}}}}}
          train:
            Yhat: {_k(run['yhat'])}
            grad: {{W: {_k(run['grad']['W'])}, v: {_k(run['grad']['v'])}}}
            steps:
              2:
                params: {{b: {_k(params['b'])}}}
                state:{state_lines}
        """)


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_state_yhat_grad_and_example_values_match_torch(optimizer, tmp_path):
    train_line, make, states = OPTIMIZERS[optimizer]
    run = _torch_run(make)
    path = tmp_path / "p.yaml"
    path.write_text(_problem(train_line, run, states), encoding="utf-8")
    result = run_cli("check", str(path), "--tolerance", "rel_abs:1e-10,1e-14", "--all")
    assert result.exit_code == 0, result.output
    entries = 4 + 2 + 4 + 2 + 2 + 6 * len(states)  # values h@1, h@2; Ŷ; ∇W; ∇v; b; states
    assert f"{entries}/{entries} key entries match" in result.output
    nudged = tmp_path / "n.yaml"
    nudged.write_text(_problem(train_line, run, states, nudge=1e-6), encoding="utf-8")
    assert run_cli("check", str(nudged), "--tolerance", "rel_abs:1e-10,1e-14").exit_code == 1


def test_yhat_entry_and_node_values_of_a_single_example_match_torch(tmp_path):
    W = torch.tensor([[0.5, -0.3], [0.2, 0.4]], dtype=DT)
    x = torch.tensor([1.0, 2.0], dtype=DT)
    yhat = torch.softmax(W @ x, 0)
    text = textwrap.dedent(f"""\
        title: one entry of Yhat
        inputs: {{x: [1, 2]}}
        params: {{W: [[0.5, -0.3], [0.2, 0.4]]}}
        nodes:
          s: W @ x
        activation: softmax
        loss: cross_entropy
        label: 2
        answers:
          'Yhat[2]': {yhat[1].item():.12g}
          values: {{s: {_k((W @ x).tolist())}}}
        """)
    path = tmp_path / "y.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("check", str(path), "--tolerance", "rel:1e-10")
    assert result.exit_code == 0, result.output
