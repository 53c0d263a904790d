"""The project's URLs plus /bench/hello, the baseline of the server benchmark."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urls


def hello(request: HttpRequest) -> HttpResponse:
    """Hello world through the whole middleware stack: the server's ceiling."""
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("bench/hello", hello), *project_urls]
