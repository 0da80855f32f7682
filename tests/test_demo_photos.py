"""The drawn stand-in photos notebook 06 uses when a learner has none: made like a phone's."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageOps

from workshop import demo_photos, photos


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return demo_photos.make_folder(tmp_path_factory.mktemp("demo") / "photos", per_class=6)


def test_three_classes_of_photos_and_one_duplicate(folder):
    assert sorted(p.name for p in folder.iterdir()) == list(demo_photos.CLASSES)
    photo_set = photos.load_photo_folder(folder)
    assert photo_set.counts() == {name: 6 for name in demo_photos.CLASSES}
    assert photo_set.duplicates == [("dots/dots_01_copy.jpg", "dots/dots_01.jpg")]
    assert photo_set.images.shape == (18, 32, 32, 3)


def test_some_are_stored_sideways_and_one_has_a_transparent_border(folder):
    stored = Image.open(folder / "rings" / "rings_01.jpg")
    assert stored.size == (demo_photos.HEIGHT, demo_photos.WIDTH)  # as the camera wrote it
    assert ImageOps.exif_transpose(stored).size == (demo_photos.WIDTH, demo_photos.HEIGHT)
    png = Image.open(folder / "stripes" / "stripes_00.png")
    assert png.mode == "RGBA" and np.asarray(png)[0, :, 3].max() == 0
    upright = photos.decode_photo((folder / "stripes" / "stripes_00.png").read_bytes(), size=40)
    # A centred 300x300 crop shrunk to 40: its top row is the transparent border, on white.
    assert (upright[0] >= 245).all()


def test_the_same_seed_draws_the_same_photos(tmp_path):
    one = demo_photos.make_folder(tmp_path / "a", per_class=2, seed=3)
    two = demo_photos.make_folder(tmp_path / "b", per_class=2, seed=3)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)


def test_too_few_photos_a_class_is_refused(tmp_path):
    with pytest.raises(ValueError, match="per_class: at least 2 photos a class"):
        demo_photos.make_folder(tmp_path, per_class=1)
