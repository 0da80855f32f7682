"""Drive notebook 02's explorers headless, the way a learner's clicks would."""

import numpy as np
import pytest

from tests.widget_fixtures import blitting_error
from workshop import kernels, ops
from workshop.widgets.convolution import KernelPlayground, OutputSizeCalculator, StepThrough

PNG = b"\x89PNG"


@pytest.fixture(scope="module")
def small_photo():
    rng = np.random.default_rng(0)
    return rng.uniform(0, 1, size=(40, 48))


def test_step_through_starts_at_first_window():
    st = StepThrough()
    assert st.slider.description == "step"
    assert (st.index, st.slider.value, st.slider.max) == (0, 1, 9)
    assert st.label.value == "<b>step 1 of 9</b>"
    assert st.current.total == 4
    assert np.count_nonzero(~np.isnan(st.partial)) == 1
    assert bytes(st.view.image.value).startswith(PNG)


def test_step_through_step_4_is_the_centre_window():
    st = StepThrough()
    st.slider.value = 5  # what a learner sees as "step 5 of 9" is index 4
    assert st.index == 4
    assert (st.current.top, st.current.left) == (1, 1)
    assert (st.current.row, st.current.col) == (1, 1)
    assert "step 5 of 9" in st.label.value
    filled = ~np.isnan(st.partial)
    assert filled.sum() == 5
    np.testing.assert_array_equal(st.partial[filled], [4, 3, 4, 2, 4])
    np.testing.assert_array_equal(st.current.patch, kernels.SEED_IMAGE[1:4, 1:4])
    assert "= <b>4</b>" in st.sum_text.value


def test_step_through_last_step_is_the_whole_map():
    st = StepThrough()
    st.show(8)
    np.testing.assert_array_equal(st.partial, ops.conv2d(kernels.SEED_IMAGE, kernels.SEED_KERNEL))
    with pytest.raises(ValueError, match="index must be between 0 and 8"):
        st.show(9)


def test_step_through_every_step_redraws():
    st = StepThrough()
    before = st.view.redraws
    for value in range(2, 10):
        st.slider.value = value
    assert st.view.redraws == before + 8


def test_step_through_stride_and_padding():
    st = StepThrough()
    st.padding_buttons.value = 1
    assert st.padded.shape == (7, 7) and st.full_map.shape == (5, 5)
    assert st.slider.max == 25 and st.index == 0
    np.testing.assert_array_equal(
        st.full_map, ops.conv2d(kernels.SEED_IMAGE, kernels.SEED_KERNEL, padding=1)
    )
    st.stride_buttons.value = 2
    assert st.full_map.shape == (3, 3)
    st.show(1)
    assert (st.current.top, st.current.left) == (0, 2)


def test_step_through_says_which_rows_a_stride_leaves_over():
    st = StepThrough()
    st.slider.value = 6
    st.stride_buttons.value = 3  # (5 - 3) // 3 + 1 = 1 window; rows 3 and 4 are left over
    assert st.fits and st.left_over == (2, 2)
    assert st.full_map.shape == (1, 1) and st.slider.max == 1 and st.index == 0
    np.testing.assert_array_equal(
        st.full_map, ops.conv2d(kernels.SEED_IMAGE, kernels.SEED_KERNEL, stride=3)
    )
    assert "Left over" in st.flag.value and "2 row(s)" in st.flag.value
    assert "dropped" in st.flag.value
    st.stride_buttons.value = 2  # fits exactly again
    assert st.left_over == (0, 0) and "Left over" not in st.flag.value
    assert st.full_map.shape == (2, 2) and st.slider.max == 4


def test_step_through_flags_a_kernel_larger_than_the_image():
    st = StepThrough(image=np.ones((2, 2)))
    assert not st.fits and st.current is None
    assert "does not fit" in st.flag.value and "larger than the padded input" in st.flag.value
    assert st.slider.disabled and "no steps" in st.label.value
    st.padding_buttons.value = 1  # 4x4 padded: one 3x3 window per axis position, 2x2 map
    assert st.fits and not st.slider.disabled and st.full_map.shape == (2, 2)


