"""Photos: the type is read from the content, limits hold, metadata is stripped, the picture stays
upright, and a thumbnail of at most 320 px is made."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry
from kenes.proposals import photos, services
from kenes.proposals.models import Photo, Status
from kenes.proposals.tests.factories import ProposalFactory, resident_of

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def proposal():
    return ProposalFactory.create()


def image_bytes(image_format: str, size=(800, 600), color=(200, 30, 30), **save_options) -> bytes:
    mode = "RGBA" if image_format == "PNG" and save_options.pop("alpha", False) else "RGB"
    image = Image.new(mode, size, (*color, 128) if mode == "RGBA" else color)
    out = io.BytesIO()
    image.save(out, image_format, **save_options)
    return out.getvalue()


def jpeg_with_gps_and_orientation(orientation: int = 1, size=(800, 600)) -> bytes:
    image = Image.new("RGB", size, (10, 120, 40))
    # A marker in the top-left corner, to see which way the picture ends up.
    image.paste((255, 255, 255), (0, 0, 100, 50))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker <script>"
    exif[0x0110] = "Model X"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 22.0, 30.0), 3: "E", 4: (51.0, 21.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def name_of(field) -> str:
    assert field.name is not None
    return field.name


def pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def upload(content: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_a_jpeg_with_gps_data_is_stored_without_any_exif(proposal):
    original = jpeg_with_gps_and_orientation()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test file has a position

    photo = services.add_photo(actor=proposal.author, proposal=proposal, upload=upload(original))

    with default_storage.open(name_of(photo.image)) as stored:
        image = Image.open(stored)
        image.load()
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert not image.getexif().get_ifd(GPS_IFD)
    assert "exif" not in image.info
    assert photo.width == 800
    assert photo.height == 600
    assert photo.size_bytes == default_storage.size(name_of(photo.image))
    assert AuditEntry.objects.filter(action="proposal.photo_added").count() == 1


def test_the_photo_is_turned_upright_as_its_exif_said(proposal):
    # Orientation 6: the camera was turned; viewers rotate 90° clockwise to show it upright.
    photo = services.add_photo(
        actor=proposal.author, proposal=proposal, upload=upload(jpeg_with_gps_and_orientation(orientation=6))
    )
    assert (photo.width, photo.height) == (600, 800)
    with default_storage.open(name_of(photo.image)) as stored:
        image = Image.open(stored).convert("RGB")
        # The white marker, top-left before, is now top-right.
        assert min(pixel(image, (600 - 10, 10))) > 200
        assert max(pixel(image, (10, 10))) < 150


def test_the_thumbnail_is_at_most_320_pixels(proposal):
    photo = services.add_photo(
        actor=proposal.author, proposal=proposal, upload=upload(image_bytes("JPEG", size=(3000, 1000)))
    )
    with default_storage.open(name_of(photo.thumbnail)) as stored:
        thumbnail = Image.open(stored)
        assert thumbnail.format == "JPEG"
        assert max(thumbnail.size) == 320
        assert thumbnail.size == (320, 107)


def test_a_very_large_photo_is_scaled_down_for_storage():
    clean = photos.clean_photo(io.BytesIO(image_bytes("JPEG", size=(6000, 3000))))
    assert (clean.width, clean.height) == (2560, 1280)


@pytest.mark.parametrize(("image_format", "extension"), [("PNG", "png"), ("WEBP", "webp"), ("JPEG", "jpg")])
def test_png_webp_and_jpeg_are_accepted_whatever_the_file_is_called(proposal, image_format, extension):
    photo = services.add_photo(
        actor=proposal.author, proposal=proposal, upload=upload(image_bytes(image_format), name="x.gif")
    )
    assert name_of(photo.image).endswith(f".{extension}")
    with default_storage.open(name_of(photo.image)) as stored:
        assert Image.open(stored).format == image_format


def test_png_text_chunks_are_dropped_and_transparency_kept():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 51.2 51.3 <script>")
    content = image_bytes("PNG", alpha=True, pnginfo=info)
    assert "Comment" in Image.open(io.BytesIO(content)).info

    clean = photos.clean_photo(io.BytesIO(content))

    stored = Image.open(io.BytesIO(clean.content))
    assert "Comment" not in stored.info
    assert stored.mode == "RGBA"


@pytest.mark.parametrize(
    "content",
    [
        b"GIF89a" + b"\x00" * 100,
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"%PDF-1.4 not a photo",
        b"",
    ],
)
def test_what_is_not_a_photo_is_refused_whatever_its_name(proposal, content):
    with pytest.raises(DomainError) as refusal:
        services.add_photo(actor=proposal.author, proposal=proposal, upload=upload(content, name="photo.jpg"))
    assert refusal.value.code == "bad_photo"
    assert not Photo.objects.exists()


def test_a_gif_is_refused_even_though_it_is_an_image(proposal):
    with pytest.raises(DomainError) as refusal:
        services.add_photo(actor=proposal.author, proposal=proposal, upload=upload(image_bytes("GIF")))
    assert refusal.value.code == "bad_photo"


def test_a_truncated_jpeg_is_refused(proposal):
    content = image_bytes("JPEG")
    with pytest.raises(DomainError) as refusal:
        services.add_photo(actor=proposal.author, proposal=proposal, upload=upload(content[: len(content) // 2]))
    assert refusal.value.code == "bad_photo"


def test_a_file_over_eight_megabytes_is_refused(proposal, monkeypatch):
    monkeypatch.setattr(photos, "MAX_BYTES", 1000)
    with pytest.raises(DomainError) as refusal:
        services.add_photo(actor=proposal.author, proposal=proposal, upload=upload(image_bytes("PNG")))
    assert refusal.value.code == "bad_photo"


def test_a_photo_over_forty_megapixels_is_refused(proposal, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 800 * 600 - 1)
    with pytest.raises(DomainError) as refusal:
        services.add_photo(actor=proposal.author, proposal=proposal, upload=upload(image_bytes("JPEG")))
    assert refusal.value.code == "bad_photo"


def test_a_proposal_holds_at_most_six_photos(proposal):
    for _ in range(6):
        services.add_photo(actor=proposal.author, proposal=proposal, upload=upload(image_bytes("JPEG", size=(40, 30))))
    with pytest.raises(DomainError) as refusal:
        services.add_photo(actor=proposal.author, proposal=proposal, upload=upload(image_bytes("JPEG", size=(40, 30))))
    assert refusal.value.code == "too_many_photos"


def test_only_the_author_adds_photos_and_only_to_a_draft(proposal):
    with pytest.raises(DomainError) as refusal:
        services.add_photo(actor=resident_of(proposal.okrug), proposal=proposal, upload=upload(image_bytes("JPEG")))
    assert refusal.value.code == "forbidden"
    submitted = ProposalFactory.create(status=Status.SUBMITTED)
    with pytest.raises(DomainError):
        services.add_photo(actor=submitted.author, proposal=submitted, upload=upload(image_bytes("JPEG")))


def test_removing_a_photo_deletes_its_files_after_commit(proposal, django_capture_on_commit_callbacks):
    photo = services.add_photo(actor=proposal.author, proposal=proposal, upload=upload(image_bytes("JPEG")))
    names = [name_of(photo.image), name_of(photo.thumbnail)]
    assert all(default_storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        services.remove_photo(actor=proposal.author, photo=photo)

    assert not Photo.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_a_truncated_jpeg_is_refused_even_after_a_pdf_was_made(proposal, monkeypatch):
    # WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES on import.
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    content = image_bytes("JPEG")
    with pytest.raises(DomainError) as refusal:
        services.add_photo(actor=proposal.author, proposal=proposal, upload=upload(content[: len(content) // 2]))
    assert refusal.value.code == "bad_photo"


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_a_truncated_png_or_webp_is_refused(proposal, monkeypatch, image_format):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    content = image_bytes(image_format)
    with pytest.raises(DomainError) as refusal:
        services.add_photo(actor=proposal.author, proposal=proposal, upload=upload(content[: len(content) - 40]))
    assert refusal.value.code == "bad_photo"
