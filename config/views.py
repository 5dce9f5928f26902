from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from config.health import site_health


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the failure may lie in them.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def healthz(request: HttpRequest) -> HttpResponse:
    """For the container healthcheck and the operators: 200 while the database answers, with
    what is degraded (cache, broker) said in the body; 503 without the database."""
    health = site_health()
    return JsonResponse(health, status=503 if health["status"] == "down" else 200)
