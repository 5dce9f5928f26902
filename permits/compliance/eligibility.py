"""Is the applicant's registered seat in the Brussels-Capital Region? Read from the registered
address's postcode and municipality, which must agree with each other and belong to one of the
Region's nineteen municipalities — not from the first number found anywhere in the text
("Chaussée de Haecht 1200, 7000 Mons" is in Mons)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from anyascii import anyascii

CITY_OF_BRUSSELS = ("bruxelles", "brussel", "brussels", "bruxellesville", "brusselstad")
# Postcode → the names (French, Dutch, English) of the municipality, or of the locality of the
# City of Brussels, that may stand beside it.
BRUSSELS_POSTCODES: dict[str, tuple[str, ...]] = {
    "1000": CITY_OF_BRUSSELS,
    "1020": ("laeken", "laken", *CITY_OF_BRUSSELS),
    "1030": ("schaerbeek", "schaarbeek"),
    "1040": ("etterbeek", *CITY_OF_BRUSSELS),
    "1050": ("ixelles", "elsene", *CITY_OF_BRUSSELS),
    "1060": ("saintgilles", "sintgillis"),
    "1070": ("anderlecht",),
    "1080": ("molenbeeksaintjean", "sintjansmolenbeek", "molenbeek"),
    "1081": ("koekelberg",),
    "1082": ("berchemsainteagathe", "sintagathaberchem"),
    "1083": ("ganshoren",),
    "1090": ("jette",),
    "1120": ("nederoverheembeek", *CITY_OF_BRUSSELS),
    "1130": ("haren", *CITY_OF_BRUSSELS),
    "1140": ("evere",),
    "1150": ("woluwesaintpierre", "sintpieterswoluwe"),
    "1160": ("auderghem", "oudergem"),
    "1170": ("watermaelboitsfort", "watermaalbosvoorde"),
    "1180": ("uccle", "ukkel"),
    "1190": ("forest", "vorst"),
    "1200": ("woluwesaintlambert", "sintlambrechtswoluwe"),
    "1210": ("saintjossetennoode", "sintjoosttennode"),
}
# "postcode municipality" as it ends a Belgian address line: four digits then a name.
POSTCODE_AND_PLACE = re.compile(r"(?<![\d])(\d{4})[ \t]+([^\d,\n;]+?)\s*(?:$|[,\n;])", re.M)


@dataclass(frozen=True)
class Seat:
    postcode: str
    municipality: str


def _place_key(name: str) -> str:
    return re.sub(r"[^a-z]", "", anyascii(name or "").lower())


def registered_seat(organisation) -> Seat | None:
    """The structured registered address when given; else the last "postcode municipality"
    pair of the free-text address (the line that ends an address), never a bare number."""
    postcode = (getattr(organisation, "registered_postcode", "") or "").strip()
    municipality = (getattr(organisation, "registered_municipality", "") or "").strip()
    if postcode or municipality:
        return Seat(postcode, municipality)
    pairs = POSTCODE_AND_PLACE.findall(organisation.address or "")
    return Seat(*pairs[-1]) if pairs else None


def seat_in_brussels_region(organisation) -> bool:
    if organisation.country.code != "BE":
        return False
    seat = registered_seat(organisation)
    if seat is None:
        return False
    return _place_key(seat.municipality) in BRUSSELS_POSTCODES.get(seat.postcode, ())
