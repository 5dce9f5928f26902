"""A person's directory entry as a vCard 3.0 (vobject)."""

from __future__ import annotations

import vobject

from .models import Person


def person_vcard(person: Person, *, url: str = "") -> str:
    card = vobject.vCard()
    card.add("fn").value = person.full_name
    card.add("n").value = vobject.vcard.Name(family=person.family_name, given=person.given_name)
    positions = [p for p in person.positions.all() if p.is_current]
    organisation = positions[0].organisation.name if positions else "Brussels International"
    units = [p.unit.name for p in positions if p.unit is not None]
    card.add("org").value = [organisation, *units[:1]]
    titles = [p.title for p in positions if p.title]
    if titles:
        card.add("title").value = titles[0]
    if person.phone_e164 or person.phone:
        tel = card.add("tel")
        tel.value = person.phone_e164 or person.phone
        tel.type_param = "WORK"
    if person.email:
        email = card.add("email")
        email.value = person.email
        email.type_param = "INTERNET"
    if url:
        card.add("url").value = url
    return card.serialize()
