#!/usr/bin/env python3
"""In-process cost of each optimizer relative to SGD (issue 15): the minimum of three interleaved
1,500-step runs of hwsolve.engine.train.train per optimizer, no process start-up, CPU time.

  PYTHONPATH=. python bench/train_ratio.py problems/mazur_2_2_2.yaml bench/train_linear.yaml
"""
import time, sys
from fractions import Fraction
from hwsolve.spec.load import load_problem
from hwsolve.engine.batch import Batch
from hwsolve.engine.solve import resolve_setup
from hwsolve.engine.train import train, TrainConfig
opts = ("sgd","momentum","nesterov","rmsprop","adagrad","adam","adamw")
for path in sys.argv[1:]:
    p = load_problem(path)
    b = Batch(p, resolve_setup(p))
    best = {o: 1e9 for o in opts}
    for r in range(3):
        for opt in opts:
            t=time.process_time()
            run = train(b, TrainConfig(opt, lr=Fraction(1,100), steps=1500))
            best[opt] = min(best[opt], time.process_time()-t)
    print(path[-20:], " ".join(f"{o} {best[o]/best['sgd']:.2f}" for o in opts), f"(sgd {best['sgd']:.2f}s)")
