"""Exercise checkers, one module per notebook.

A notebook uses them as ``from workshop.checks import convolution as check``.
"""

from workshop.checks._core import Exercise, compare

__all__ = ["Exercise", "compare"]
