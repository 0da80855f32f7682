"""WORKSHOP_DATA=<folder or .zip>: CIFAR-10 from image files, checked, cached, never unpickled.

Every tree here is tiny (3 train + 2 test images per class) and built in tmp_path with Pillow;
the decoded-array cache goes to tmp_path/keras through KERAS_HOME.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from workshop import data, doctor
from workshop.data import CLASS_NAMES, DataUnavailableError, load_cifar10, to_float
from workshop.data._load import stratified_subset

N_TRAIN, N_TEST = 3, 2  # images per class in every tree built here


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("WORKSHOP_DATA", raising=False)
    # Decoding must fail on a truncated file whatever another import set globally.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)


# --- building trees ---------------------------------------------------------------------------


def picture(label: int, split: str, i: int, noisy: bool) -> np.ndarray:
    """A smooth 32x32 picture, different for every (class, split, index); noise if lossless."""
    yy, xx = np.mgrid[0:32, 0:32]
    img = np.stack(
        [
            20 * label + 2 * xx,
            7 * i + 3 * yy + (40 if split == "test" else 0),
            np.full((32, 32), 100 + 10 * i),
        ],
        axis=-1,
    )
    if noisy:
        seed = [label, i, split == "test"]
        img = img + np.random.default_rng(seed).integers(-3, 4, img.shape)
    return img.astype(np.uint8)


def make_tree(root: Path, n_train: int = N_TRAIN, n_test: int = N_TEST) -> dict[str, list]:
    """train/<class>/ and test/<class>/ images; index 0 is a JPEG, the rest PNG.

    Returns ``{split: [(pixels, label, lossless), ...]}`` for every image written.
    """
    expected: dict[str, list] = {"train": [], "test": []}
    for split, n in (("train", n_train), ("test", n_test)):
        for label, cls in enumerate(CLASS_NAMES):
            folder = root / split / cls
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(n):
                lossless = i > 0
                pixels = picture(label, split, i, noisy=lossless)
                if lossless:
                    Image.fromarray(pixels).save(folder / f"img_{i}.png")
                else:
                    suffix = ".jpg" if split == "train" else ".JPEG"
                    Image.fromarray(pixels).save(folder / f"img_{i}{suffix}", quality=95)
                expected[split].append((pixels, label, lossless))
    return expected


def zip_tree(src: Path, dest: Path, prefix: str = "", extra: dict | None = None) -> Path:
    """Zip every file under ``src`` with ``prefix`` before its relative name, plus ``extra``."""
    with zipfile.ZipFile(dest, "w") as zf:
        for path in sorted(src.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + path.relative_to(src).as_posix())
        for name, payload in (extra or {}).items():
            zf.writestr(name, payload)
    return dest


def load(monkeypatch, path: Path, **kwargs):
    monkeypatch.setenv("WORKSHOP_DATA", str(path))
    return load_cifar10(**kwargs)


def assert_same_arrays(a, b) -> None:
    for left, right in zip(a, b):
        for u, v in zip(left, right):
            assert u.dtype == v.dtype and u.shape == v.shape
            np.testing.assert_array_equal(u, v)


def assert_images_match(x: np.ndarray, y: np.ndarray, expected: list) -> None:
    """Each written image is found, under its folder's label: PNG exactly, JPEG closely."""
    assert x.dtype == np.uint8 and x.shape == (len(expected), 32, 32, 3)
    assert y.dtype == np.uint8 and y.shape == (len(expected), 1)
    counts = np.bincount([label for _, label, _ in expected], minlength=10)
    assert np.bincount(y[:, 0], minlength=10).tolist() == counts.tolist()
    used = set()
    for pixels, label, lossless in expected:
        idx = np.flatnonzero(y[:, 0] == label)
        diffs = [np.abs(x[j].astype(int) - pixels.astype(int)).mean() for j in idx]
        best = int(idx[int(np.argmin(diffs))])
        if lossless:
            np.testing.assert_array_equal(x[best], pixels)
        else:
            assert min(diffs) < 3, f"JPEG of class {CLASS_NAMES[label]} is off by {min(diffs)}"
        used.add(best)
    assert len(used) == len(expected)


def cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "keras" / "datasets" / "workshop-images").glob("*.npz"))


