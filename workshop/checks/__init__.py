"""Exercise checkers, one module per notebook.

A notebook uses them as ``from workshop.checks import convolution as check``.
"""

from workshop.checks._core import Choice, Exercise, Mistake, compare

__all__ = ["Choice", "Exercise", "Mistake", "compare"]
