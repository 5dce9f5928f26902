"""``{% case_manager_contact user %}``: the directory's contact card of a file's case manager."""

from __future__ import annotations

from django import template

from directory.selectors import case_manager_contact as contact_of

register = template.Library()


@register.inclusion_tag("directory/_case_manager_contact.html")
def case_manager_contact(user) -> dict:
    """Name, phone (``tel:`` link) and e-mail of the person linked to ``user`` in the
    directory; the account's full name when it is linked to nobody; a dash without a user."""
    contact = contact_of(user=user)
    fallback = user.get_full_name() if contact is None and hasattr(user, "get_full_name") else ""
    return {"contact": contact, "fallback": fallback}