# --- loading ----------------------------------------------------------------------------------


def test_folder_gives_keras_arrays_with_folder_labels(tmp_path, monkeypatch):
    expected = make_tree(tmp_path / "src")
    (x, y), (xt, yt) = load(monkeypatch, tmp_path / "src")
    assert_images_match(x, y, expected["train"])
    assert_images_match(xt, yt, expected["test"])
    assert data.data_mode() == "folder" and data.class_names() == CLASS_NAMES


def test_zip_and_wrapped_zip_and_wrapped_folder_equal_the_folder(tmp_path, monkeypatch):
    src = tmp_path / "src"
    expected = make_tree(src)
    plain = zip_tree(src, tmp_path / "plain.zip")
    wrapped = zip_tree(src, tmp_path / "wrapped.zip", prefix="cifar10/")
    dotted = zip_tree(src, tmp_path / "dotted.zip", prefix="./")  # some zip tools write ./names
    shutil.copytree(src, tmp_path / "outer" / "cifar10")

    folder = load(monkeypatch, src)
    assert_images_match(*folder[0], expected["train"])
    for other in (plain, wrapped, dotted, tmp_path / "outer"):
        assert_same_arrays(load(monkeypatch, other), folder)


def test_subsets_are_balanced_seeded_and_drawn_like_the_archive_path(tmp_path, monkeypatch):
    make_tree(tmp_path / "src")
    (x_all, y_all), (xt_all, yt_all) = load(monkeypatch, tmp_path / "src")

    (x, y), (xt, yt) = load(monkeypatch, tmp_path / "src", n_train=20, n_test=10, seed=3)
    assert x.shape == (20, 32, 32, 3) and y.shape == (20, 1) and y.dtype == np.uint8
    assert np.bincount(y[:, 0], minlength=10).tolist() == [2] * 10
    assert np.bincount(yt[:, 0], minlength=10).tolist() == [1] * 10
    again = load(monkeypatch, tmp_path / "src", n_train=20, n_test=10, seed=3)
    assert_same_arrays(again, ((x, y), (xt, yt)))
    # The same draw as for the official archive: stratified_subset on the seed's child streams.
    train_seq, test_seq = np.random.SeedSequence(3).spawn(2)
    want = stratified_subset(x_all, y_all, 20, np.random.default_rng(train_seq))
    want_test = stratified_subset(xt_all, yt_all, 10, np.random.default_rng(test_seq))
    assert_same_arrays(((x, y), (xt, yt)), (want, want_test))
    others = [load(monkeypatch, tmp_path / "src", n_train=20, seed=s)[0][0] for s in (4, 5, 6)]
    assert any(not np.array_equal(o, x) for o in others)

    xf = to_float(x)
    assert xf.dtype == np.float32 and 0.0 <= xf.min() and xf.max() <= 1.0
    np.testing.assert_allclose(xf * 255, x, atol=1e-3)
    with pytest.raises(ValueError, match="only 30 images"):
        load(monkeypatch, tmp_path / "src", n_train=31)


def test_grey_palette_rgba_16bit_and_odd_sizes_become_32x32_rgb(tmp_path, monkeypatch):
    make_tree(tmp_path / "src")
    root = tmp_path / "src" / "train"
    rng = np.random.default_rng(0)
    grey = rng.integers(0, 256, (32, 32), dtype=np.uint8)
    rgb = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    palette = Image.fromarray(rgb).quantize(colors=16)
    rgba = np.dstack([rgb, rng.integers(0, 256, (32, 32), dtype=np.uint8)])
    wide = (rng.integers(0, 65536, (32, 32))).astype(np.uint16)
    halves = np.zeros((48, 64, 3), dtype=np.uint8)  # 64 wide, 48 high: red left, blue right
    halves[:, :32, 0] = 200
    halves[:, 32:, 2] = 200
    specials = {
        "airplane": (Image.fromarray(grey), np.repeat(grey[..., None], 3, axis=2)),
        "automobile": (palette, np.asarray(palette.convert("RGB"))),
        "bird": (Image.fromarray(rgba), rgb),
        "cat": (Image.fromarray(wide), np.repeat((wide >> 8).astype(np.uint8)[..., None], 3, 2)),
        "deer": (Image.fromarray(halves), None),
    }
    for cls, (img, _) in specials.items():
        img.save(root / cls / "special.png")
        assert Image.open(root / cls / "special.png").mode == img.mode

    (x, y), _ = load(monkeypatch, tmp_path / "src")
    assert x.shape == (10 * N_TRAIN + len(specials), 32, 32, 3) and x.dtype == np.uint8
    for cls, (_, want) in specials.items():
        label = CLASS_NAMES.index(cls)
        mine = x[y[:, 0] == label]
        if want is not None:
            assert any(np.array_equal(m, want) for m in mine), cls
    resized = [m for m in x[y[:, 0] == CLASS_NAMES.index("deer")] if m[:, :8, 0].min() > 150]
    assert len(resized) == 1
    (small,) = resized
    assert small[:, :12, 2].max() < 30 and small[:, 20:, 2].min() > 170
    assert small[:, 20:, 0].max() < 30  # not cropped: the right half is still blue


