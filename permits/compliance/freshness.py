"""Is the reference data still fresh? Each list version knows when it must be reviewed; an
embargo past its recorded end (or review date) while no newer embargo list was loaded may
mean the list is stale — the flag would silently stop. Staff see these warnings on the case
page and the dashboard, and the heads of unit get them by e-mail each day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_countries import countries

from .models import Embargo, ReferenceList


@dataclass(frozen=True)
class StaleWarning:
    key: str  # identifies the warning, e.g. for the e-mail of the day
    kind: str  # "list_review", "embargo_ended" or "embargo_review"
    list_kind: str
    version: str
    day: date
    country: str = ""

    @property
    def text(self) -> str:
        day = date_format(self.day, "j F Y")
        if self.kind == "list_review":
            return _(
                "%(list)s %(version)s was due for review on %(day)s: load a newer version."
            ) % {
                "list": ReferenceList.Kind(self.list_kind).label,
                "version": self.version,
                "day": day,
            }
        country = countries.name(self.country) or self.country
        if self.kind == "embargo_ended":
            return _(
                "The embargo on %(country)s ended on %(day)s in list %(version)s, and no newer "
                "list was loaded since: check whether it was extended."
            ) % {"country": country, "day": day, "version": self.version}
        return _("The embargo on %(country)s was due for review on %(day)s (list %(version)s).") % {
            "country": country,
            "day": day,
            "version": self.version,
        }


def stale_reference_warnings(*, today: date) -> list[StaleWarning]:
    warnings: list[StaleWarning] = []
    # The lists in use, read once (a handful of rows: one per kind) for both checks below.
    current = list(ReferenceList.objects.filter(is_current=True).order_by("kind", "pk"))
    for reference in current:
        if reference.review_on is None or reference.review_on >= today:
            continue
        warnings.append(
            StaleWarning(
                key=f"list:{reference.kind}:{reference.version}",
                kind="list_review",
                list_kind=reference.kind,
                version=reference.version,
                day=reference.review_on,
            )
        )
    embargoes = min(
        (r for r in current if r.kind == ReferenceList.Kind.EMBARGOES),
        key=lambda r: r.pk,
        default=None,
    )
    if embargoes is not None:
        # Only while the list in use was published before the date passed: a newer list that
        # still shows the old end date is the authority's own word.
        for embargo in Embargo.objects.filter(reference_list=embargoes).filter(
            Q(ends_on__lt=today, ends_on__gte=embargoes.published_on)
            | Q(review_on__lt=today, review_on__gte=embargoes.published_on)
        ):
            ended = embargo.ends_on is not None and embargo.ends_on < today
            warnings.append(
                StaleWarning(
                    key=f"embargo:{embargo.country.code}:{embargoes.version}",
                    kind="embargo_ended" if ended else "embargo_review",
                    list_kind=embargoes.kind,
                    version=embargoes.version,
                    day=embargo.ends_on if ended else embargo.review_on,
                    country=embargo.country.code,
                )
            )
    return warnings
