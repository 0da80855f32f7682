"""The training code works: the live CNN learns the synthetic stand-in in a few epochs.

This is the test that proves notebook 05's recipe (to_float, compile with logits, fit) trains;
the notebook itself only shows it. About 15 s on a 2-core CPU.
"""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from workshop import data, models  # noqa: E402

EPOCHS = 3


@pytest.fixture(scope="module")
def cifar_like(monkeypatch_module):
    monkeypatch_module.setenv("WORKSHOP_DATA", "synthetic")
    (x_train, y_train), (x_test, y_test) = data.load_cifar10(n_train=3000, n_test=1000, seed=0)
    return data.to_float(x_train), y_train, data.to_float(x_test), y_test


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _train(build, x, y, epochs=EPOCHS):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = models.compile_model(build())
    history = model.fit(x, y, batch_size=64, epochs=epochs, verbose=0)
    return model, history.history


@pytest.fixture(scope="module")
def trained(cifar_like):
    x_train, y_train, _, _ = cifar_like
    return _train(models.live_cnn, x_train, y_train)


def test_live_cnn_learns_well_above_chance(trained, cifar_like):
    model, history = trained
    _, _, x_test, y_test = cifar_like
    assert history["loss"][-1] < 0.8 * history["loss"][0]
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy > 0.4, f"test accuracy {accuracy:.2f} after {EPOCHS} epochs (chance: 0.10)"
    predicted = np.argmax(model.predict(x_test, verbose=0), axis=1)
    assert np.mean(predicted == y_test.ravel()) == pytest.approx(accuracy, abs=1e-3)
    assert len(np.unique(predicted)) >= 5  # not one class for everything


def test_cnn_beats_the_dense_baseline_on_the_same_data(trained, cifar_like):
    x_train, y_train, x_test, y_test = cifar_like
    cnn, _ = trained
    dense, _ = _train(models.dense_baseline, x_train, y_train)
    cnn_acc = cnn.evaluate(x_test, y_test, verbose=0)[1]
    dense_acc = dense.evaluate(x_test, y_test, verbose=0)[1]
    assert cnn_acc > dense_acc + 0.15, (cnn_acc, dense_acc)


def test_saved_model_reloads_with_the_same_predictions(trained, cifar_like, tmp_path):
    model, _ = trained
    _, _, x_test, _ = cifar_like
    path = tmp_path / "cifar10_cnn.keras"
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(
        again.predict(x_test[:16], verbose=0),
        model.predict(x_test[:16], verbose=0),
        rtol=1e-5,
        atol=1e-5,
    )
