"""hwsolve: exact forward and backward passes for neural-network homework.

The pipeline runs one way: YAML file -> spec -> graph -> solve -> renderers -> CLI.
Import the plain-Python entry points from :mod:`hwsolve.api`.
"""

__version__ = "0.1.0"
