"""What the H5P content origin serves: the player page, the player's own files and the
extracted packages. Nothing else answers on that host (``cms.middleware`` gives it this
app's ``content_urls`` alone), no cookie is set there, and nothing there reads a session.

Package folders are named by a random UUID per version and never change, so their files are
cached for a year. The page is framed only by the site (CSP ``frame-ancestors``).
"""

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import FileResponse, Http404, HttpResponseNotFound
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from django_sendfile import sendfile

from .h5p.archive import LIBRARY_EXTENSIONS
from .models import H5PPackageVersion
from .services.h5p import content_root

PLAYER_PREFIX = "h5p-standalone/"
FRAME_SCRIPT = "assessments/h5p-frame.js"
TYPES = {
    "js": "text/javascript",
    "json": "application/json",
    "css": "text/css",
    "svg": "image/svg+xml",
    "woff2": "font/woff2",
    "woff": "font/woff",
    "ttf": "font/ttf",
    "vtt": "text/vtt",
}
YEAR = 60 * 60 * 24 * 365


def site_origin() -> str:
    parts = urlsplit(settings.SITE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def _send(request, path: Path, *, max_age: int):
    extension = path.suffix.lower().lstrip(".")
    mimetype = TYPES.get(extension) or mimetypes.guess_type(path.name)[0]
    if getattr(settings, "SENDFILE_BACKEND", None):
        response = sendfile(request, str(path), mimetype=mimetype or "application/octet-stream")
    else:
        response = FileResponse(
            path.open("rb"), content_type=mimetype or "application/octet-stream"
        )
    if extension not in TYPES and not (mimetype or "").startswith(("image/", "audio/", "video/")):
        # Documents inside a package are downloaded, never rendered on this origin.
        response["Content-Disposition"] = "attachment"
    response["Access-Control-Allow-Origin"] = "*"  # fonts and scripts of the nested frame
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@require_safe
@xframe_options_exempt
def player(request, folder):
    version = get_object_or_404(H5PPackageVersion.objects.select_related("activity"), folder=folder)
    response = render(
        request,
        "assessments/h5p_player.html",
        {
            "version": version,
            "player": "/h5p-noi-dung/tinh/" + PLAYER_PREFIX,
            "frame_script": "/h5p-noi-dung/tinh/" + FRAME_SCRIPT,
            "parent_origin": site_origin(),
            "iri": version.activity.iri(),
        },
    )
    patch_cache_control(response, public=True, max_age=300)
    return response


@require_safe
@xframe_options_exempt
def static_file(request, path: str):
    """The player's files (from npm) and our frame script, on the content origin, so the
    nested frame the player builds loads its scripts, styles and fonts from its own host."""
    if not (path.startswith(PLAYER_PREFIX) or path == FRAME_SCRIPT) or ".." in path.split("/"):
        raise Http404
    found = None
    if staticfiles_storage.exists(path) and hasattr(staticfiles_storage, "path"):
        try:
            found = staticfiles_storage.path(path)
        except NotImplementedError:
            found = None
    found = found or finders.find(path)
    if not found or not Path(found).is_file():
        raise Http404
    return _send(request, Path(found), max_age=60 * 60 * 24)


@require_safe
@xframe_options_exempt
def content_file(request, folder, path: str):
    root = (content_root() / str(folder)).resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        raise Http404
    if target.suffix.lower().lstrip(".") not in LIBRARY_EXTENSIONS:
        raise Http404
    return _send(request, target, max_age=YEAR)


def not_found(request, exception=None):
    return HttpResponseNotFound("404", content_type="text/plain; charset=utf-8")