def test_every_load_says_it_is_not_the_official_archive(tmp_path, monkeypatch, capsys):
    make_tree(tmp_path / "src")
    load(monkeypatch, tmp_path / "src")
    load(monkeypatch, tmp_path / "src", n_train=10, n_test=10)
    out = capsys.readouterr().out
    assert out.count("Not the official archive and not hash-verified") == 2
    # The banner ends up in stored notebook outputs: the name, never the folders above it.
    assert out.count("CIFAR-10 images from src (folder of class folders") == 2
    assert str(tmp_path) not in out
    source = data.data_source()
    assert str(tmp_path / "src") in source and "folder" in source
    assert "not the official archive" in source and "not hash-verified" in source
    zipped = zip_tree(tmp_path / "src", tmp_path / "c.zip")
    monkeypatch.setenv("WORKSHOP_DATA", str(zipped))
    assert str(zipped) in data.data_source() and "zip" in data.data_source()


# --- errors that say what to do ---------------------------------------------------------------


def load_error(monkeypatch, path: Path) -> str:
    with pytest.raises(DataUnavailableError) as info:
        load(monkeypatch, path)
    return str(info.value)


def test_missing_path(tmp_path, monkeypatch):
    message = load_error(monkeypatch, tmp_path / "no-such-folder")
    assert str(tmp_path / "no-such-folder") in message and "no such file or folder" in message
    assert "synthetic" in message and "train/<class>/" in message
    with pytest.raises(DataUnavailableError, match="no such file"):
        data.data_source()


def test_missing_class_folder(tmp_path, monkeypatch):
    make_tree(tmp_path / "src")
    shutil.rmtree(tmp_path / "src" / "test" / "cat")
    message = load_error(monkeypatch, tmp_path / "src")
    assert str(tmp_path / "src" / "test") in message and "missing folder 'cat'" in message
    assert "airplane, automobile" in message


@pytest.mark.parametrize(
    ("wrong", "right"), [("aeroplane", "airplane"), ("car", "automobile"), ("Trucks", "truck")]
)
def test_misspelt_class_folder_suggests_the_name(tmp_path, monkeypatch, wrong, right):
    make_tree(tmp_path / "src")
    (tmp_path / "src" / "train" / right).rename(tmp_path / "src" / "train" / wrong)
    message = load_error(monkeypatch, tmp_path / "src")
    assert str(tmp_path / "src" / "train") in message
    assert f"unexpected folder {wrong!r} (did you mean {right!r}?)" in message
    assert f"missing folder {right!r}" in message and "Rename or remove" in message


def test_extra_class_folder(tmp_path, monkeypatch):
    make_tree(tmp_path / "src")
    (tmp_path / "src" / "train" / "unicorn").mkdir()
    Image.new("RGB", (32, 32)).save(tmp_path / "src" / "train" / "unicorn" / "u.png")
    message = load_error(monkeypatch, tmp_path / "src")
    assert "unexpected folder 'unicorn'" in message and "did you mean" not in message
    assert "missing folder" not in message and "Rename or remove" in message


