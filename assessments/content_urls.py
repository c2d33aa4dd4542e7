"""The whole URL map of the H5P content origin (``settings.H5P_CONTENT_ORIGIN``)."""

from django.urls import path

from . import content_views

urlpatterns = [
    path("h5p-noi-dung/choi/<uuid:folder>/", content_views.player, name="h5p_player"),
    path("h5p-noi-dung/tinh/<path:path>", content_views.static_file, name="h5p_static"),
    path("h5p-noi-dung/<uuid:folder>/<path:path>", content_views.content_file, name="h5p_file"),
]

# The site's 404 page needs the site's URLs; this origin answers with plain text.
handler404 = "assessments.content_views.not_found"
