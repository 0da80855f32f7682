"""Figures that notebooks 03 and 04 state in prose, computed here independently.

Each test computes a number from first principles (layer formulas, published layer
configurations) and checks that the notebook's markdown still states it, so the prose and
the arithmetic cannot drift apart. Arithmetic and workshop.ops: no TensorFlow, fast.
"""

from pathlib import Path

import nbformat
import numpy as np
import pytest

from workshop import ops
from workshop.layers import SMALL_CNN_TABLE

ROOT = Path(__file__).resolve().parents[1]
NB03 = ROOT / "notebooks" / "03_relu_and_pooling.ipynb"
NB04 = ROOT / "notebooks" / "04_cnn_architecture.ipynb"


def _markdown(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def conv(k: int, c_in: int, filters: int, bias: bool = True) -> int:
    return (k * k * c_in + int(bias)) * filters


def dense(inputs: int, units: int) -> int:
    return (inputs + 1) * units


def lenet5_params() -> int:
    """LeNet-5 as in LeCun et al. (1998), section II.B, without the fixed RBF output codes."""
    c1 = conv(5, 1, 6)
    s2 = 2 * 6  # one trainable coefficient and one bias per map
    # C3: six maps see 3 of S2's maps, nine see 4, one sees all 6 (table I of the paper)
    c3 = 6 * (25 * 3 + 1) + 9 * (25 * 4 + 1) + 1 * (25 * 6 + 1)
    s4 = 2 * 16
    c5 = conv(5, 16, 120)  # a 5x5 convolution over a 5x5 input: in effect fully connected
    f6 = dense(120, 84)
    return c1 + s2 + c3 + s4 + c5 + f6


VGG16_BLOCKS = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]  # (filters, 3x3 convs)


def vgg16_params() -> tuple[int, int]:
    """VGG-16 (configuration D of Simonyan & Zisserman, 2014): parameters and weight layers."""
    total, c_in, layers = 0, 3, 0
    for filters, repeat in VGG16_BLOCKS:
        for _ in range(repeat):
            total += conv(3, c_in, filters)
            c_in, layers = filters, layers + 1
    total += dense(7 * 7 * 512, 4096) + dense(4096, 4096) + dense(4096, 1000)
    return total, layers + 3


def resnet50_params() -> tuple[int, int]:
    """ResNet-50 (He et al., 2015): trainable parameters and weight layers on the main path.

    Convolutions without bias, each followed by batch normalisation (2 trainable numbers per
    channel); projection shortcuts (1x1 convolution + BN) where the shape changes.
    """

    def conv_bn(k, c_in, c_out):
        return conv(k, c_in, c_out, bias=False) + 2 * c_out

    total, layers = conv_bn(7, 3, 64), 1
    c_in = 64
    for width, blocks in [(64, 3), (128, 4), (256, 6), (512, 3)]:
        for b in range(blocks):
            total += conv_bn(1, c_in, width) + conv_bn(3, width, width)
            total += conv_bn(1, width, 4 * width)
            if b == 0:
                total += conv_bn(1, c_in, 4 * width)  # projection shortcut
            c_in, layers = 4 * width, layers + 3
    total += dense(2048, 1000)
    return total, layers + 1


def test_lenet5_has_about_60_thousand_parameters():
    assert lenet5_params() == 60_000  # the paper: "only 60,000 trainable parameters"
    assert "about 60 thousand" in _markdown(NB04)


def test_vgg16_has_138_million_parameters_and_16_weight_layers():
    total, layers = vgg16_params()
    assert total == 138_357_544
    assert layers == 16 and sum(r for _, r in VGG16_BLOCKS) == 13
    text = _markdown(NB04)
    assert f"about {round(total / 1e6)} million" in text
    assert "13 conv layers + 3 dense layers, 16 weight layers" in text


def test_resnet50_has_about_25_6_million_parameters_and_50_layers():
    total, layers = resnet50_params()
    assert layers == 50
    assert round(total / 1e6, 1) == 25.6
    assert "about 25.6 million" in _markdown(NB04)


# Notebook 04's model: its layers with weights, from the one fixed table (test_layers checks
# the table against Keras); the formulas above must give the same counts.
SMALL_CNN = {row.name: row.params for row in SMALL_CNN_TABLE if row.params}


def test_small_cnn_counts_follow_the_formulas():
    formulas = {
        "conv1": conv(3, 3, 8),
        "conv2": conv(3, 8, 16),
        "dense": dense(8 * 8 * 16, 32),
        "logits": dense(32, 10),
    }
    assert SMALL_CNN == formulas


def test_small_cnn_total_and_its_largest_layer():
    total = sum(SMALL_CNN.values())
    assert total == 34_522
    assert max(SMALL_CNN, key=SMALL_CNN.get) == "dense"
    assert f"{total:,} parameters" in _markdown(NB04)


def test_without_pooling_the_dense_layer_grows():
    flat = 32 * 32 * 16
    assert (flat, dense(flat, 32)) == (16_384, 524_320)
    text = _markdown(NB04)
    assert "32*32*16 = 16,384" in text and "524,320" in text


def test_dense_only_network_has_about_three_times_the_parameters():
    dense_only = dense(32 * 32 * 3, 32) + dense(32, 10)
    assert round(dense_only / sum(SMALL_CNN.values())) == 3
    assert "about three times the parameters" in _markdown(NB04)


@pytest.mark.parametrize("n", [4, 28, 32, 224])
def test_pooling_keeps_a_quarter(n):
    """2x2 max pooling, stride 2 (workshop.ops), keeps a quarter of an n x n map."""
    pooled = ops.max_pool2d(np.arange(n * n, dtype=float).reshape(n, n), 2, 2)
    assert pooled.shape == (n // 2, n // 2)
    assert pooled.size * 4 == n * n


def test_notebook_says_to_a_quarter_and_four_times_fewer_weights():
    without, with_pool = dense(32 * 32 * 16, 10), dense(16 * 16 * 16, 10)
    assert round(without / with_pool) == 4
    text = _markdown(NB03)
    assert "**to** a quarter" in text
    assert "about 4 times fewer weights" in text


def _shift_cell_outcome() -> tuple[tuple[int, int], tuple[int, int]]:
    """(stayed, responses) for 03's feature map and its 2x2 max pooling, shifted one pixel."""
    nb = nbformat.read(NB03, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "np.roll(picture" in c.source)
    env = {"np": np, "ops": ops, "relu_by_hand": lambda x: np.maximum(np.asarray(x, float), 0)}
    exec(cell.source.split("print(")[0], env)  # the set-up lines, before anything is printed
    responses = env["relu_by_hand"](env["maps"])
    moved = env["relu_by_hand"](env["moved_maps"])
    pooled, moved_pooled = ops.max_pool2d(responses, 2), ops.max_pool2d(moved, 2)
    in_map = (int(((responses == moved) & (responses > 0)).sum()), int((responses > 0).sum()))
    pooled_kept = (pooled == moved_pooled) & (pooled > 0)
    return in_map, (int(pooled_kept.sum()), int((pooled > 0).sum()))


def test_shift_heading_says_what_its_cell_shows():
    # "every response moves, most pooled ones stay": no response of the map keeps its place,
    # more than half of the pooled ones do.
    (map_stayed, map_total), (pool_stayed, pool_total) = _shift_cell_outcome()
    assert map_total > 0 and map_stayed == 0
    assert 2 * pool_stayed > pool_total
    assert "every response moves, most pooled ones stay" in _markdown(NB03)
