"""workshop.plots: one signed colour rule, one matrix drawer, the architecture diagrams."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from workshop import plots  # noqa: E402
from workshop.layers import SMALL_CNN_TABLE, LayerInfo  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_signed_limit_is_the_max_for_small_matrices():
    values = np.array([[-3.0, 1.0], [2.0, 0.5]])
    assert plots.signed_limit(values) == 3.0
    assert plots.signed_limit(np.arange(-50.0, 50.0)) == 50.0  # 100 values: still the max
    assert plots.signed_limit(np.zeros((2, 2))) == 1.0
    assert plots.signed_limit(np.array([np.nan, -2.0])) == 2.0


def test_signed_limit_ignores_a_few_extreme_pixels():
    feature_map = np.full((100, 100), 0.5)
    feature_map[0, :50] = 40.0  # 50 hot pixels out of 10,000
    feature_map[1:, :] *= np.where(np.arange(100) % 2, 1, -1)
    assert plots.signed_limit(feature_map) == 0.5


def test_colour_scale_signed_and_unsigned():
    assert plots.colour_scale(np.array([-1.0, 4.0])) == {
        "cmap": plots.SIGNED_CMAP,
        "vmin": -4.0,
        "vmax": 4.0,
    }
    assert plots.colour_scale(np.array([1.0, 4.0])) == {"cmap": "viridis", "vmin": 1.0, "vmax": 4.0}
    assert plots.colour_scale(np.array([2.0, 2.0]), cmap="gray")["vmax"] == 3.0
    assert plots.colour_scale(np.array([0.0, 3.0]), signed=True)["vmin"] == -3.0


def _texts(ax):
    return {(t.get_position(), t.get_text()): t.get_color() for t in ax.texts}


def test_show_matrix_writes_every_number_in_a_readable_colour():
    ax = plots.show_matrix(np.array([[-4.0, 0.0], [-0.0, 4.0]]), title="signed")
    texts = _texts(ax)
    assert texts[((0, 0), "-4")] == "white"  # dark blue cell
    assert texts[((1, 0), "0")] == "black"  # white cell
    assert texts[((0, 1), "0")] == "black"  # -0 is written as 0
    assert texts[((1, 1), "4")] == "white"  # dark red cell
    assert ax.images[0].get_clim() == (-4.0, 4.0)
    assert ax.get_title() == "signed"


def test_show_matrix_highlight_and_explicit_scale():
    ax = plots.show_matrix(np.arange(9.0).reshape(3, 3), highlight=(1, 0, 2, 2), vmin=0, vmax=10)
    box = next(p for p in ax.patches if p.get_visible())
    assert (box.get_x(), box.get_y(), box.get_width(), box.get_height()) == (-0.5, 0.5, 2, 2)
    assert ax.images[0].get_clim() == (0.0, 10.0)
    assert not plots.show_matrix(np.eye(2), numbers=False).texts
    with pytest.raises(ValueError, match="values must be 2-D"):
        plots.show_matrix(np.zeros(3))


def test_matrix_panel_updates_in_place_and_leaves_nan_blank():
    _, ax = plt.subplots()
    panel = plots.MatrixPanel(ax, (2, 2), "map", vmin=0, vmax=4)
    panel.update(np.array([[1.0, np.nan], [np.nan, np.nan]]), box=(0, 0, 1, 1))
    assert [t.get_text() for t in panel.texts.ravel()] == ["1", "", "", ""]
    assert panel.box.get_visible()
    panel.update(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert [t.get_text() for t in panel.texts.ravel()] == ["1", "2", "3", "4"]
    assert not panel.box.get_visible()
    assert len(ax.texts) == 4  # the same artists, not new ones


def test_draw_architecture_boxes_and_title():
    ax = plots.draw_architecture(list(SMALL_CNN_TABLE), input_shape=(32, 32, 3))
    assert len(ax.patches) == 10 + 9  # input + 9 layer boxes, 9 arrows
    assert "34,522 parameters" in ax.get_title()
    texts = [t.get_text() for t in ax.texts]
    assert "Conv2D\n32x32x8\n224 params" in texts and "Input\n32x32x3" in texts


def test_draw_architecture_from_rows_with_a_title():
    rows = [LayerInfo("a", "Dense", (4,), 12), LayerInfo("b", "Dense", (2,), 10)]
    ax = plots.draw_architecture(rows, input_shape=(2,), title="tiny")
    assert ax.get_title() == "tiny" and len(ax.patches) == 3 + 2


def test_compare_kernels_shapes_scales_and_errors():
    rng = np.random.default_rng(0)
    before = rng.normal(size=(3, 3, 3, 8))
    fig = plots.compare_kernels(before, before + 0.1)
    assert len(fig.axes) == 3 * 8 + 1  # three rows of eight, plus the colour bar
    gray = rng.normal(size=(3, 3, 1, 4))  # one channel: drawn signed, centred on zero
    fig = plots.compare_kernels(gray, gray * 2)
    low, high = fig.axes[0].images[0].get_clim()
    assert low == -high
    with pytest.raises(ValueError, match="same shape"):
        plots.compare_kernels(before, before[..., :4])


def test_draw_architecture_can_hide_the_numbers_the_exercises_ask_for():
    ax = plots.draw_architecture(list(SMALL_CNN_TABLE), input_shape=(32, 32, 3), show_numbers=False)
    texts = [t.get_text() for t in ax.texts]
    assert "Input\n32x32x3" in texts and "Conv2D\n?\n? params" in texts
    boxes = [t.split("\n", 1)[1] for t in texts if "\n" in t and not t.startswith("Input")]
    assert len(boxes) == len(SMALL_CNN_TABLE)
    assert not any(ch.isdigit() for box in boxes for ch in box)
    assert "? parameters" in ax.get_title()


def test_compare_accuracies_labels_every_bar_and_marks_chance():
    from workshop.plots import compare_accuracies

    fig = compare_accuracies({"frozen": 0.9, "pixels": 0.7}, chance=0.5, title="two ways")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["70%", "90%"]  # drawn bottom up: first on top
    assert "chance, 50%" in ax.get_xlabel() and ax.get_title() == "two ways"
    plt.close(fig)
    with pytest.raises(ValueError, match="scores is empty"):
        compare_accuracies({}, chance=0.5)
    with pytest.raises(ValueError, match="chance must be a fraction"):
        compare_accuracies({"a": 1.0}, chance=50)
