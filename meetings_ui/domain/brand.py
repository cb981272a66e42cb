"""A custom domain's brand and robots rules (S14, S15), as pure rules.

Logos are decoded and re-encoded here: the stored image is a fresh PNG drawn from the
decoded pixels, so whatever else the upload carried (metadata, a script appended to make
a polyglot, an SVG's code) never reaches a browser. SVG is refused: it is a document that
can run scripts, not an image to decode.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from meetings_ui.domain.messages import Text

MAX_LOGO_BYTES = 512 * 1024
# The largest image decoded (pixels): a small file that claims huge dimensions (an
# "image bomb") is refused before its pixels are allocated.
MAX_LOGO_PIXELS = 4096 * 4096
# The stored logo fits in this box; pages show it at most 48 px high.
LOGO_BOX = (512, 512)
LOGO_FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP"})
LOGO_CONTENT_TYPE = "image/png"

_HEX_COLOUR = re.compile(r"#[0-9a-f]{6}")
# WCAG 2 AA for normal text: white text on the accent colour must reach this contrast.
MIN_CONTRAST = 4.5


class InvalidBrandError(ValueError):
    """The message says what to change; it is safe to show."""


def clean_accent_color(value: str | None) -> str | None:
    """A "#rrggbb" colour (lower case), or None for the app's own; refused when white
    text on it would be hard to read."""
    if value is None or not value.strip():
        return None
    colour = value.strip().lower()
    if not _HEX_COLOUR.fullmatch(colour):
        raise InvalidBrandError(Text("Choose the accent colour as #rrggbb, for example #1a73e8."))
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST:
        raise InvalidBrandError(
            Text(
                "White text on {colour} is hard to read (contrast {ratio}:1, at least "
                "{needed}:1 needed): choose a darker colour.",
                colour=colour,
                ratio=f"{ratio:.1f}",
                needed=MIN_CONTRAST,
            )
        )
    return colour


def _luminance(colour: str) -> float:
    """WCAG relative luminance of "#rrggbb"."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(colour: str) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


@dataclass(frozen=True)
class Logo:
    data: bytes
    content_type: str
    sha256: str
    width: int
    height: int


def clean_logo(upload: bytes) -> Logo:
    """Decode an uploaded logo and return it re-encoded as PNG within LOGO_BOX."""
    if not upload:
        raise InvalidBrandError(Text("The file is empty: choose a PNG, JPEG, GIF or WebP image."))
    if len(upload) > MAX_LOGO_BYTES:
        raise InvalidBrandError(
            Text(
                "The logo is {size} KB; the limit is {limit} KB.",
                size=len(upload) // 1024,
                limit=MAX_LOGO_BYTES // 1024,
            )
        )
    head = upload[:512].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml", b"<!doctype")) or b"<svg" in head:
        raise InvalidBrandError(
            Text(
                "SVG logos are not accepted (they can carry scripts): upload a PNG, JPEG, GIF "
                "or WebP image."
            )
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(upload))
            if image.format not in LOGO_FORMATS:
                raise InvalidBrandError(
                    Text("Upload a PNG, JPEG, GIF or WebP image; this file is not one.")
                )
            width, height = image.size
            if width * height > MAX_LOGO_PIXELS:
                raise InvalidBrandError(
                    Text(
                        "The image is {width}×{height} pixels; at most {limit} pixels in all "
                        "(for example 4096×4096).",
                        width=width,
                        height=height,
                        limit=MAX_LOGO_PIXELS,
                    )
                )
            image.load()
    except InvalidBrandError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidBrandError(
            Text(
                "The image has too many pixels: at most {limit} in all (for example 4096×4096).",
                limit=MAX_LOGO_PIXELS,
            )
        ) from None
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
    ):
        raise InvalidBrandError(
            Text("This file could not be read as an image: upload a PNG, JPEG, GIF or WebP image.")
        ) from None
    image = image.convert("RGBA")
    image.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    data = out.getvalue()
    return Logo(
        data=data,
        content_type=LOGO_CONTENT_TYPE,
        sha256=hashlib.sha256(data).hexdigest(),
        width=image.width,
        height=image.height,
    )


def robots_txt(
    *, app_domain: bool, block_indexing: bool, booking_prefix: str, host_paths: tuple[str, ...]
) -> str:
    """robots.txt for one host. The app domain keeps its host pages (sign-in, the app)
    out of indexes; a custom domain serves only booking pages and allows them unless its
    admin blocks indexing. Google reads `*` as any characters, so `/meetings*` covers
    the prefix and everything under it."""
    lines = ["User-agent: *"]
    if app_domain:
        lines += [f"Disallow: {path}" for path in host_paths]
    elif block_indexing:
        lines.append(f"Disallow: {booking_prefix}*")
    else:
        lines.append("Allow: /")
    return "\n".join(lines) + "\n"
