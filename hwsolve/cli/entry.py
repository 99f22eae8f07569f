"""The console-script entry point, with a fast path for ``--help`` and ``list``.

Those two must start in about the time of a bare ``python -c pass`` (under 2x), which leaves
no room for importing click (about 40 ms) or PyYAML.  They are answered here with plain
``os`` and ``print``; everything else goes to the click application in :mod:`hwsolve.cli.app`.
``GROUP_HELP`` is click's own rendering of ``hwsolve --help``; a test asserts that the two stay
identical, so a new command or option fails the suite until this copy is refreshed.
"""

import gc
import os
import sys

GROUP_HELP = """\
Usage: hwsolve [OPTIONS] [COMMAND] [ARGS]...

  Solve neural-network homework exactly: forward pass, loss, every gradient.

    hwsolve q3a                      the answer table of problems/q3a.yaml
    hwsolve q3b --act tanh --loss mse
    hwsolve FILE.yaml --format json  every value and gradient, full precision
    hwsolve check                    verify every answer key (exit 1 on a difference)
    hwsolve list                     the problems and their titles

  Exit codes: 0 done, 1 a check found a difference, 2 an error.

Options:
  -V, --version  Show the version and exit.
  -h, --help     Show this message and exit.

Commands:
  check     Check answer keys: solve each problem and variant and compare...
  curves    Diagnose learning curves: overfitting, underfitting, a good fit...
  derive    Closed-form gradients of PROBLEM or EXPR, checked before printing.
  export    Export quizzes and questions for the course platforms.
  generate  Write a random practice problem of NODES nodes (deterministic...
  grade     Grade ANSWERS (a YAML file, a folder of them, or a CSV...
  graph     Draw PROBLEM's computational graph with every value and gradient.
  help      Show the help of hwsolve, or of COMMAND.
  info      Which quantities of PROBLEM are parameters, hyper-parameters,...
  key       Write or refresh the answers: block of FILE from its solution.
  list      List every problem with its title.
  prove     Prove LEFT = RIGHT with the steps shown; exit 0 proved, 1...
  solve     Solve PROBLEM (a name from 'hwsolve list' or a path to a .yaml...
  vary      Write new versions of PROBLEM with nice numbers and the...
"""


def main() -> None:
    args = sys.argv[1:]
    if "_HWSOLVE_COMPLETE" in os.environ:  # shell completion: click answers (see README)
        args = None
    if args in ([], ["--help"], ["-h"]):  # `hwsolve` alone is a request for the help
        sys.stdout.write(GROUP_HELP)
        return
    if args == ["list"]:
        from hwsolve.spec.problems import titles_text

        sys.stdout.write(titles_text())
        return
    # A solve allocates millions of small objects that live until the process ends; the
    # cyclic collector would rescan them again and again (about 40% of the time of a
    # 10,000-node graph) and find nothing, since the data structures hold no cycles.
    gc.disable()
    # Like grep and cat, stop quietly when the reader goes away (hwsolve ... | head).  Imported
    # here: `signal` pulls in enum, 9 ms, which the fast paths above cannot afford.
    import signal

    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    from hwsolve.cli.app import main as click_main

    click_main()
