"""The PyTorch reference for the benchmark: one process that solves one problem file with float64
autograd, as a user reaching for PyTorch instead of hwsolve would, and prints its loss.

    python bench/torch_graph.py FILE.yaml
"""

import sys
from pathlib import Path

from hwsolve.tools.verify import plain_spec, torch_evaluate


def main() -> None:
    spec = plain_spec(Path(sys.argv[1]).read_text())
    result = torch_evaluate(spec)
    print(result["values"]["L"])


if __name__ == "__main__":
    main()
