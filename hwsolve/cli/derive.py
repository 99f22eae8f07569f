"""``hwsolve derive``: closed-form gradients, checked before they are printed (issue 18).
Thin: parse the options, call :func:`hwsolve.api.derive`, pick a renderer."""

from __future__ import annotations

import click

from hwsolve.spec.vocab import ACTIVATIONS, LOSSES

FORMATS = ("text", "markdown", "latex", "json")
LAYOUTS = ("variable", "numerator", "denominator")


@click.command()
@click.argument("target", metavar="PROBLEM|EXPR")
@click.option("--wrt", multiple=True, metavar="NAME",
              help="A variable to differentiate with respect to (repeatable; default: every "
              "param and input).")
@click.option("--shape", "shapes", multiple=True, metavar="NAME=SHAPE",
              help="The shape of a name in EXPR: W=3x2, x=2, c=scalar (default: scalar).")
@click.option("--layout", type=click.Choice(LAYOUTS), default="variable", show_default=True,
              help="variable: each gradient has its variable's shape (CS224n); numerator: "
              "∂L/∂W has the shape of Wᵀ; denominator: the shape of W.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Output format.")
@click.option("--steps", is_flag=True, help="Show the chain-rule steps with their shapes.")
@click.option("--seed", type=click.IntRange(0, 2 ** 63 - 1), default=0, show_default=True,
              help="Seed of the 20 random rational points of the check.")
@click.option("--variant", help="Use one of the problem's variants.")
@click.option("--act", "--activation", "activation", type=click.Choice(ACTIVATIONS),
              help="Override the output activation.")
@click.option("--loss", type=click.Choice(LOSSES), help="Override the loss.")
def derive(target, wrt, shapes, layout, fmt, steps, seed, variant, activation, loss):
    """Closed-form gradients of PROBLEM or EXPR, checked before printing.

    The gradients of PROBLEM (from its nodes and head) or of an expression EXPR, in matrix
    notation with shapes; each form is checked against hwsolve's exact entrywise
    gradient (at the problem's values and 20 random rational points) before it is printed,
    and refused with the reason (exit 2) if it fails.

    \b
      hwsolve derive softmax_3x2
      hwsolve derive "0.5 * sum((W @ x - y) ** 2)" --shape W=3x2 --shape x=2 --shape y=3 --wrt W
    """
    from hwsolve import api
    from hwsolve.derive.expression import parse_shape
    from hwsolve.derive.render import render

    table = dict(parse_shape(s) for s in shapes)
    derivation = api.derive(target, list(wrt) or None, shapes=table or None, layout=layout,
                            seed=seed, variant=variant, activation=activation, loss=loss)
    click.echo(render(derivation, fmt, steps), nl=False)
