from .models import WorkerHeartbeat


def latest_heartbeat() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.order_by("-last_seen").first()


# --- The campaign portal (issue 10) ---------------------------------------------------------

FEED_SIZE = 30  # articles in a feed, RSS, Atom or JSON


def section_or_404(slug: str):
    """The live, public section a feed or an embed names, or a 404."""
    from django.shortcuts import get_object_or_404

    from .models import SectionPage

    return get_object_or_404(SectionPage.objects.live().public(), slug=slug)


def articles(*, section=None):
    """Live, public articles, newest first, with what lists and feeds show."""
    from .models import ArticlePage

    queryset = ArticlePage.objects.live().public()
    if section is not None:
        queryset = queryset.child_of(section)
    return (
        queryset.select_related("image", "audio")
        .prefetch_related("tags")
        .order_by("-first_published_at", "-pk")
    )


def article_media(article, request) -> list[dict]:
    """Every picture, video, YouTube link and document of an article, and its audio file, as
    absolute URLs with their type: what a grassroots system needs to re-post it."""

    def absolute(url: str) -> str:
        return request.build_absolute_uri(url)

    def picture(role, image, alt, rendition="width-1200", **extra):
        url = absolute(image.get_rendition(rendition).url)
        return {"role": role, "url": url, "mime_type": "image/jpeg", "alt": alt, **extra}

    def video(document, captions, **extra):
        return {
            "role": "video",
            "url": absolute(document.url),
            "mime_type": _mime(document, "video/mp4"),
            "captions": absolute(captions.url) if captions else None,
            **extra,
        }

    media = []
    if article.image_id:
        media.append(picture("image", article.image, article.image_alt, "fill-1200x630"))
    for block in article.body:
        kind, value = block.block_type, block.value
        # A picture or file deleted from the library leaves its block empty: skipped.
        if kind in ("figure", "infographic") and value.get("image") is not None:
            alt = value.get("description") or getattr(value["image"], "contextual_alt_text", "")
            media.append(picture(kind, value["image"], alt or ""))
        elif kind == "video" and value.get("video") is not None:
            media.append(video(value["video"], value.get("captions")))
        elif kind == "youtube":
            media.append({"role": "youtube", "url": value["url"], "mime_type": "text/html"})
        elif kind == "document" and value.get("document") is not None:
            document = value["document"]
            media.append(
                {
                    "role": "document",
                    "url": absolute(document.url),
                    "mime_type": _mime(document, "application/octet-stream"),
                    "title": document.title,
                }
            )
        elif kind == "media" and value is not None:
            credit = {"author": value.author, "licence": value.get_licence_display()}
            if value.video_id:
                media.append(video(value.video, value.captions, **credit))
            elif value.image_id:
                media.append(picture("infographic", value.image, value.alt_text, **credit))
    media += article_audio(article, request)
    return media


def _mime(document, default: str) -> str:
    import mimetypes

    return mimetypes.guess_type(document.filename)[0] or default


def article_audio(article, request) -> list[dict]:
    """The article's loudspeaker audio, if any, as a feed enclosure."""
    if not article.audio_id:
        return []
    return [
        {
            "role": "audio",
            "url": request.build_absolute_uri(article.audio.url),
            "mime_type": _mime(article.audio, "audio/mpeg"),
            "size_in_bytes": article.audio.get_file_size() or 0,
        }
    ]


def headline_coverage() -> dict:
    """The landing page's headline: the province's figure for its first standard, every
    target group, read from the coverage rollup (none until a standard is set up)."""
    from django.core.cache import cache

    def compute():
        from reports.selectors import headline

        figure = headline()
        if figure is None:
            return {}  # cached too (the cache takes None for a miss)
        return {
            "standard": figure["standard"].name,
            "certified": figure["figure"].certified,
            "learners": figure["figure"].members,
            "percent": figure["figure"].percent,
        }

    return cache.get_or_set("cms:headline-coverage", compute, 600)
