"""One view and one display convention for every explorer, whatever the matplotlib backend."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import ipywidgets
import numpy as np
import pytest

import workshop.widgets as package
from workshop.widgets._view import Explorer, FigureView, learner_change

MODULES = sorted(
    f"{package.__name__}.{m.name}"
    for m in pkgutil.iter_modules(package.__path__)
    if not m.name.startswith("_")
)


def _explorer_classes() -> list[type]:
    found = []
    for name in MODULES:
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and obj.__module__ == name and issubclass(obj, Explorer):
                found.append(obj)
    return found


def _tree(widget: ipywidgets.Widget) -> list[ipywidgets.Widget]:
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += _tree(child)
    return found


def test_every_public_widget_class_is_an_explorer_and_no_factories_remain():
    for name in MODULES:
        module = importlib.import_module(name)
        for public in getattr(module, "__all__", []):
            obj = getattr(module, public)
            if inspect.isfunction(obj):
                returned = inspect.signature(obj).return_annotation
                assert "Widget" not in str(returned) and "Explorer" not in str(returned), (
                    f"{name}.{public} is a factory: build the explorer class instead"
                )
    names = {cls.__name__ for cls in _explorer_classes()}
    assert names >= {
        "StepThrough",
        "OutputSizeCalculator",
        "KernelPlayground",
        "ReLUExplorer",
        "PoolingExplorer",
        "ShapeTracker",
        "NetworkExplorer",
    }


@pytest.mark.parametrize(
    "cls", [c for c in _explorer_classes() if c.__name__ != "NetworkExplorer"], ids=str
)
def test_explorer_shows_its_widget_and_pictures_go_through_the_view(cls, monkeypatch):
    explorer = cls()
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    explorer._ipython_display_()
    assert shown == [explorer.widget]
    tree = _tree(explorer.widget)
    assert not [w for w in tree if isinstance(w, ipywidgets.Output)], (
        "pictures go through FigureView, not an Output widget"
    )
    for value in vars(explorer).values():
        if isinstance(value, FigureView):
            assert value.image in tree
            assert value.image.value, "the picture is drawn when the explorer is built"


def test_figure_view_sends_png_or_jpeg_and_counts_redraws():
    for fmt, magic in (("png", b"\x89PNG"), ("jpeg", b"\xff\xd8")):
        view = FigureView((2, 1), dpi=50, fmt=fmt)
        image = view.fig.add_subplot().imshow(np.zeros((2, 2)))
        view.refresh()
        first = bytes(view.image.value)
        assert first.startswith(magic) and view.redraws == 1
        view.keep_background([image])
        image.set_data(np.eye(2))
        view.refresh()
        assert view.redraws == 2 and bytes(view.image.value) != first
    with pytest.raises(ValueError, match="fmt"):
        FigureView((2, 1), fmt="gif")


def test_explorer_modules_never_touch_pyplot():
    # The view must not depend on the notebook's backend: no figure may come from pyplot.
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    for cls in _explorer_classes():
        if cls.__name__ != "NetworkExplorer":
            cls()
    assert plt.get_fignums() == before


class _Counter(Explorer):
    """The smallest explorer that sets one of its own controls: a slider that counts changes."""

    def __init__(self) -> None:
        self.slider = ipywidgets.IntSlider(value=0, min=0, max=10)
        self.widget = self.slider
        self.seen: list[int] = []
        self.slider.observe(self._on_slide, names="value")

    @learner_change
    def _on_slide(self, change: dict) -> None:
        self.seen.append(change["new"])


def test_learner_change_callbacks_ignore_what_the_explorer_sets_itself():
    explorer = _Counter()
    explorer.slider.value = 3  # the learner
    with explorer.setting_controls():
        explorer.slider.value = 4
        with explorer.setting_controls():  # nested: the outer block still holds afterwards
            explorer.slider.value = 5
        explorer.slider.value = 6
    explorer.slider.value = 7
    assert explorer.seen == [3, 7]
    with pytest.raises(RuntimeError), explorer.setting_controls():
        raise RuntimeError("a failed redraw")
    explorer.slider.value = 8  # an error inside the block leaves the callbacks working
    assert explorer.seen == [3, 7, 8]
    assert _Counter._on_slide.__name__ == "_on_slide"
