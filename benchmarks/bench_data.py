"""The CIFAR-10 pipeline: parsing, hashing, sharing over the network, the synthetic stand-in, and
(when WORKSHOP_BENCH_IMAGES names a folder or .zip of class folders) loading image files.

Ratio = our time / the reference's time (lower is better for us). The archive used is built
here in the real format at full size (60,000 images) but with nearly black images, so it
decompresses faster than the real one: read the parse row as a comparison, not a forecast.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

from benchmarks.common import markdown_table, median_seconds
from tests.cifar_fixtures import build_archive

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _row(name: str, ours: float, reference: float, ref_name: str, unit: str = "s") -> dict:
    return {
        "benchmark": name,
        "ours": round(ours, 3),
        "reference": round(reference, 3),
        "reference is": ref_name,
        "ratio": round(ours / reference, 2),
        "unit": unit,
    }


def _bench_parse(folder: Path) -> dict:
    """Our parse_archive vs keras.datasets.cifar10.load_data on the same archive."""
    import keras
    from keras.src.backend import config
    from keras.src.utils import file_utils

    from workshop.data._archive import parse_archive
    from workshop.data._cache import ARCHIVE_NAME, OFFICIAL_SHA256

    src = build_archive(folder / "full.tar.gz", per_batch=10_000, compressible=True)
    ours = median_seconds(lambda: parse_archive(src.path, src.sha256), repeat=3, warmup=1)

    home = folder / "keras"
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / ARCHIVE_NAME).write_bytes(src.data)
    real_validate, real_home = file_utils.validate_file, config._KERAS_DIR

    def validate(fpath, file_hash, algorithm="auto", chunk_size=65535):
        # Keras checks the official hash; this archive is a stand-in of the same format.
        return real_validate(
            fpath, src.sha256 if file_hash == OFFICIAL_SHA256 else file_hash, algorithm, chunk_size
        )

    file_utils.validate_file, config._KERAS_DIR = validate, str(home)
    try:
        theirs = median_seconds(keras.datasets.cifar10.load_data, repeat=3, warmup=1)
    finally:
        file_utils.validate_file, config._KERAS_DIR = real_validate, real_home
    return _row(
        "load 60,000 images from a full-size archive (hash + parse)",
        ours,
        theirs,
        "keras.datasets.cifar10.load_data",
    )


def _bench_hash(folder: Path, big: Path) -> dict:
    from keras.src.utils.file_utils import hash_file

    from workshop.data._verify import sha256_of

    ours = median_seconds(lambda: sha256_of(big), repeat=3, warmup=1)
    theirs = median_seconds(lambda: hash_file(str(big)), repeat=3, warmup=1)
    return _row("SHA-256 of a 170 MB file", ours, theirs, "keras hash_file")


def _bench_share(folder: Path, big: Path) -> dict:
    """serve-data -> fetch (hash while streaming, atomic rename) vs a bare urllib download."""
    from workshop.data._fetch import fetch_archive
    from workshop.data._serve import build_server

    server = build_server(big, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/cifar-10-python.tar.gz"
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    old = {k: os.environ.get(k) for k in ("KERAS_HOME", "WORKSHOP_CIFAR10_SHA256")}
    os.environ["WORKSHOP_CIFAR10_SHA256"] = digest
    os.environ["KERAS_HOME"] = str(folder / "share")

    def ours() -> None:
        fetch_archive(url).unlink()  # so the next run downloads again

    def theirs() -> None:
        with urllib.request.urlopen(url) as resp, open(folder / "plain", "wb") as out:
            while chunk := resp.read(1 << 20):
                out.write(chunk)

    try:
        t_ours = median_seconds(ours, repeat=3, warmup=0)
        t_theirs = median_seconds(theirs, repeat=3, warmup=1)
    finally:
        server.shutdown()
        server.server_close()
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return _row(
        "serve-data -> fetch of 170 MB over loopback (verified, cached)",
        t_ours,
        t_theirs,
        "plain urllib download, no hash",
    )


def _bench_synthetic() -> dict:
    from workshop.data._synthetic import synthetic_images

    ours = median_seconds(lambda: synthetic_images(10_000), repeat=3, warmup=1)
    rng = np.random.default_rng(0)
    noise = median_seconds(
        lambda: rng.integers(0, 256, (10_000, 32, 32, 3), dtype=np.uint8), repeat=3, warmup=1
    )
    return _row("synthetic stand-in, 10,000 images", ours, noise, "uniform noise of that shape")


def _bench_image_folder(folder: Path) -> dict | None:
    """CIFAR-10 as image files (WORKSHOP_DATA=<folder or zip>): first load vs cached load.

    Runs on the folder or .zip named by WORKSHOP_BENCH_IMAGES; the cache goes to a fresh
    KERAS_HOME under ``folder``, so the first load really decodes every image.
    """
    raw = os.environ.get("WORKSHOP_BENCH_IMAGES", "").strip()
    if not raw:
        print(
            "(skipped the image-folder row: set WORKSHOP_BENCH_IMAGES to a folder or .zip of "
            "train/<class>/ and test/<class>/ images)"
        )
        return None
    from workshop.data import resolve_source
    from workshop.data._folder import load_image_folder

    source = resolve_source(raw)
    old = os.environ.get("KERAS_HOME")
    os.environ["KERAS_HOME"] = str(folder / "images-cache")
    quiet = io.StringIO()  # the "Decoding ..." line would land inside the table
    try:
        with contextlib.redirect_stdout(quiet):
            start = time.perf_counter()
            (x_train, _), (x_test, _) = load_image_folder(source)  # decode + write the cache
            first = time.perf_counter() - start
            cached = median_seconds(lambda: load_image_folder(source), repeat=5, warmup=1)
    finally:
        if old is None:
            os.environ.pop("KERAS_HOME", None)
        else:
            os.environ["KERAS_HOME"] = old
    if "could not cache" in quiet.getvalue():
        print("(the image-folder cache could not be written: the repeated load decoded again)")
    kind = "zip" if source.is_zip else "folder"
    return _row(
        f"load {len(x_train) + len(x_test):,} images from a {kind} of class folders "
        "(repeated load, from the cache)",
        cached,
        first,
        "first load: decode every image, write the cache",
    )


def main() -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big = folder / "big.bin"
        big.write_bytes(np.random.default_rng(0).bytes(170_498_071))
        rows.append(_bench_synthetic())
        rows.append(_bench_hash(folder, big))
        rows.append(_bench_parse(folder))
        rows.append(_bench_share(folder, big))
        if (row := _bench_image_folder(folder)) is not None:
            rows.append(row)
    print(markdown_table(rows, ["benchmark", "ours", "reference", "reference is", "ratio", "unit"]))
    return rows


if __name__ == "__main__":
    main()
