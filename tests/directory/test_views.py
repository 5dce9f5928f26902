"""The public pages under /directory/: no login, read-only, bilingual, accessible."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _h1_count(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("directory:home", None),
        ("directory:unit", "permits"),
        ("directory:person", "sophie-willaumez"),
        ("directory:partner", "quebec"),
        ("directory:network", "aer"),
        ("directory:organisation", "wbi"),
    ],
)
def test_each_page_is_public_and_has_one_h1(client, loaded_directory, name, key):
    response = client.get(reverse(name, kwargs={"key": key} if key else None))
    assert response.status_code == 200
    assert _h1_count(response.content.decode()) == 1


def test_the_home_page_lists_the_units_with_their_heads(client, loaded_directory):
    html = client.get(reverse("directory:home")).content.decode()
    assert "Finance and Travel" in html
    assert "Lucia-Madalina Roman" in html


def test_the_search_form_has_a_label(client, loaded_directory):
    html = client.get(reverse("directory:home")).content.decode()
    assert '<label for="directory-q">' in html
    assert 'id="directory-q"' in html


def test_searching_shows_matching_partners_and_people(client, loaded_directory):
    response = client.get(reverse("directory:home"), {"q": "ile de france"})
    html = response.content.decode()
    assert reverse("directory:partner", kwargs={"key": "ile-de-france"}) in html
    assert "Florence Vandernoot" in html


def test_searching_kiev_links_to_the_kyiv_page(client, loaded_directory):
    html = client.get(reverse("directory:home"), {"q": "Kiev"}).content.decode()
    assert reverse("directory:partner", kwargs={"key": "kyiv"}) in html


def test_a_search_without_results_says_so(client, loaded_directory):
    html = client.get(reverse("directory:home"), {"q": "atlantis"}).content.decode()
    assert "Nothing found" in html


def test_the_unit_page_shows_head_mission_and_members(client, loaded_directory):
    html = client.get(reverse("directory:unit", kwargs={"key": "permits"})).content.decode()
    assert "Aldo Alu" in html
    assert "dual-use goods" in html
    for member in ("Guillaume Ligot", "Jef Willems", "Mélanie Behets"):
        assert member in html


def test_the_person_page_links_the_phone_as_tel_and_offers_the_vcard(client, loaded_directory):
    html = client.get(reverse("directory:person", kwargs={"key": "aldo-alu"})).content.decode()
    assert '<a href="tel:+3228003727">02/800 37 27</a>' in html
    assert reverse("directory:person_vcard", kwargs={"key": "aldo-alu"}) in html


def test_the_person_page_shows_current_and_superseded_portfolios_with_sources(
    client, loaded_directory
):
    url = reverse("directory:person", kwargs={"key": "sophie-willaumez"})
    html = client.get(url).content.decode()
    current, earlier = html.split("Earlier or other statements")
    assert "Kinshasa" in current
    assert "FMDV" in current
    assert "Quebec" in earlier
    assert "001_53f4a64cb60c9a57.txt" in earlier


def test_the_vcard_is_a_download_with_name_phone_and_unit(client, loaded_directory):
    response = client.get(reverse("directory:person_vcard", kwargs={"key": "melanie-behets"}))
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert 'filename="melanie-behets.vcf"' in response["Content-Disposition"]
    card = response.content.decode()
    assert card.startswith("BEGIN:VCARD")
    assert "FN:Mélanie Behets" in card
    assert "N:Behets;Mélanie;;;" in card
    assert "TEL;TYPE=WORK:+3228003759" in card
    assert "ORG:Brussels International;Permits" in card


def test_the_partner_page_shows_status_followers_and_every_source(client, loaded_directory):
    html = client.get(reverse("directory:partner", kwargs={"key": "quebec"})).content.decode()
    assert "In force" in html
    followed, earlier = html.split("Followed earlier or according to other pages")
    assert "Florence Vandernoot" in followed
    assert "Sophie Willaumez" in earlier
    for file_name in ("001_53f4a64cb60c9a57.txt", "002_57c9f934996eb29d.txt"):
        assert file_name in html


def test_the_network_page_shows_members_and_who_follows_it(client, loaded_directory):
    html = client.get(reverse("directory:network", kwargs={"key": "ccrn"})).content.decode()
    assert "Brussels-Capital Region" in html
    assert "Geert De Roep" in html


def test_the_wbi_page_lists_its_delegations_abroad(client, loaded_directory):
    html = client.get(reverse("directory:organisation", kwargs={"key": "wbi"})).content.decode()
    assert "Théâtre des Doms" in html
    assert "General Delegation Wallonia-Brussels in Senegal" in html


def test_pages_are_in_french_when_french_is_chosen(client, loaded_directory):
    url = reverse("directory:unit", kwargs={"key": "permits"})
    html = client.get(url, headers={"accept-language": "fr"}).content.decode()
    assert "<h1>Licences</h1>" in html


def test_an_unknown_key_is_a_404(client, loaded_directory):
    response = client.get(reverse("directory:person", kwargs={"key": "nobody"}))
    assert response.status_code == 404


def test_the_pages_refuse_to_change_anything(client, loaded_directory):
    response = client.post(reverse("directory:home"))
    assert response.status_code == 405


def test_no_page_shows_a_user_account(client, loaded_directory, case_manager):
    from directory.models import Person
    from directory.services import person_link_user

    person_link_user(person=Person.objects.get(key="jef-willems"), user=case_manager)
    html = client.get(reverse("directory:person", kwargs={"key": "jef-willems"})).content.decode()
    assert case_manager.username not in html
    assert case_manager.email not in html


def test_the_interface_is_translated_into_french_and_dutch(client, loaded_directory):
    url = reverse("directory:partner", kwargs={"key": "quebec"})
    french = client.get(url, headers={"accept-language": "fr"}).content.decode()
    dutch = client.get(url, headers={"accept-language": "nl"}).content.decode()
    assert "En vigueur" in french
    assert "Ce que disent les sources" in french
    assert "Van kracht" in dutch
