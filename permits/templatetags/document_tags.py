"""Template helpers for the documents section of an application page."""

from __future__ import annotations

from django import template

from .. import document_selectors, rules

register = template.Library()


@register.filter
def can_upload_documents(application, user) -> bool:
    """``{% if application|can_upload_documents:user %}``"""
    return rules.can_upload_document(application, user)


@register.simple_tag
def application_documents(application, user):
    """``{% application_documents application user as documents %}``: those ``user`` reads.
    Without a user (a template rendered outside a request) only what the applicant reads."""
    reader = user if hasattr(user, "is_authenticated") else None
    return document_selectors.documents_for(user=reader, application=application)
