"""After `python -m workshop fetch`, plain `keras.datasets.cifar10.load_data()` finds the archive.

What this proves, and what it cannot: Keras checks the *official* SHA-256, which only the real
170 MB file satisfies, and that file is not available to the tests. So the test replaces exactly
one thing, Keras' hash comparison, to compare against the test archive's hash instead, and
makes any download attempt fail. Everything else is Keras' own code: it must find the file our
fetch wrote under the name and folder it expects ($KERAS_HOME/datasets/
cifar-10-batches-py-target_archive), unpack it beside it without touching the network, and parse
our Python-2-style pickles into the same arrays `workshop.data` returns.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from tests.cifar_fixtures import build_archive
from workshop.data import fetch_command
from workshop.data._cache import ARCHIVE_NAME, OFFICIAL_SHA256

ROOT = Path(__file__).resolve().parents[1]

KERAS_SCRIPT = r"""
import hashlib, json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
from keras.src.utils import file_utils
import keras

OFFICIAL, SMALL = sys.argv[1], sys.argv[2]
real_validate = file_utils.validate_file

def validate(fpath, file_hash, algorithm="auto", chunk_size=65535):
    # The one substitution: the official hash stands for the test archive's hash.
    if file_hash == OFFICIAL:
        file_hash = SMALL
    return real_validate(fpath, file_hash, algorithm, chunk_size)

def no_network(*args, **kwargs):
    raise AssertionError("Keras tried to download CIFAR-10")

file_utils.validate_file = validate
file_utils.urlretrieve = no_network
arrays = keras.datasets.cifar10.load_data()
home = os.environ["KERAS_HOME"]
summary = {"datasets": sorted(os.listdir(os.path.join(home, "datasets")))}
for name, arr in zip(("x", "y", "xt", "yt"), [a for pair in arrays for a in pair]):
    digest = hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()
    summary[name] = [list(arr.shape), str(arr.dtype), digest]
print(json.dumps(summary))
"""


def test_keras_load_data_finds_the_fetched_archive(tmp_path, monkeypatch):
    # Keras hard-codes 10,000 images per batch: a full-size but nearly empty archive.
    src = build_archive(tmp_path / "cifar-10-python.tar.gz", per_batch=10_000, compressible=True)
    home = tmp_path / "keras"
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.setenv("WORKSHOP_CIFAR10_SHA256", src.sha256)
    assert fetch_command(str(src.path)) == 0
    assert (home / "datasets" / ARCHIVE_NAME).is_file()

    env = dict(os.environ, KERAS_HOME=str(home), TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("WORKSHOP_CIFAR10_SHA256")
    done = subprocess.run(
        [sys.executable, "-c", KERAS_SCRIPT, OFFICIAL_SHA256, src.sha256],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    listing = summary["datasets"]
    # Keras used our file and unpacked it beside it; it created no second download.
    assert ARCHIVE_NAME in listing and "cifar-10-batches-py-target" in listing
    assert not [name for name in listing if name.endswith((".tar.gz", ".part"))]
    # Keras returns exactly the arrays the archive was built from (and workshop.data parses
    # the same format: tests/test_data_load.py).
    for name, arr in (
        ("x", src.x_train),
        ("y", src.y_train),
        ("xt", src.x_test),
        ("yt", src.y_test),
    ):
        digest = hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()
        assert summary[name] == [list(arr.shape), "uint8", digest], name
    assert summary["x"][0] == [50_000, 32, 32, 3] and summary["yt"][0] == [10_000, 1]
