"""Form widgets of the lists' filters that are cheap to render on every request."""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

# A value no option has: the list rendered with it has no option selected.
_NOTHING_SELECTED = "\x00"


def _values_of(choices) -> str:
    values = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # a group of options
            values.append(f"{value}:[{_values_of(label)}]")
        else:
            values.append(str(value))
    return "\x1f".join(values)


class RenderedOnceSelect(forms.Select):
    """A <select> over fixed choices (the ~250 countries) rendered once per process for each
    language, name and attributes; each request then only marks its selected option.

    Rendering the country list through the template engine cost ~9 ms per page; substituting
    ``selected`` in the cached text gives byte for byte what ``forms.Select`` renders (tested).
    Choices read from the database name their version (``version``) so that a change shows at
    once."""

    _rendered: dict[tuple, str] = {}
    # Old versions of a list read from the database are dropped past this many renderings.
    MAX_RENDERINGS = 64

    def version(self) -> str | None:
        """What identifies the choices' content: fixed choices never change; None renders
        afresh (a list whose changes cannot be detected)."""
        return ""

    def render(self, name, value, attrs=None, renderer=None):
        version = self.version()
        if version is None:
            return super().render(name, value, attrs, renderer)
        if version == "":
            # Fixed choices: two lists of one name (the queue's and the search's sort orders)
            # are told apart by their values (the labels follow the language, in the key).
            version = _values_of(self.choices)
        final_attrs = {**self.attrs, **(attrs or {})}
        key = (
            type(self).__qualname__,
            version,
            get_language(),
            name,
            tuple(sorted((k, str(v)) for k, v in final_attrs.items())),
            id(renderer),
        )
        html = self._rendered.get(key)
        if html is None:
            html = str(super().render(name, _NOTHING_SELECTED, attrs, renderer))
            if len(self._rendered) >= self.MAX_RENDERINGS:
                self._rendered.clear()
            self._rendered[key] = html
        selected = self.format_value(value)[0] if self.format_value(value) else ""
        option = f'<option value="{conditional_escape(selected)}">'
        return mark_safe(  # noqa: S308 - the text is the widget's own, already escaped output
            html.replace(option, option[:-1] + " selected>", 1)
        )


class OrganisationSelect(RenderedOnceSelect):
    """The applicant organisations (thousands of options), rendered again only when one is
    added, renamed or removed: the organisations' field history (pghistory, PostgreSQL
    triggers) numbers every change, and its newest number is one probe of its primary key."""

    def version(self) -> str | None:
        from django.apps import apps
        from django.db import connection

        if connection.vendor != "postgresql":
            return None  # no history triggers: nothing tells a change
        events = apps.get_model("permits", "ApplicantOrganisationEvent")
        newest = events.objects.order_by("-pgh_id").values_list("pgh_id", flat=True).first()
        return str(newest or 0)


class ListedOnceSelect(RenderedOnceSelect):
    """A short list read from the database on each request (the people of the search filters):
    read once, and rendered again only when its options differ from a rendering already kept
    (the options themselves are the version)."""

    MAX_RENDERINGS = 64

    def version(self) -> str | None:
        options = [(str(value), str(label)) for value, label in self.choices]
        self.choices = options  # rendered from what was read: one query, not two
        return repr(options)