@pytest.mark.parametrize("how", ["empty folder", "empty class folders", "no folder"])
def test_empty_split_names_the_folder(tmp_path, monkeypatch, how):
    make_tree(tmp_path / "src")
    shutil.rmtree(tmp_path / "src" / "test")
    if how == "empty folder":
        (tmp_path / "src" / "test").mkdir()
    elif how == "empty class folders":
        for cls in CLASS_NAMES:
            (tmp_path / "src" / "test" / cls).mkdir(parents=True)
    message = load_error(monkeypatch, tmp_path / "src")
    assert f"{tmp_path / 'src' / 'test'} holds no images" in message
    assert "test/<class>/" in message
    zipped = zip_tree(tmp_path / "src", tmp_path / "c.zip", prefix="cifar10/")
    message = load_error(monkeypatch, zipped)
    assert f"{zipped / 'cifar10' / 'test'} holds no images" in message


def test_no_train_or_test_folder_at_all(tmp_path, monkeypatch):
    (tmp_path / "src" / "a").mkdir(parents=True)
    (tmp_path / "src" / "b").mkdir()
    (tmp_path / "src" / "a" / "x.png").write_bytes(b"")
    (tmp_path / "src" / "b" / "y.png").write_bytes(b"")
    message = load_error(monkeypatch, tmp_path / "src")
    assert str(tmp_path / "src") in message and "no train/ or test/ folder" in message


