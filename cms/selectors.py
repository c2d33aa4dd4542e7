from .models import WorkerHeartbeat


def latest_heartbeat() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.order_by("-last_seen").first()


# --- The campaign portal (issue 10) ---------------------------------------------------------


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
    """Every picture, video and the audio file of an article, as absolute URLs with their
    type: what a grassroots system needs to re-post it."""
    import mimetypes

    def absolute(url: str) -> str:
        return request.build_absolute_uri(url)

    media = []
    if article.image_id:
        media.append(
            {
                "role": "image",
                "url": absolute(article.image.get_rendition("fill-1200x630").url),
                "mime_type": "image/jpeg",
                "alt": article.image_alt,
            }
        )
    for block in article.body:
        value = block.value
        # A picture or video deleted from the library leaves its block empty: skip it.
        if block.block_type in ("figure", "infographic") and value.get("image") is None:
            continue
        if block.block_type == "video" and value.get("video") is None:
            continue
        if block.block_type in ("figure", "infographic"):
            media.append(
                {
                    "role": block.block_type,
                    "url": absolute(value["image"].get_rendition("width-1200").url),
                    "mime_type": "image/jpeg",
                    "alt": value.get("description")
                    or getattr(value["image"], "contextual_alt_text", "")
                    or "",
                }
            )
        elif block.block_type == "video":
            media.append(
                {
                    "role": "video",
                    "url": absolute(value["video"].url),
                    "mime_type": mimetypes.guess_type(value["video"].filename)[0] or "video/mp4",
                    "captions": absolute(value["captions"].url) if value.get("captions") else None,
                }
            )
        elif block.block_type == "youtube":
            media.append({"role": "youtube", "url": value["url"], "mime_type": "text/html"})
        elif block.block_type == "document" and value.get("document") is not None:
            document = value["document"]
            media.append(
                {
                    "role": "document",
                    "url": absolute(document.url),
                    "mime_type": mimetypes.guess_type(document.filename)[0]
                    or "application/octet-stream",
                    "title": document.title,
                }
            )
        elif block.block_type == "media" and value is not None:
            if value.video_id:
                media.append(
                    {
                        "role": "video",
                        "url": absolute(value.video.url),
                        "mime_type": mimetypes.guess_type(value.video.filename)[0] or "video/mp4",
                        "captions": absolute(value.captions.url) if value.captions_id else None,
                        "author": value.author,
                        "licence": value.get_licence_display(),
                    }
                )
            elif value.image_id:
                media.append(
                    {
                        "role": "infographic",
                        "url": absolute(value.image.get_rendition("width-1200").url),
                        "mime_type": "image/jpeg",
                        "alt": value.alt_text,
                        "author": value.author,
                        "licence": value.get_licence_display(),
                    }
                )
    media += article_audio(article, request)
    return media


def article_audio(article, request) -> list[dict]:
    """The article's loudspeaker audio, if any, as a feed enclosure."""
    import mimetypes

    if not article.audio_id:
        return []
    return [
        {
            "role": "audio",
            "url": request.build_absolute_uri(article.audio.url),
            "mime_type": mimetypes.guess_type(article.audio.filename)[0] or "audio/mpeg",
            "size_in_bytes": article.audio.get_file_size() or 0,
        }
    ]


def headline_coverage() -> dict:
    """The headline on the landing page: how many learners hold a valid certificate, out of
    everyone registered to learn (agency and commune coverage is the reports' job)."""
    from django.core.cache import cache

    def compute():
        from django.db.models import Q
        from django.utils import timezone

        from accounts.models import User
        from certificates.models import Certificate

        learners = User.objects.filter(is_active=True, is_staff=False).count()
        valid = Certificate.objects.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )
        certified = valid.values("user").distinct().count()
        percent = round(certified * 100 / learners, 1) if learners else 0
        return {"learners": learners, "certified": certified, "percent": percent}

    return cache.get_or_set("cms:headline-coverage", compute, 600)
