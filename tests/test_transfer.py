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


def test_a_head_trained_in_place_is_not_trained_again(monkeypatch, network):
    monkeypatch.setattr(transfer, "HEAD_EPOCHS", 5)
    images, labels = _two_classes()
    extractor = transfer.feature_extractor(network)
    scores = transfer.compare(
        extractor,
        images,
        labels,
        np.arange(16),
        np.arange(16, 24),
        scratch=False,
        frozen_features=0.875,
    )
    assert scores.frozen_features == 0.875
    assert "frozen_features" not in scores.seconds
    assert list(scores.named()) == ["frozen features + new head", "same head, raw pixels"]


def test_leave_one_out_trains_each_way_once_per_photo(monkeypatch, network):
    monkeypatch.setattr(transfer, "HEAD_EPOCHS", 2)
    images, labels = _two_classes(4)
    calls = []

    def scratch(train_images, train_y, test_images, test_y, num_classes, epochs, seed):
        calls.append((len(train_images), len(test_images), epochs))
        return 1.0  # from_scratch itself is trained in the test above

    monkeypatch.setattr(transfer, "from_scratch", scratch)
    scores = transfer.leave_one_out(
        transfer.feature_extractor(network), images, labels, scratch_epochs=3
    )
    assert calls == [(3, 1, 3)] * 4  # four trainings, each on the three other photos
    for value in (scores.frozen_features, scores.raw_pixels):
        assert value in {k / 4 for k in range(5)}
    assert scores.from_scratch == 1.0 and scores.chance == 0.5


def test_leave_one_out_refuses_a_class_of_one(network):
    images, labels = _two_classes(3)  # labels 0, 1, 0: class 1 has one photo
    with pytest.raises(ValueError, match="two classes of two photos each"):
        transfer.leave_one_out(transfer.feature_extractor(network), images, labels)


def test_the_imagenet_path_runs_untrained(monkeypatch):
    # Notebook 06's optional section downloads ImageNet weights; the same code, untrained.
    monkeypatch.setattr(transfer, "HEAD_EPOCHS", 5)
    extractor = transfer.imagenet_extractor(size=32, weights=None)
    assert not extractor.trainable
    images, labels = _two_classes(8)
    vectors = transfer.features(extractor, images)
    assert vectors.shape == (8, extractor.output.shape[-1]) and np.isfinite(vectors).all()
    scores = transfer.compare(
        extractor, images, labels, np.arange(6), np.arange(6, 8), scratch=False
    )
    assert scores.from_scratch is None and 0 <= scores.frozen_features <= 1
    with pytest.raises(ValueError, match="size: MobileNetV3Small takes photos of at least 32x32"):
        transfer.imagenet_extractor(size=16, weights=None)


def test_the_quick_network_trains_at_a_small_budget(monkeypatch, capsys):
    monkeypatch.setenv("WORKSHOP_DATA", "synthetic")
    network = transfer.quick_network(n_train=512, epochs=1, minutes=0.2)
    assert network.predict(np.zeros((1, 32, 32, 3)), verbose=0).shape == (1, 10)
    assert "test accuracy on CIFAR-10" in capsys.readouterr().out