@pytest.mark.parametrize("name", ["img_0.jpg", "img_1.png"])
def test_truncated_image_is_named(tmp_path, monkeypatch, name):
    make_tree(tmp_path / "src")
    bad = tmp_path / "src" / "train" / "dog" / name
    bad.write_bytes(bad.read_bytes()[: bad.stat().st_size // 2])
    message = load_error(monkeypatch, tmp_path / "src")
    assert f"{bad} cannot be read as an image" in message
    assert "truncated or damaged" in message and "copy it again, or delete it" in message


def test_non_image_file_in_a_class_folder(tmp_path, monkeypatch):
    make_tree(tmp_path / "src")
    notes = tmp_path / "src" / "train" / "frog" / "notes.txt"
    notes.write_text("frogs are green")
    message = load_error(monkeypatch, tmp_path / "src")
    assert f"{notes} is not a PNG or JPEG file" in message and "move it out" in message


def test_file_outside_its_class_folder(tmp_path, monkeypatch):
    make_tree(tmp_path / "src")
    stray = tmp_path / "src" / "train" / "stray.png"
    Image.new("RGB", (32, 32)).save(stray)
    message = load_error(monkeypatch, tmp_path / "src")
    assert str(stray) in message and "wrong place" in message


@pytest.mark.parametrize("member", ["../evil.png", "train/cat/../../../evil.png", "/abs.png"])
def test_zip_member_escaping_its_folder_is_refused(tmp_path, monkeypatch, member):
    make_tree(tmp_path / "src")
    zipped = zip_tree(tmp_path / "src", tmp_path / "c.zip", extra={member: b"x"})
    message = load_error(monkeypatch, zipped)
    assert str(zipped) in message and repr(member) in message and "escape" in message
    assert "Make a new zip" in message
    assert not (tmp_path / "evil.png").exists()


def test_damaged_zip_member_is_named(tmp_path, monkeypatch):
    make_tree(tmp_path / "src")
    zipped = zip_tree(tmp_path / "src", tmp_path / "c.zip")  # stored: bytes at known offsets
    with zipfile.ZipFile(zipped) as zf:
        info = zf.getinfo("train/ship/img_1.png")
    raw = bytearray(zipped.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + info.compress_size // 2] ^= 0xFF
    zipped.write_bytes(bytes(raw))
    message = load_error(monkeypatch, zipped)
    assert str(zipped / "train" / "ship" / "img_1.png") in message
    assert "copy it again" in message.lower()


def test_a_file_that_is_neither_folder_nor_zip(tmp_path, monkeypatch):
    other = tmp_path / "cifar.txt"
    other.write_text("not images")
    message = load_error(monkeypatch, other)
    assert str(other) in message and "not a .zip" in message and "folder or a .zip" in message


# --- junk beside the images -------------------------------------------------------------------


def test_junk_files_are_ignored_in_a_folder_and_in_a_zip(tmp_path, monkeypatch):
    make_tree(tmp_path / "clean")
    clean = load(monkeypatch, tmp_path / "clean")

    messy = tmp_path / "messy"
    shutil.copytree(tmp_path / "clean", messy)
    junk = {
        ".DS_Store": b"\x00\x00\x00\x01Bud1",
        "train/.DS_Store": b"\x00\x00\x00\x01Bud1",
        "train/cat/Thumbs.db": b"\xd0\xcf\x11\xe0",
        "train/cat/._img_1.png": b"\x00\x05\x16\x07 AppleDouble",
        "test/dog/._foo.jpg": b"\x00\x05\x16\x07 AppleDouble",
        "test/dog/desktop.ini": b"[.ShellClassInfo]",
        "train/bird/.ipynb_checkpoints/img_1-checkpoint.png": b"not a png",
        "__MACOSX/train/cat/._img_1.png": b"\x00\x05\x16\x07",
        "__MACOSX/._train": b"\x00\x05\x16\x07",
    }
    for name, payload in junk.items():
        (messy / name).parent.mkdir(parents=True, exist_ok=True)
        (messy / name).write_bytes(payload)
    assert_same_arrays(load(monkeypatch, messy), clean)

    zipped = zip_tree(tmp_path / "clean", tmp_path / "messy.zip", extra=junk)
    assert_same_arrays(load(monkeypatch, zipped), clean)
    wrapped = {f"cifar10/{k}": v for k, v in junk.items() if not k.startswith("__MACOSX")}
    wrapped |= {"__MACOSX/cifar10/train/cat/._img_1.png": b"\x00"}
    zipped = zip_tree(tmp_path / "clean", tmp_path / "w.zip", prefix="cifar10/", extra=wrapped)
    assert_same_arrays(load(monkeypatch, zipped), clean)


# --- the decoded-array cache ------------------------------------------------------------------


def decoded(capsys) -> bool:
    return "Decoding" in capsys.readouterr().out


def test_second_load_reads_the_cache(tmp_path, monkeypatch, capsys):
    make_tree(tmp_path / "src")
    first = load(monkeypatch, tmp_path / "src")
    assert decoded(capsys)
    assert len(cache_files(tmp_path)) == 1
    second = load(monkeypatch, tmp_path / "src")
    assert not decoded(capsys)
    assert_same_arrays(first, second)
    # The zip of the same images has its own cache entry.
    zipped = zip_tree(tmp_path / "src", tmp_path / "c.zip")
    assert_same_arrays(load(monkeypatch, zipped), first)
    assert decoded(capsys)
    assert_same_arrays(load(monkeypatch, zipped), first)
    assert not decoded(capsys)


def test_cache_without_write_is_not_used(tmp_path, monkeypatch, capsys):
    from workshop.data import resolve_source
    from workshop.data._folder import load_image_folder

    make_tree(tmp_path / "src")
    source = resolve_source(str(tmp_path / "src"))
    load_image_folder(source, use_cache=False)
    assert decoded(capsys) and cache_files(tmp_path) == []


def rewrite_same_size(path: Path, pixels: np.ndarray) -> None:
    """New pixels, same byte count (uncompressed PNG), old modification time put back."""
    old = path.stat()
    Image.fromarray(pixels).save(path, format="PNG", compress_level=0)
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))


def test_changed_image_is_decoded_again_never_stale(tmp_path, monkeypatch, capsys):
    make_tree(tmp_path / "src")
    target = tmp_path / "src" / "train" / "horse" / "img_2.png"
    original = picture(CLASS_NAMES.index("horse"), "train", 2, noisy=True)
    Image.fromarray(original).save(target, format="PNG", compress_level=0)
    load(monkeypatch, tmp_path / "src")
    assert decoded(capsys)

    # 1. An ordinary edit: new bytes, new modification time.
    changed = (255 - original).astype(np.uint8)
    Image.fromarray(changed).save(target)
    (x, y), _ = load(monkeypatch, tmp_path / "src")
    assert decoded(capsys)
    assert any(np.array_equal(m, changed) for m in x[y[:, 0] == 7])
    assert not any(np.array_equal(m, original) for m in x)

    # 2. Same size and the old modification time restored (cp -p, rsync -a, unzip do that).
    Image.fromarray(original).save(target, format="PNG", compress_level=0)
    load(monkeypatch, tmp_path / "src")
    capsys.readouterr()
    before = target.stat()
    time.sleep(0.05)  # past the file system's clock tick, so the status-change time moves
    rewrite_same_size(target, changed)
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    if os.name == "nt" or after.st_ctime_ns == before.st_ctime_ns:
        pytest.skip("this file system keeps no separate status-change time")
    (x, y), _ = load(monkeypatch, tmp_path / "src")
    assert decoded(capsys)
    assert any(np.array_equal(m, changed) for m in x[y[:, 0] == 7])
    assert not any(np.array_equal(m, original) for m in x)


def test_added_and_removed_files_are_noticed(tmp_path, monkeypatch, capsys):
    make_tree(tmp_path / "src")
    load(monkeypatch, tmp_path / "src")
    capsys.readouterr()
    extra = tmp_path / "src" / "test" / "frog" / "new.png"
    Image.new("RGB", (32, 32), (1, 2, 3)).save(extra)
    _, (xt, yt) = load(monkeypatch, tmp_path / "src")
    assert decoded(capsys) and len(xt) == 10 * N_TEST + 1
    assert any((m == (1, 2, 3)).all() for m in xt[yt[:, 0] == 6])
    extra.unlink()
    (tmp_path / "src" / "train" / "ship" / "img_1.png").unlink()
    (x, _), (xt, _) = load(monkeypatch, tmp_path / "src")
    assert decoded(capsys) and len(xt) == 10 * N_TEST and len(x) == 10 * N_TRAIN - 1


def test_changed_zip_is_decoded_again(tmp_path, monkeypatch, capsys):
    make_tree(tmp_path / "src")
    zipped = zip_tree(tmp_path / "src", tmp_path / "c.zip")
    load(monkeypatch, zipped)
    assert decoded(capsys)
    Image.new("RGB", (32, 32), (9, 9, 9)).save(tmp_path / "src" / "test" / "cat" / "img_1.png")
    zip_tree(tmp_path / "src", zipped)
    _, (xt, yt) = load(monkeypatch, zipped)
    assert decoded(capsys)
    assert any((m == 9).all() for m in xt[yt[:, 0] == 3])


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong shapes"])
def test_damaged_cache_is_ignored_and_rewritten(tmp_path, monkeypatch, capsys, damage):
    make_tree(tmp_path / "src")
    first = load(monkeypatch, tmp_path / "src")
    (cache,) = cache_files(tmp_path)
    if damage == "garbage":
        cache.write_bytes(b"\x00not a cache" * 10)
    elif damage == "truncated":
        cache.write_bytes(cache.read_bytes()[:1000])
    else:  # the right fingerprint, but arrays no load could have written
        with np.load(cache, allow_pickle=False) as npz:
            fingerprint = npz["fingerprint"]
        np.savez(
            cache,
            fingerprint=fingerprint,
            x_train=np.zeros((3, 8, 8), np.float64),
            y_train=np.zeros(3, np.int64),
            x_test=np.zeros((2, 32, 32, 3), np.uint8),
            y_test=np.zeros((2, 1), np.uint8),
        )
    capsys.readouterr()
    assert_same_arrays(load(monkeypatch, tmp_path / "src"), first)
    assert decoded(capsys)
    with np.load(cache, allow_pickle=False) as npz:
        assert npz["x_train"].shape == (10 * N_TRAIN, 32, 32, 3)
    assert_same_arrays(load(monkeypatch, tmp_path / "src"), first)
    assert not decoded(capsys)


def test_read_only_cache_folder_still_loads(tmp_path, monkeypatch, capsys):
    make_tree(tmp_path / "src")
    folder = tmp_path / "keras" / "datasets" / "workshop-images"
    folder.mkdir(parents=True)
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: chmod does not stop writes")
        first = load(monkeypatch, tmp_path / "src")
        out = capsys.readouterr().out
        assert "Decoding" in out and "could not cache" in out
        assert cache_files(tmp_path) == []
        assert_same_arrays(load(monkeypatch, tmp_path / "src"), first)
    finally:
        folder.chmod(0o755)


def test_unwritable_cache_location_still_loads(tmp_path, monkeypatch, capsys):
    """Works as root too: a plain file where the cache folder should be."""
    expected = make_tree(tmp_path / "src")
    blocker = tmp_path / "keras" / "datasets" / "workshop-images"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("in the way")
    (x, y), _ = load(monkeypatch, tmp_path / "src")
    out = capsys.readouterr().out
    assert "Decoding" in out and "could not cache" in out
    assert_images_match(x, y, expected["train"])
    assert blocker.read_text() == "in the way"


def test_nothing_is_unpickled(tmp_path, monkeypatch, capsys):
    make_tree(tmp_path / "src")
    zipped = zip_tree(tmp_path / "src", tmp_path / "c.zip")

    def refuse(*args, **kwargs):
        raise AssertionError("something was unpickled")

    class Refusing:
        def __init__(self, *args, **kwargs):
            refuse()

    monkeypatch.setattr(pickle, "Unpickler", Refusing)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    # The patch bites: numpy's own unpickling path now fails.
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(AssertionError, match="unpickled"):
        np.load(tmp_path / "obj.npy", allow_pickle=True)

    for source in (tmp_path / "src", zipped):
        first = load(monkeypatch, source)  # decodes and writes the cache
        second = load(monkeypatch, source)  # reads the cache
        assert_same_arrays(first, second)
    assert "Decoding" in capsys.readouterr().out


def test_order_mixes_classes_for_validation_split(tmp_path, monkeypatch):
    make_tree(tmp_path / "src", n_train=10, n_test=N_TEST)
    (_, y), (_, yt) = load(monkeypatch, tmp_path / "src")
    labels = y[:, 0]
    tail = labels[-len(labels) // 10 :]  # what validation_split=0.1 would take
    assert len(np.unique(tail)) > 1
    assert len(np.unique(labels[: len(labels) // 10])) > 1
    assert not (np.diff(labels.astype(int)) >= 0).all()
    assert not (np.diff(yt[:, 0].astype(int)) >= 0).all()


# --- python -m workshop doctor ----------------------------------------------------------------


def test_doctor_reports_the_folder_without_decoding(tmp_path, monkeypatch, capsys):
    make_tree(tmp_path / "src")
    monkeypatch.setenv("WORKSHOP_DATA", str(tmp_path / "src"))
    had_tensorflow = "tensorflow" in sys.modules
    result = doctor.cifar10_line()
    assert result.status == "OK" and result.name == "CIFAR-10"
    assert f"images from {tmp_path / 'src'}" in result.detail
    assert "not the official archive" in result.detail and "not hash-verified" in result.detail
    assert "30 train and 20 test images" in result.detail
    assert "Decoding" not in capsys.readouterr().out and cache_files(tmp_path) == []
    assert ("tensorflow" in sys.modules) == had_tensorflow

    zipped = zip_tree(tmp_path / "src", tmp_path / "c.zip", prefix="cifar10/")
    monkeypatch.setenv("WORKSHOP_DATA", str(zipped))
    result = doctor.cifar10_line()
    assert result.status == "OK" and str(zipped) in result.detail and "zip" in result.detail


def test_doctor_fails_on_a_missing_or_broken_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DATA", str(tmp_path / "gone"))
    result = doctor.cifar10_line()
    assert result.status == "FAIL" and str(tmp_path / "gone") in result.detail
    assert "no such file or folder" in result.detail and "synthetic" in result.detail
    assert "\n" not in result.text()

    make_tree(tmp_path / "src")
    (tmp_path / "src" / "train" / "airplane").rename(tmp_path / "src" / "train" / "aeroplane")
    monkeypatch.setenv("WORKSHOP_DATA", str(tmp_path / "src"))
    result = doctor.cifar10_line()
    assert result.status == "FAIL" and "did you mean 'airplane'" in result.detail


def test_doctor_keeps_synthetic_and_official_behaviour(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DATA", "synthetic")
    result = doctor.cifar10_line()
    assert result.status == "WARN" and "WORKSHOP_DATA=synthetic" in result.detail
    for value in ("cifar10", " CIFAR10 ", ""):
        monkeypatch.setenv("WORKSHOP_DATA", value)
        result = doctor.cifar10_line()  # empty KERAS_HOME: nothing downloaded yet
        assert result.status == "WARN" and "python -m workshop fetch" in result.detail
