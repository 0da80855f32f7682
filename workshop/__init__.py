"""Helpers for the CNN workshop notebooks.

Importing this package is cheap on purpose: TensorFlow is imported only inside the
functions that need it, so widgets and checks load in well under a second.
"""

__version__ = "0.1.0"
