"""The site's addresses, and ``/san/``: a bare Django view returning a short response."""

from django.http import HttpResponse
from django.urls import path

from cms.urls import urlpatterns as site


def floor(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("san/", floor), *site]