def test_step_through_rejects_3d_input():
    with pytest.raises(ValueError, match="must be 2-D"):
        StepThrough(image=np.zeros((5, 5, 3)))


def test_step_through_custom_image_and_kernel():
    rng = np.random.default_rng(1)
    image, kernel = rng.integers(-2, 3, (6, 6)), rng.integers(-1, 2, (2, 2))
    st = StepThrough(image, kernel)
    st.show(len(st.steps) - 1)
    np.testing.assert_array_equal(st.partial, ops.conv2d(image, kernel))


@pytest.mark.parametrize(
    ("n", "k", "s", "p", "size"),
    [(5, 3, 1, 0, 3), (32, 5, 1, 0, 28), (5, 3, 1, 1, 5), (7, 3, 2, 0, 3), (6, 3, 3, 0, 2)],
)
def test_calculator_matches_formula(n, k, s, p, size):
    calc = OutputSizeCalculator()
    calc.n.value, calc.k.value, calc.stride.value, calc.padding.value = n, k, s, p
    assert calc.size == size == (n + 2 * p - k) // s + 1
    assert f"<b>{size}</b>" in calc.result.value


def test_calculator_says_what_is_left_over_and_what_does_not_fit():
    calc = OutputSizeCalculator(n=5, k=3)
    calc.stride.value = 3
    assert calc.size == 1 and calc.left_over == 2
    assert "left over" in calc.message and "dropped" in calc.message
    assert "<b>1</b>" in calc.result.value and "⚠" in calc.result.value
    calc.stride.value = 2
    assert calc.left_over == 0 and "⚠" not in calc.result.value
    calc.stride.value, calc.k.value = 1, 9
    assert calc.size is None and "larger than the padded input" in calc.message


def test_playground_identity_returns_the_photo(small_photo):
    pg = KernelPlayground(small_photo)
    pg.preset.value = "identity"
    np.testing.assert_allclose(pg.kernel, kernels.get("identity"))
    np.testing.assert_allclose(pg.result, small_photo)
    assert bytes(pg.view.image.value).startswith(b"\xff\xd8")  # JPEG: quick for photos
    assert "sum to 1" in pg.info.value


def test_playground_preset_redraws_once(small_photo):
    pg = KernelPlayground(small_photo)
    before = pg.view.redraws
    pg.preset.value = "sharpen"
    assert pg.view.redraws == before + 1  # nine boxes change, one redraw


def test_playground_box_edit_becomes_custom(small_photo):
    pg = KernelPlayground(small_photo, kernel="blur")
    pg.boxes[4].value = 2.0
    assert pg.preset.value == "custom"
    expected = kernels.get("blur")
    expected[1, 1] = 2.0
    np.testing.assert_allclose(pg.kernel, expected, atol=1e-4)
    np.testing.assert_allclose(pg.result, ops.conv2d(small_photo, pg.kernel, padding=1))
    assert "your kernel" in pg.map_title.get_text()


def test_playground_edge_kernel_is_signed(small_photo):
    pg = KernelPlayground(small_photo, kernel="vertical edges")
    assert pg.map_image.get_cmap().name == "RdBu_r"
    lo, hi = pg.map_image.get_clim()
    assert lo == -hi
    assert "sum to 0" in pg.info.value
    pg.preset.value = "blur"
    assert pg.map_image.get_cmap().name == "gray"


def test_playground_set_kernel_validates(small_photo):
    pg = KernelPlayground(small_photo)
    with pytest.raises(ValueError, match="kernel must be 3x3"):
        pg.set_kernel(np.ones((2, 2)))
    with pytest.raises(ValueError, match="2-D grayscale"):
        KernelPlayground(np.zeros((4, 4, 3)))


def test_step_through_blitting_matches_a_full_redraw():
    st = StepThrough()
    st.show(4)
    assert blitting_error(st.view) < 0.5


def test_playground_blitting_matches_a_full_redraw(small_photo):
    pg = KernelPlayground(small_photo)
    pg.boxes[4].value = 3.0  # a custom kernel: the title changes once, then only the map
    pg.boxes[0].value = -2.0
    assert blitting_error(pg.view) < 0.5
