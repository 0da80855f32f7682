"""Feature extraction for notebook 06: the cut, the frozen features, the three ways compared."""

from __future__ import annotations

import numpy as np
import pytest

from workshop import models, transfer


@pytest.fixture(scope="module")
def network():
    import keras

    keras.utils.set_random_seed(0)
    return models.live_cnn()


def _two_classes(n: int = 24):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 60, (n, 32, 32, 3), dtype=np.uint8)
    labels = np.arange(n) % 2
    images[labels == 1, 8:24, 8:24] = 230  # a bright square: easy to tell apart
    return images, labels


def test_the_cut_is_before_the_classifier_and_frozen(network):
    extractor = transfer.feature_extractor(network)
    assert extractor.output.shape[1:] == (64,)  # the hidden Dense layer: the classifier is cut
    assert not extractor.trainable
    assert len(extractor.layers) == len(network.layers)  # the Input, and all but the last
    assert transfer.features(extractor, _two_classes()[0]).shape == (24, 64)
    convolutions = transfer.feature_extractor(network, "flatten")
    assert convolutions.output.shape[1:] == (1024,)  # 4 x 4 positions x 64 kernels


def test_training_a_head_leaves_the_network_as_it_was(monkeypatch, network):
    monkeypatch.setattr(transfer, "HEAD_EPOCHS", 5)
    monkeypatch.setattr(transfer, "SCRATCH_EPOCHS", 2)
    before = [w.copy() for w in network.get_weights()]
    images, labels = _two_classes()
    extractor = transfer.feature_extractor(network)
    train, test = np.arange(16), np.arange(16, 24)
    scores = transfer.compare(extractor, images, labels, train, test)
    assert all(np.array_equal(a, b) for a, b in zip(before, network.get_weights(), strict=True))
    for value in (scores.frozen_features, scores.raw_pixels, scores.from_scratch):
        assert 0.0 <= value <= 1.0
    assert scores.chance == 0.5
    assert set(scores.seconds) == {"frozen_features", "raw_pixels", "from_scratch"}


def test_a_head_learns_an_easy_pair_of_classes(network):
    images, labels = _two_classes(40)
    # Untrained here: the convolutions' own values keep the square; the hidden layer mixes it.
    extractor = transfer.feature_extractor(network, "flatten")
    vectors = transfer.features(extractor, images)
    accuracy = transfer.head_accuracy(
        vectors[:30], labels[:30], vectors[30:], labels[30:], num_classes=2
    )
    assert accuracy == 1.0


def test_a_wrong_layer_is_named(network):
    with pytest.raises(ValueError, match="layer: 'pooling' is not a layer of live_cnn"):
        transfer.feature_extractor(network, "pooling")
