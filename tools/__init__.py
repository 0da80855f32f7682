"""Maintainer tools for the workshop repository, run from its root as ``python -m tools.NAME``.

``execute_notebooks`` refreshes the stored outputs, ``make_learner`` writes the learner copies and
the answer key, ``build_slides`` builds the offline decks, ``sync_colab`` rewrites the Colab
badges and install cells. They are not part of the ``workshop`` package that learners install.
"""
