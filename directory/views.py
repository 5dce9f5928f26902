"""Public pages of the directory: read-only, no login."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import selectors
from .vcard import person_vcard


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    context: dict = {"query": query}
    if query:
        context["results"] = selectors.directory_search(query=query)
        context["result_count"] = sum(len(v) for v in context["results"].values())
    else:
        context.update(selectors.directory_overview())
    return render(request, "directory/home.html", context)


@require_safe
def organisation_detail(request: HttpRequest, key: str) -> HttpResponse:
    organisation = selectors.organisation_get(key=key)
    return render(request, "directory/organisation.html", {"organisation": organisation})


@require_safe
def unit_detail(request: HttpRequest, key: str) -> HttpResponse:
    unit = selectors.unit_get(key=key)
    return render(request, "directory/unit.html", {"unit": unit})


@require_safe
def person_detail(request: HttpRequest, key: str) -> HttpResponse:
    person = selectors.person_get(key=key)
    return render(request, "directory/person.html", {"person": person})


@require_safe
def person_vcard_download(request: HttpRequest, key: str) -> HttpResponse:
    person = selectors.person_get(key=key)
    card = person_vcard(person, url=request.build_absolute_uri(person.get_absolute_url()))
    response = HttpResponse(card, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{person.key}.vcf"'
    return response


@require_safe
def partner_detail(request: HttpRequest, key: str) -> HttpResponse:
    partner = selectors.partner_get(key=key)
    return render(request, "directory/partner.html", {"partner": partner})


@require_safe
def network_detail(request: HttpRequest, key: str) -> HttpResponse:
    network = selectors.network_get(key=key)
    return render(request, "directory/network.html", {"network": network})
