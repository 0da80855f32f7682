"""Phone photos as a model's input: every case a learner's folder holds, made here by the test."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from workshop.photos import (
    PhotoError,
    decode_photo,
    load_photo_folder,
    photos_from_files,
    split_per_class,
    uploaded_files,
)

RED, GREEN, BLUE = (220, 30, 30), (30, 200, 30), (30, 30, 220)


def _encoded(img: Image.Image, fmt: str = "JPEG", **options) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def _upright_portrait() -> Image.Image:
    """20 wide, 40 high: red on top, blue below, as the learner held the phone."""
    img = Image.new("RGB", (20, 40), BLUE)
    img.paste(RED, (0, 0, 20, 20))
    return img


def _mostly(pixels: np.ndarray, colour: tuple[int, int, int]) -> bool:
    return bool(np.all(np.abs(pixels.reshape(-1, 3).mean(0) - colour) < 40))


def test_the_exif_rotation_a_phone_writes_is_applied():
    upright = _upright_portrait()
    # The phone stores the pixels sideways and says "turn 90 degrees clockwise to show".
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    raw = _encoded(stored, exif=exif.tobytes(), quality=95)
    photo = decode_photo(raw, "cat/sideways.jpg", size=32)
    assert photo.shape == (32, 32, 3) and photo.dtype == np.uint8
    assert _mostly(photo[:12], RED) and _mostly(photo[-12:], BLUE)
    # Without the tag the same pixels read sideways: red left, blue right.
    plain = decode_photo(_encoded(stored, quality=95), "cat/plain.jpg", size=32)
    assert _mostly(plain[:, :12], RED) and _mostly(plain[:, -12:], BLUE)


def test_a_wide_photo_is_cropped_to_its_centre_not_squashed():
    wide = Image.new("RGB", (300, 100), RED)
    wide.paste(GREEN, (100, 0, 200, 100))
    wide.paste(BLUE, (200, 0, 300, 100))
    photo = decode_photo(_encoded(wide, "PNG"), "dog/wide.png", size=16)
    assert _mostly(photo, GREEN)


def test_a_50_megapixel_jpeg_is_decoded_at_reduced_size():
    big = Image.new("RGB", (8660, 5774), GREEN)  # 50.0 MP, as a phone's main camera makes
    raw = _encoded(big, quality=50)
    photo = decode_photo(raw, "cat/huge.jpg", size=32)
    assert photo.shape == (32, 32, 3) and _mostly(photo, GREEN)


def test_a_200_megapixel_jpeg_passes_pillows_bomb_guard(monkeypatch):
    # Pillow refuses to open anything over 179 MP; a 200 MP phone JPEG decodes with draft.
    monkeypatch.setattr("workshop.photos._PILLOW_LIMIT", 10_000)
    from PIL import Image as pil

    monkeypatch.setattr(pil, "MAX_IMAGE_PIXELS", 5_000)
    raw = _encoded(Image.new("RGB", (200, 150), GREEN))
    assert _mostly(decode_photo(raw, "cat/200mp.jpg", 16), GREEN)
    assert pil.MAX_IMAGE_PIXELS == 5_000  # put back as it was


def test_an_absurd_size_is_refused_by_name_before_decoding():
    header_only = Image.new("L", (20000, 20000))  # 400 MP, all black: tiny as a PNG
    raw = _encoded(header_only, "PNG", optimize=False)
    with pytest.raises(PhotoError, match="bomb.png: 20000 x 20000 pixels"):
        decode_photo(raw, "cat/bomb.png")


def test_transparency_becomes_white_not_black():
    clear = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    photo = decode_photo(_encoded(clear, "PNG"), "cat/sticker.png", size=8)
    assert _mostly(photo, (255, 255, 255))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "BMP"])
def test_the_common_formats_read_alike(fmt):
    photo = decode_photo(_encoded(Image.new("RGB", (64, 64), BLUE), fmt), f"x/a.{fmt}", 8)
    assert _mostly(photo, BLUE)


def test_a_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (30, 30), RED), Image.new("RGB", (30, 30), BLUE)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    assert _mostly(decode_photo(out.getvalue(), "x/anim.gif", 8), RED)


@pytest.mark.parametrize(
    "name, raw",
    [
        ("cat/IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64),
        ("cat/renamed.jpg", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64),
    ],
)
def test_heic_is_named_with_what_to_do(name, raw):
    with pytest.raises(PhotoError, match="iPhone's photo format.*export the photos as JPEG"):
        decode_photo(raw, name)


def test_a_file_that_is_not_a_photo_is_named():
    with pytest.raises(PhotoError, match="cat/notes.txt cannot be read as an image"):
        decode_photo(b"shopping list", "cat/notes.txt")


def _folder_files() -> list[tuple[str, bytes]]:
    files = [
        (f"cat/{i}.jpg", _encoded(Image.new("RGB", (50, 40), (200, 20 + i, 20)))) for i in range(3)
    ]
    files += [
        (f"dog/{i}.png", _encoded(Image.new("RGB", (40, 50), (20, 20, 200 - i)), "PNG"))
        for i in range(12)
    ]
    files += [
        ("cat/copy-of-0.jpg", files[0][1]),  # the same file twice
        ("cat/readme.txt", b"not a photo"),
        ("dog/IMG_1.HEIC", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64),
        ("__MACOSX/cat/._0.jpg", b"resource fork"),
        ("cat/.DS_Store", b"finder"),
    ]
    return files


def test_a_folder_reports_duplicates_and_files_left_out_and_warns(tmp_path):
    for name, raw in _folder_files():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(raw)
    photos = load_photo_folder(tmp_path, size=16)
    assert photos.class_names == ["cat", "dog"]
    assert photos.counts() == {"cat": 3, "dog": 12}
    assert photos.images.shape == (15, 16, 16, 3)
    assert photos.duplicates == [("cat/copy-of-0.jpg", "cat/0.jpg")]
    assert {name for name, _ in photos.skipped} == {"cat/readme.txt", "dog/IMG_1.HEIC"}
    said = " ".join(photos.warnings())
    assert "fewer than 10 photos in cat (3)" in said
    assert "unbalanced: 12 photos in the biggest class, 3 in the smallest" in said
    assert "duplicate" in said and "left out" in said


def test_a_zip_with_a_wrapper_folder_reads_the_same(tmp_path):
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, raw in _folder_files():
            zf.writestr(f"my photos/{name}", raw)
    photos = load_photo_folder(archive, size=16)
    assert photos.class_names == ["cat", "dog"] and len(photos.labels) == 15


@pytest.mark.parametrize(
    "files, says",
    [
        ([], "no class folders"),
        ([("a.jpg", b"x"), ("b.jpg", b"y")], "no class folders \\(found 2 file"),
        ([("cat/a.jpg", _encoded(Image.new("RGB", (8, 8))))], "only one class, 'cat'"),
        (
            [("cat/a.jpg", _encoded(Image.new("RGB", (8, 8)))), ("dog/a.txt", b"text")],
            "no readable photo in the class folder\\(s\\) dog",
        ),
    ],
)
def test_a_folder_that_cannot_be_learned_from_says_why(files, says):
    with pytest.raises(PhotoError, match=says):
        photos_from_files(files)


def test_a_missing_folder_or_a_plain_file_is_named(tmp_path):
    with pytest.raises(PhotoError, match="does not exist"):
        load_photo_folder(tmp_path / "nowhere")
    (tmp_path / "photo.jpg").write_bytes(b"x")
    with pytest.raises(PhotoError, match="not a .zip"):
        load_photo_folder(tmp_path / "photo.jpg")


def test_the_split_holds_out_the_same_share_of_every_class_with_a_seed():
    labels = np.array([0] * 20 + [1] * 8 + [2] * 2)
    train, test = split_per_class(labels, held_out=0.25, seed=3)
    assert sorted(np.concatenate([train, test])) == list(range(30))
    assert [int(np.sum(labels[test] == c)) for c in range(3)] == [5, 2, 1]
    again = split_per_class(labels, held_out=0.25, seed=3)
    assert np.array_equal(again[1], test)
    assert not np.array_equal(split_per_class(labels, 0.25, seed=4)[1], test)
    with pytest.raises(ValueError, match="class 1 has 1 photo"):
        split_per_class(np.array([0, 0, 1]))


def test_an_upload_reads_alike_from_ipywidgets_7_8_and_colab():
    content = b"jpeg bytes"
    v8 = ({"name": "cat.jpg", "type": "image/jpeg", "size": 10, "content": memoryview(content)},)
    v7 = {"cat.jpg": {"metadata": {"name": "cat.jpg"}, "content": content}}
    colab = {"cat.jpg": content}
    assert (
        uploaded_files(v8) == uploaded_files(v7) == uploaded_files(colab) == [("cat.jpg", content)]
    )
    with pytest.raises(TypeError, match="value: expected an upload"):
        uploaded_files("cat.jpg")
