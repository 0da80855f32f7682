"""Interactive explorers (ipywidgets 7.x and 8.x) built on workshop.ops and workshop.plots."""
