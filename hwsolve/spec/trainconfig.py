"""A training run's settings as the spec (or the command line) gives them: the optimizer, its
settings with PyTorch's defaults, and their checks.  Data, no arithmetic: the update rules are
in :mod:`hwsolve.engine.train`."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from hwsolve.num import ZERO, fmt_sig
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
    "adamw": {"lr": _F(1, 1000), "betas": (_F(9, 10), _F(999, 1000)), "eps": _F(1, 10 ** 8),
              "weight_decay": _F(1, 100)},
}
# The settings each optimizer reads (anything else given is an error, not silently ignored).
SETTINGS = {
    "sgd": ("lr", "weight_decay"),
    "momentum": ("lr", "momentum", "weight_decay"),
    "nesterov": ("lr", "momentum", "weight_decay"),
    "rmsprop": ("lr", "alpha", "eps", "momentum", "weight_decay"),
    "adagrad": ("lr", "eps", "weight_decay"),
    "adam": ("lr", "betas", "eps", "weight_decay"),
    "adamw": ("lr", "betas", "eps", "weight_decay"),
}


@dataclass
class TrainConfig:
    optimizer: str = "sgd"
    lr: Fraction | None = None
    momentum: Fraction | None = None
    weight_decay: Fraction | None = None   # None: the optimizer's default (0; adamw 0.01)
    betas: tuple | None = None
    eps: Fraction | None = None
    alpha: Fraction | None = None
    steps: int = 1

    def resolved(self) -> "TrainConfig":
        """Every unset setting replaced by PyTorch's default for this optimizer."""
        defaults = DEFAULTS[self.optimizer]
        out = TrainConfig(self.optimizer, steps=self.steps)
        for key in ("lr", "momentum", "betas", "eps", "alpha"):
            given = getattr(self, key)
            setattr(out, key, given if given is not None else defaults.get(key))
        out.weight_decay = self.weight_decay if self.weight_decay is not None \
            else defaults.get("weight_decay", ZERO)
        return out

    def describe(self) -> dict:
        """The settings this optimizer uses, by name (for tables and JSON)."""
        return {key: getattr(self, key) for key in SETTINGS[self.optimizer]}


def _show(x) -> str:
    """A setting as the user wrote it: -0.1, not -1/10."""
    return fmt_sig(x, 15)


def check_config(config: TrainConfig, fail) -> None:
    """Refuse settings the optimizer does not read, and values outside PyTorch's ranges;
    ``fail(message, key)`` builds the error (naming the spec key or the command-line option
    that gave the setting)."""
    if config.optimizer not in OPTIMIZERS:
        raise fail(f"unknown optimizer {config.optimizer!r}; the optimizers are "
                   + ", ".join(OPTIMIZERS), "optimizer")
    used = SETTINGS[config.optimizer]
    for key in ("momentum", "betas", "eps", "alpha"):
        if getattr(config, key) is not None and key not in used:
            takers = [name for name in OPTIMIZERS if key in SETTINGS[name]]
            raise fail(f"{config.optimizer} has no setting {key!r}; it reads "
                       + ", ".join(used) + f" ({key} is read by " + ", ".join(takers) + ")",
                       key)
    if config.lr is not None and config.lr < 0:
        raise fail(f"the learning rate must be at least 0, not {_show(config.lr)}", "lr")
    if config.weight_decay is not None and config.weight_decay < 0:
        raise fail(f"weight_decay must be at least 0, not {_show(config.weight_decay)}",
                   "weight_decay")
    if config.momentum is not None and config.momentum < 0:
        raise fail(f"momentum must be at least 0, not {_show(config.momentum)}", "momentum")
    if config.optimizer == "nesterov" and config.momentum is not None and not config.momentum:
        raise fail("nesterov needs a momentum above 0 (torch.optim.SGD refuses nesterov with "
                   "momentum 0); for plain steps use sgd", "momentum")
    if config.eps is not None and config.eps < 0:
        raise fail(f"eps must be at least 0, not {_show(config.eps)}", "eps")
    if config.alpha is not None and not 0 <= config.alpha <= 1:
        raise fail(f"alpha must lie in [0, 1], not {_show(config.alpha)}", "alpha")
    if config.betas is not None:
        if len(config.betas) != 2 or not all(0 <= b < 1 for b in config.betas):
            raise fail("betas must be two numbers in [0, 1), like [0.9, 0.999], not "
                       + ", ".join(map(_show, config.betas)), "betas")
    if config.steps < 0:
        raise fail(f"steps must be at least 0, not {config.steps}", "steps")
