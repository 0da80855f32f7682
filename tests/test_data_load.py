"""load_cifar10 on real-format data: parse, verify-before-unpickle, stratified subsets, to_float."""

from __future__ import annotations

import hashlib
import pickle
import re

import numpy as np
import pytest

from tests.cifar_fixtures import (
    FaultyServer,
    build_archive,
    build_malicious_archive,
    stand_in_for_official,
)
from workshop.data import CLASS_NAMES, DataUnavailableError, _load, load_cifar10, to_float
from workshop.data._archive import parse_archive
from workshop.data._cache import ARCHIVE_NAME
from workshop.data._load import stratified_subset


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("src") / "cifar-10-python.tar.gz", per_batch=40)


@pytest.fixture
def real_env(tmp_path, monkeypatch, small):
    """WORKSHOP_DATA=cifar10 with the small archive standing in for the official one."""
    monkeypatch.setenv("WORKSHOP_DATA", "cifar10")
    stand_in_for_official(monkeypatch, tmp_path / "keras", small)
    # The small archive has 200 training and 40 test images.
    monkeypatch.setattr(_load, "N_TRAIN", 200)
    monkeypatch.setattr(_load, "N_TEST", 40)
    final = tmp_path / "keras" / "datasets" / ARCHIVE_NAME
    final.parent.mkdir(parents=True)
    return final


def test_class_names_follow_the_label_order_keras_documents():
    """Label i is CLASS_NAMES[i]: checked against an independent source, the table of labels
    in Keras' own ``cifar10.load_data`` documentation, not against a copy typed here."""
    keras = pytest.importorskip("keras")
    table = re.findall(
        r"^\s*\|\s*(\d+)\s*\|\s*(\w+)\s*\|", keras.datasets.cifar10.load_data.__doc__, re.M
    )
    assert len(table) == 10, "Keras' cifar10.load_data no longer documents its labels"
    assert {int(label): name for label, name in table} == dict(enumerate(CLASS_NAMES))


def test_parse_matches_the_images_written(small):
    (x_train, y_train), (x_test, y_test) = parse_archive(small.path, small.sha256)
    assert x_train.dtype == np.uint8 and x_train.shape == (200, 32, 32, 3)
    assert y_train.dtype == np.uint8 and y_train.shape == (200, 1)
    assert x_test.shape == (40, 32, 32, 3) and y_test.shape == (40, 1)
    np.testing.assert_array_equal(x_train, small.x_train)
    np.testing.assert_array_equal(y_train, small.y_train)
    np.testing.assert_array_equal(x_test, small.x_test)
    np.testing.assert_array_equal(y_test, small.y_test)
    # Channel order: the fixture makes red always >= 128 and blue always < 64.
    assert x_train[..., 0].min() >= 128 and x_train[..., 2].max() < 64


def test_parse_refuses_unverified_bytes_before_unpickling(tmp_path):
    marker = tmp_path / "code-ran"
    evil = build_malicious_archive(tmp_path / "evil.tar.gz", marker)
    with pytest.raises(DataUnavailableError, match="Refusing to unpack"):
        parse_archive(evil)  # official hash expected: refused before any pickle is read
    assert not marker.exists()


def test_a_verified_archive_without_the_batches_is_rejected(tmp_path):
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("cifar-10-batches-py/readme.html")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    raw = buf.getvalue()
    (tmp_path / "readme.tar.gz").write_bytes(raw)
    with pytest.raises(DataUnavailableError, match="no cifar-10-batches-py/data_batch_1"):
        parse_archive(tmp_path / "readme.tar.gz", hashlib.sha256(raw).hexdigest())


def test_even_verified_bytes_may_only_hold_numpy(tmp_path):
    # Defence in depth: if a hash were ever wrong, the unpickler still refuses code.
    marker = tmp_path / "code-ran"
    evil = build_malicious_archive(tmp_path / "evil.tar.gz", marker)
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        parse_archive(evil, hashlib.sha256(evil.read_bytes()).hexdigest())
    assert not marker.exists()


