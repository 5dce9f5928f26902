from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from config.health import remembered, site_health, site_liveness


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the failure may lie in them.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def healthz(request: HttpRequest) -> HttpResponse:
    """Readiness, for the load balancer and the operators: each component's status (database,
    cache, broker, workers, storage); 200 when all answer, 503 when one is down."""
    health = remembered("ready", site_health)
    response = JsonResponse(health, status=503 if health["status"] == "down" else 200)
    response["Cache-Control"] = "no-store"
    return response


def healthz_live(request: HttpRequest) -> HttpResponse:
    """Liveness, for the container healthcheck: 200 while the database answers, with what is
    degraded (cache, broker) said in the body; 503 without the database."""
    health = remembered("live", site_liveness)
    response = JsonResponse(health, status=503 if health["status"] == "down" else 200)
    response["Cache-Control"] = "no-store"
    return response
