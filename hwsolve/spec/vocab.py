"""The words of the spec format, in a module with no imports so that the CLI can offer them as
choices without loading the numeric stack (``hwsolve --help`` must start instantly)."""

ACTIVATIONS = ("sigmoid", "tanh", "identity")
LOSSES = ("bce", "mse")
FUNCTIONS = ("min", "max", "abs", "exp", "log", "sqrt", "sigmoid", "tanh", "relu",
             "leaky_relu", "dot", "sum")
FORMATS = ("table", "json", "markdown", "csv", "latex")
