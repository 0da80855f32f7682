"""Benchmarks: speed against the frameworks and the learner's budgets; never pass or fail.

Run from the repository root: ``python -m benchmarks.run_all`` (what ``make bench`` runs) or one
module, e.g. ``python -m benchmarks.bench_conv``.
"""
