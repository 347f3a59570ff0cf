"""Checking and cleaning an uploaded photo with Pillow, before anything is stored.

The file's type is read from its content, never its name: it must decode as JPEG, PNG or WebP.
It is then drawn afresh from its pixels (turned upright first, as its EXIF orientation says), so no
metadata survives: no GPS position, camera serial or comment. Very large photos are scaled down to
`MAX_STORED_SIDE`, and a thumbnail of at most `THUMBNAIL_SIDE` pixels is made for lists.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext, ngettext
from PIL import Image, ImageOps, UnidentifiedImageError

from kenes.core.errors import DomainError

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_STORED_SIDE = 2560
THUMBNAIL_SIDE = 320
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Phones write "MPO" (a JPEG with a second, preview picture after it): it is a JPEG to us.
FORMAT_ALIASES = {"MPO": "JPEG"}


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    thumbnail: bytes
    extension: str
    thumbnail_extension: str
    width: int
    height: int


def _bad(message: str) -> DomainError:
    return DomainError(message, code="bad_photo")


def _not_an_image() -> DomainError:
    return _bad(gettext("This file is not a JPEG, PNG or WebP photo."))


def _read(upload: IO[bytes]) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        megabytes = MAX_BYTES // (1024 * 1024)
        raise _bad(
            ngettext(
                "The photo is larger than %(megabytes)d megabyte.",
                "The photo is larger than %(megabytes)d megabytes.",
                megabytes,
            )
            % {"megabytes": megabytes}
        )
    if not content:
        raise _not_an_image()
    return content


def _open_checked(content: bytes) -> Image.Image:
    """Opens the image, refusing anything that is not a whole JPEG/PNG/WebP within the pixel limit."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(content))
            image_format = FORMAT_ALIASES.get(probe.format or "", probe.format)
            width, height = probe.size
            if image_format not in ACCEPTED_FORMATS:
                raise _not_an_image()
            if width * height > MAX_PIXELS:
                raise _bad(
                    gettext("The photo has more than %(megapixels)d million pixels.")
                    % {"megapixels": MAX_PIXELS // 1_000_000}
                )
            # Pillow's "load truncated images" switch is process-wide and WeasyPrint turns it on,
            # so a cut-off upload would decode silently: check the file's end ourselves.
            if not _ends_whole(content, image_format):
                raise _not_an_image()
            # verify() checks the file's structure; the image cannot be used after it, so reopen.
            probe.verify()
            image = Image.open(io.BytesIO(content))
            image.load()
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise _not_an_image() from error
    except (Image.DecompressionBombWarning, EOFError) as error:
        raise _not_an_image() from error
    return image


def _ends_whole(content: bytes, image_format: str) -> bool:
    """Whether the file ends where its format says it must (JPEG end-of-image marker, PNG's IEND
    chunk, WebP's RIFF length)."""
    if image_format == "JPEG":
        return content.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9")
    if image_format == "PNG":
        return b"IEND" in content[-32:]
    if image_format == "WEBP":
        return len(content) >= 12 and int.from_bytes(content[4:8], "little") + 8 <= len(content)
    return False


def _without_metadata(image: Image.Image) -> Image.Image:
    """The same pixels in a new image: nothing of the original's info (EXIF, XMP, text) comes along."""
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
    pixels = image.convert(mode)
    fresh = Image.new(mode, pixels.size)
    fresh.paste(pixels)
    return fresh


def _encode(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif image_format == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    small = image.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    if small.mode == "RGBA":
        # JPEG has no transparency: lay the picture on white, as the page background is.
        background = Image.new("RGB", small.size, (255, 255, 255))
        background.paste(small, mask=small.getchannel("A"))
        small = background
    out = io.BytesIO()
    small.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def clean_photo(upload: IO[bytes]) -> CleanPhoto:
    """The upload checked and re-encoded, or DomainError `bad_photo` saying what is wrong."""
    content = _read(upload)
    original = _open_checked(content)
    image_format = FORMAT_ALIASES.get(original.format or "", original.format or "")
    upright = ImageOps.exif_transpose(original)
    image = _without_metadata(upright)
    if max(image.size) > MAX_STORED_SIDE:
        image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE), Image.Resampling.LANCZOS)
    return CleanPhoto(
        content=_encode(image, image_format),
        thumbnail=_thumbnail(image),
        extension=ACCEPTED_FORMATS[image_format],
        thumbnail_extension="jpg",
        width=image.width,
        height=image.height,
    )
