"""Exports to the course platforms (Moodle XML, Canvas QTI, PrairieLearn, Gradescope).

Every target is built on one quiz model (:mod:`hwsolve.tools.export.quiz`): the variants, the
entries each asks for, their correct values, an absolute tolerance window from hwsolve's rule,
and the wrong values each diagnosis kind produces.  The writers lay that model out in their
platform's format and compute nothing.
"""
