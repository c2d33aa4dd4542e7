"""Cover images for the demo courses, drawn with Pillow so the demo needs no downloads."""

import io

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images.models import Image


def cover_image(*, title: str, colours: tuple[str, str]) -> Image:
    """The image titled ``title``, drawn once: a diagonal gradient with a few circles."""
    existing = Image.objects.filter(title=title).first()
    if existing is not None:
        return existing
    width, height = 1280, 720
    start, end = (PILImage.new("RGB", (1, 1), colour).getpixel((0, 0)) for colour in colours)
    canvas = PILImage.new("RGB", (width, height))
    draw = ImageDraw.Draw(canvas)
    for x in range(0, width + height, 4):
        t = x / (width + height)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(start, end, strict=True))
        draw.line([(x, 0), (x - height, height)], fill=colour, width=5)
    for cx, cy, r in ((1040, 160, 220), (180, 620, 160), (760, 560, 90)):
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(255, 255, 255), width=12)
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG", optimize=True)
    return Image.objects.create(
        title=title, file=ImageFile(buffer, name=f"{title[:40].replace(' ', '-')}.png")
    )
