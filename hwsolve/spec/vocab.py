"""The words of the spec format, in a module with no imports so that the CLI can offer them as
choices without loading the numeric stack (``hwsolve --help`` must start instantly)."""

ACTIVATIONS = ("sigmoid", "tanh", "identity", "softmax")
LOSSES = ("bce", "mse", "cross_entropy", "hinge", "none")
FUNCTIONS = ("min", "max", "abs", "exp", "log", "sqrt", "sigmoid", "tanh", "relu",
             "leaky_relu", "softplus", "dot", "sum", "mean", "softmax", "log_softmax",
             "transpose", "outer", "conv2d")
FORMATS = ("table", "json", "markdown", "csv", "latex")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam", "adamw")
