"""The country list of the filters is rendered once per process and language: the same bytes as
Django's own <select>, whatever is selected, and in the reader's language."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from permits.filters import AuditFilter, QueueFilter
from permits.models import ApplicantOrganisation, PermitApplication
from permits.widgets import RenderedOnceSelect
from tests.conftest import requires_postgresql

pytestmark = pytest.mark.django_db  # the search form reads its people and organisations


def field(filterset_class, data):
    return filterset_class(data, queryset=PermitApplication.objects.none()).form["destination"]


def as_django_renders(bound) -> str:
    widget = forms.Select(choices=bound.field.choices)
    return str(bound.as_widget(widget=widget))


@pytest.mark.parametrize("filterset_class", [QueueFilter, AuditFilter])
@pytest.mark.parametrize("language", ["fr", "nl", "en"])
@pytest.mark.parametrize("value", [None, "", "NO", "CI", "ZZ", '"><script>'])
def test_the_cached_list_is_what_django_renders(filterset_class, language, value):
    data = {} if value is None else {"destination": value}
    with translation.override(language):
        cached = str(field(filterset_class, data))
        twice = str(field(filterset_class, data))
        expected = as_django_renders(field(filterset_class, data))

    assert cached == twice == expected
    assert isinstance(field(filterset_class, data).field.widget, RenderedOnceSelect)


def test_each_language_has_its_own_list():
    rendered = {}
    for language in ("fr", "nl", "en"):
        with translation.override(language):
            rendered[language] = str(field(AuditFilter, {"destination": "DE"}))

    assert "Allemagne" in rendered["fr"] and "Duitsland" in rendered["nl"]
    assert "Germany" in rendered["en"]
    assert len(set(rendered.values())) == 3
    assert all('<option value="DE" selected>' in html for html in rendered.values())


def test_only_the_chosen_country_is_selected():
    with translation.override("en"):
        html = str(field(AuditFilter, {"destination": "NO"}))

    assert html.count(" selected>") == 1 and '<option value="NO" selected>' in html


@requires_postgresql
def test_the_organisation_list_shows_a_renamed_organisation_at_once(organisation):
    def rendered():
        form = AuditFilter({}, queryset=PermitApplication.objects.none()).form
        return str(form["organisation"])

    before = rendered()
    ApplicantOrganisation.objects.filter(pk=organisation.pk).update(legal_name="Renamed SA")
    organisation.refresh_from_db()
    after = rendered()
    expected = str(
        AuditFilter({}, queryset=PermitApplication.objects.none())
        .form["organisation"]
        .as_widget(
            widget=forms.Select(choices=AuditFilter.base_filters["organisation"].field.choices)
        )
    )

    assert "Renamed SA" not in before and "Renamed SA" in after
    assert after == rendered() == expected


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_consultation_form_country_list_is_what_django_renders(language):
    from permits.forms import ConsultationForm

    with translation.override(language):
        bound = ConsultationForm({"counterpart_country": "DE"}, prefix="consultation")[
            "counterpart_country"
        ]
        expected = str(bound.as_widget(widget=forms.Select(choices=bound.field.choices)))

        assert str(bound) == str(bound) == expected


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
@pytest.mark.parametrize("with_time", [True, False])
def test_dates_of_the_lists_read_as_djangos_date_filter_writes_them(language, with_time):
    from datetime import UTC, datetime, timedelta

    from django.template.defaultfilters import date as date_filter
    from django.utils import timezone

    from permits.templatetags.permit_tags import when

    moments = [datetime(2026, 3, 28, 23, 5, tzinfo=UTC) + timedelta(hours=h) for h in range(30)]
    moments += [datetime(2026, month, 1, 7, 9, tzinfo=UTC) for month in range(1, 13)]
    with translation.override(language):
        for moment in moments:
            local = timezone.localtime(moment)
            shown = date_filter(local, "j F Y, H:i" if with_time else "j F Y")
            expected = f'<time datetime="{local.isoformat()}">{shown}</time>'

            assert when(moment, with_time) == expected
