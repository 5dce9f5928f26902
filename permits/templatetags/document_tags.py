"""Template helpers for the documents section of an application page."""

from __future__ import annotations

from django import template

from documents import selectors

from .. import rules

register = template.Library()


@register.filter
def can_upload_documents(application, user) -> bool:
    """``{% if application|can_upload_documents:user %}``"""
    return rules.can_upload_document(application, user)


@register.simple_tag
def application_documents(application):
    """``{% application_documents application as documents %}``: all of its documents."""
    return selectors.document_list(application_id=application.pk)
