"""A training run's settings as the spec (or the command line) gives them: the optimizer, its
settings with PyTorch's defaults, and their checks.  Data, no arithmetic: the update rules are
in :mod:`hwsolve.engine.train`."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from hwsolve.num import ZERO
from hwsolve.spec.vocab import OPTIMIZERS

_F = Fraction

# PyTorch's defaults (torch.optim, 2.x); momentum and nesterov are SGD with momentum 0.9.
DEFAULTS = {
    "sgd": {"lr": _F(1, 1000)},
    "momentum": {"lr": _F(1, 1000), "momentum": _F(9, 10)},
    "nesterov": {"lr": _F(1, 1000), "momentum": _F(9, 10)},
    "rmsprop": {"lr": _F(1, 100), "alpha": _F(99, 100), "eps": _F(1, 10 ** 8),
                "momentum": ZERO},
    "adagrad": {"lr": _F(1, 100), "eps": _F(1, 10 ** 10)},
    "adam": {"lr": _F(1, 1000), "betas": (_F(9, 10), _F(999, 1000)), "eps": _F(1, 10 ** 8)},
}
# The settings each optimizer reads (anything else given is an error, not silently ignored).
SETTINGS = {
    "sgd": ("lr", "weight_decay"),
    "momentum": ("lr", "momentum", "weight_decay"),
    "nesterov": ("lr", "momentum", "weight_decay"),
    "rmsprop": ("lr", "alpha", "eps", "momentum", "weight_decay"),
    "adagrad": ("lr", "eps", "weight_decay"),
    "adam": ("lr", "betas", "eps", "weight_decay"),
}


@dataclass
class TrainConfig:
    optimizer: str = "sgd"
    lr: Fraction | None = None
    momentum: Fraction | None = None
    weight_decay: Fraction = ZERO
    betas: tuple | None = None
    eps: Fraction | None = None
    alpha: Fraction | None = None
    steps: int = 1

    def resolved(self) -> "TrainConfig":
        """Every unset setting replaced by PyTorch's default for this optimizer."""
        defaults = DEFAULTS[self.optimizer]
        out = TrainConfig(self.optimizer, steps=self.steps, weight_decay=self.weight_decay)
        for key in ("lr", "momentum", "betas", "eps", "alpha"):
            given = getattr(self, key)
            setattr(out, key, given if given is not None else defaults.get(key))
        return out

    def describe(self) -> dict:
        """The settings this optimizer uses, by name (for tables and JSON)."""
        return {key: getattr(self, key) for key in SETTINGS[self.optimizer]}


def check_config(config: TrainConfig, fail) -> None:
    """Refuse settings the optimizer does not read, and values outside PyTorch's ranges;
    ``fail(message, key)`` builds the error."""
    if config.optimizer not in OPTIMIZERS:
        raise fail(f"unknown optimizer {config.optimizer!r}; the optimizers are "
                   + ", ".join(OPTIMIZERS), "optimizer")
    used = SETTINGS[config.optimizer]
    for key in ("momentum", "betas", "eps", "alpha"):
        if getattr(config, key) is not None and key not in used:
            raise fail(f"{config.optimizer} has no setting {key!r}; it reads "
                       + ", ".join(used), key)
    if config.lr is not None and config.lr < 0:
        raise fail(f"the learning rate must be at least 0, not {config.lr}", "lr")
    if config.weight_decay < 0:
        raise fail(f"weight_decay must be at least 0, not {config.weight_decay}",
                   "weight_decay")
    if config.momentum is not None and config.momentum < 0:
        raise fail(f"momentum must be at least 0, not {config.momentum}", "momentum")
    if config.eps is not None and config.eps < 0:
        raise fail(f"eps must be at least 0, not {config.eps}", "eps")
    if config.alpha is not None and not 0 <= config.alpha <= 1:
        raise fail(f"alpha must lie in [0, 1], not {config.alpha}", "alpha")
    if config.betas is not None:
        if len(config.betas) != 2 or not all(0 <= b < 1 for b in config.betas):
            raise fail("betas must be two numbers in [0, 1), like [0.9, 0.999]", "betas")
    if config.steps < 0:
        raise fail(f"steps must be at least 0, not {config.steps}", "steps")
