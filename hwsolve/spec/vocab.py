"""The words of the spec format, in a module with no imports so that the CLI can offer them as
choices without loading the numeric stack (``hwsolve --help`` must start instantly)."""

ACTIVATIONS = ("sigmoid", "tanh", "identity", "softmax")
LOSSES = ("bce", "mse", "cross_entropy", "hinge", "huber", "l1", "smooth_l1", "none")
CONVENTIONS = ("textbook", "pytorch", "cmu11785", "cs231n")
FUNCTIONS = ("min", "max", "abs", "exp", "log", "sqrt", "sigmoid", "tanh", "relu",
             "leaky_relu", "softplus", "dot", "sum", "mean", "softmax", "log_softmax",
             "transpose", "outer", "conv2d",
             "step", "trace",  # issue 18 (closed forms): the indicator 1[x > 0], tr(M)
             "var", "layer_norm", "batch_norm", "gelu", "gelu_tanh", "dropout", "concat",
             "max_pool2d", "avg_pool2d")
FORMATS = ("table", "json", "markdown", "csv", "latex")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam", "adamw")