def test_load_downloads_when_missing_then_works_offline(real_env, small, capsys, monkeypatch):
    srv = FaultyServer(small.data)
    try:
        monkeypatch.setenv("WORKSHOP_CIFAR10_URL", srv.url)
        (x_train, y_train), (x_test, y_test) = load_cifar10()
        assert len(srv.requests) == 1
    finally:
        srv.close()
    assert "downloading it once" in capsys.readouterr().out
    np.testing.assert_array_equal(x_train, small.x_train)
    np.testing.assert_array_equal(y_test, small.y_test)
    # The server is gone: the second load comes from the cache.
    (x2, _), _ = load_cifar10()
    np.testing.assert_array_equal(x2, small.x_train)


def test_load_refuses_a_damaged_cache(real_env, small):
    real_env.write_bytes(small.data[:-1])
    with pytest.raises(DataUnavailableError, match="damaged or incomplete") as info:
        load_cifar10()
    assert "python -m workshop fetch" in str(info.value)
    assert "WORKSHOP_DATA=synthetic" in str(info.value)


def test_load_offline_without_cache_explains(real_env):
    with pytest.raises(DataUnavailableError) as info:
        load_cifar10()
    message = str(info.value)
    assert "refused the connection" in message and "WORKSHOP_DATA=synthetic" in message
    assert list(real_env.parent.iterdir()) == []


def test_subset_is_stratified_and_deterministic(real_env, small):
    real_env.write_bytes(small.data)
    (x, y), (xt, yt) = load_cifar10(n_train=50, n_test=20, seed=3)
    assert x.shape == (50, 32, 32, 3) and y.shape == (50, 1) and y.dtype == np.uint8
    assert np.bincount(y[:, 0], minlength=10).tolist() == [5] * 10
    assert np.bincount(yt[:, 0], minlength=10).tolist() == [2] * 10
    (x2, y2), _ = load_cifar10(n_train=50, n_test=20, seed=3)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    (x3, _), _ = load_cifar10(n_train=50, n_test=20, seed=4)
    assert not np.array_equal(x, x3)
    # Every image in the subset is a real image with its own label.
    rows = {small.x_train[i].tobytes(): small.y_train[i, 0] for i in range(len(small.x_train))}
    assert all(rows[img.tobytes()] == lab for img, lab in zip(x, y[:, 0], strict=True))


def test_stratified_subset_spreads_the_remainder():
    y = np.repeat(np.arange(10, dtype=np.uint8), 10).reshape(-1, 1)
    x = np.arange(100)
    _, ys = stratified_subset(x, y, 23, np.random.default_rng(0))
    counts = np.bincount(ys[:, 0], minlength=10)
    assert counts.sum() == 23 and counts.min() == 2 and counts.max() == 3


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_train": 0}, ValueError, "n_train must be between 1 and"),
        ({"n_test": 10**6}, ValueError, "n_test must be between 1 and"),
        ({"n_train": 2.5}, TypeError, "n_train must be an int or None, got float"),
        ({"seed": "0"}, TypeError, "seed must be an int"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, error, match):
    with pytest.raises(error, match=match):
        load_cifar10(**kwargs)


def test_unknown_workshop_data_value_is_read_as_a_missing_path(monkeypatch, tmp_path):
    # Anything but the two keywords is a path; a typo like 'synthtic' gets told all three options.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKSHOP_DATA", "synthtic")
    with pytest.raises(DataUnavailableError, match="no such file or folder") as err:
        load_cifar10(n_train=10, n_test=10)
    assert "'synthetic'" in str(err.value) and "unset it" in str(err.value)


def test_to_float():
    x = np.array([[0, 51, 255]], dtype=np.uint8)
    f = to_float(x)
    assert f.dtype == np.float32
    np.testing.assert_allclose(f, [[0.0, 0.2, 1.0]], atol=1e-7)
    with pytest.raises(TypeError, match="uint8"):
        to_float(f)


def test_importing_the_data_package_loads_no_network_or_server_code():
    # HTTP, TLS, progress bars and the serve-data server load when first used, not on import.
    import subprocess
    import sys

    code = (
        "import sys, workshop.data\n"
        "heavy = ('ssl', 'http', 'requests', 'urllib3', 'tqdm', 'PIL', 'tensorflow', 'keras',"
        " 'matplotlib', 'ipywidgets')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
