"""The directory of Brussels International: who works where, who follows which partner.

Every row that the data file describes has a ``key`` (its natural key in
``directory/data/directory.yaml``) and is written only by ``directory.services``. Facts that
pages may contradict (a position, a portfolio, the state of a partnership, a network
membership) are one row per page saying it: each has a ``source`` and an ``is_current`` flag,
so that two pages that disagree are both kept and the one believed current is marked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from workflow.roles import Role


class LocalisedMixin:
    """``localised("name")`` reads ``name_<language>``, falling back to English, then French."""

    def localised(self, field: str) -> str:
        language = (get_language() or "en")[:2]
        for code in (language, "en", "fr", "nl"):
            value = getattr(self, f"{field}_{code}", "")
            if value:
                return value
        return ""

    @property
    def name(self) -> str:
        return self.localised("name")


class Source(models.Model):
    """A page the directory's facts come from."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    file_name = models.CharField(_("file name"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("address"), blank=True)
    language = models.CharField(_("language"), max_length=2)
    date = models.DateField(_("date"))
    date_stated = models.BooleanField(
        _("date stated by the page"),
        default=False,
        help_text=_("False when the page states no date and the date is that of extraction."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return f"{self.title} ({self.file_name}, {self.date:%Y-%m-%d})"


class Organisation(LocalisedMixin, models.Model):
    class Kind(models.TextChoices):
        REGION = "region", _("Federated entity")
        ADMINISTRATION = "administration", _("Administration")
        AGENCY = "agency", _("Agency")
        DIPLOMATIC = "diplomatic", _("Diplomatic representation")

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200, blank=True)
    acronym = models.CharField(_("acronym"), max_length=20, blank=True)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_home = models.BooleanField(
        _("this administration"), default=False, help_text=_("Brussels International itself.")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_e164 = models.CharField(_("phone (international)"), max_length=20, blank=True)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="+", verbose_name=_("source")
    )
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-is_home", "name_en"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:organisation", kwargs={"key": self.key})

    @property
    def description(self) -> str:
        return self.localised("description")


class Unit(LocalisedMixin, models.Model):
    key = models.SlugField(_("key"), max_length=60, unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="units", verbose_name=_("organisation")
    )
    number = models.PositiveSmallIntegerField(_("number"), default=0)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200, blank=True)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    mission_en = models.TextField(_("mission (English)"), blank=True)
    mission_fr = models.TextField(_("mission (French)"), blank=True)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="+", verbose_name=_("source")
    )
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["organisation__key", "number", "name_en"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:unit", kwargs={"key": self.key})

    @property
    def mission(self) -> str:
        return self.localised("mission")


class Person(models.Model):
    key = models.SlugField(_("key"), max_length=60, unique=True)
    full_name = models.CharField(_("name"), max_length=120)
    given_name = models.CharField(_("given name"), max_length=80, blank=True)
    family_name = models.CharField(_("family name"), max_length=80)
    aliases = models.JSONField(_("other spellings"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_e164 = models.CharField(_("phone (international)"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="directory/people/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directory_person",
        verbose_name=_("user account"),
        help_text=_("Set only through directory.services.person_link_user."),
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="+", verbose_name=_("source")
    )
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["family_name", "given_name", "key"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("directory:person", kwargs={"key": self.key})

    @property
    def name(self) -> str:
        return self.full_name


class Partner(LocalisedMixin, models.Model):
    """A city, region or country in a relationship with the Brussels-Capital Region.

    ``relationship`` and ``status`` repeat those of the statement marked current (see
    ``PartnerStatement``); the loader keeps them in step.
    """

    class Place(models.TextChoices):
        CITY = "city", _("City")
        REGION = "region", _("Region")
        COUNTRY = "country", _("Country")

    class Relationship(models.TextChoices):
        BILATERAL_AGREEMENT = "bilateral_agreement", _("Bilateral agreement")
        MEMORANDUM = "memorandum", _("Memorandum of understanding")
        DEVELOPMENT_COOPERATION = "development_cooperation", _("Development cooperation agreement")

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("In force")
        SUSPENDED = "suspended", _("Suspended")
        HISTORICAL = "historical", _("Historical")

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200, blank=True)
    name_native = models.CharField(_("native name"), max_length=200, blank=True)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    place = models.CharField(_("kind of place"), max_length=10, choices=Place.choices)
    country = CountryField(_("country"))
    relationship = models.CharField(
        _("relationship"), max_length=30, choices=Relationship.choices, blank=True
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:partner", kwargs={"key": self.key})


class Network(LocalisedMixin, models.Model):
    class Kind(models.TextChoices):
        CITY_NETWORK = "city_network", _("Network of cities")
        REGIONAL_NETWORK = "regional_network", _("Network of regions")
        INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
        EU_BODY = "eu_body", _("EU body")
        EU_PROGRAMME = "eu_programme", _("EU programme")

    key = models.SlugField(_("key"), max_length=60, unique=True)
    acronym = models.CharField(_("acronym"), max_length=20, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200, blank=True)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="+", verbose_name=_("source")
    )
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:network", kwargs={"key": self.key})


class Representation(LocalisedMixin, models.Model):
    """An office abroad of a partner organisation (WBI's general delegations, centres)."""

    class Kind(models.TextChoices):
        GENERAL_DELEGATION = "general_delegation", _("General delegation")
        CULTURAL_CENTRE = "cultural_centre", _("Cultural centre")
        THEATRE = "theatre", _("Theatre")

    key = models.SlugField(_("key"), max_length=60, unique=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="representations",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"))
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="+", verbose_name=_("source")
    )

    class Meta:
        ordering = ["organisation__key", "kind", "name_en"]
        verbose_name = _("representation abroad")
        verbose_name_plural = _("representations abroad")

    def __str__(self) -> str:
        return self.name


class SourcedFact(models.Model):
    """What one page says; ``is_current`` marks the statement believed to hold today."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="+", verbose_name=_("source")
    )
    is_current = models.BooleanField(_("current"), default=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True


class WorkflowRole(models.TextChoices):
    CASE_MANAGER = Role.CASE_MANAGER.value, _("Case manager")
    HEAD_OF_UNIT = Role.HEAD_OF_UNIT.value, _("Head of unit")


class Position(LocalisedMixin, SourcedFact):
    """A person's role in a unit (or in the organisation itself, for the direction)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="positions", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="positions",
        verbose_name=_("unit"),
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200, blank=True)
    is_head = models.BooleanField(_("head"), default=False)
    workflow_role = models.CharField(
        _("permit workflow role"),
        max_length=20,
        choices=WorkflowRole.choices,
        blank=True,
        help_text=_("Only for positions in the Permits unit; see services.workflow_roles_sync."),
    )

    class Meta:
        ordering = ["-is_head", "person__family_name", "person__given_name", "key"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return f"{self.person} — {self.title or self.unit or self.organisation}"

    @property
    def title(self) -> str:
        return self.localised("title")


class Portfolio(LocalisedMixin, SourcedFact):
    """Which person follows which partner, network or topic, according to one page."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="portfolios", verbose_name=_("person")
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portfolios",
        verbose_name=_("partner"),
    )
    network = models.ForeignKey(
        Network,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portfolios",
        verbose_name=_("network"),
    )
    topic_en = models.CharField(_("topic (English)"), max_length=200, blank=True)
    topic_fr = models.CharField(_("topic (French)"), max_length=200, blank=True)
    topic_nl = models.CharField(_("topic (Dutch)"), max_length=200, blank=True)
    as_written = models.CharField(_("as written on the page"), max_length=200, blank=True)

    class Meta:
        ordering = ["-is_current", "person__family_name", "key"]
        verbose_name = _("portfolio")
        verbose_name_plural = _("portfolios")
        constraints = [
            models.CheckConstraint(
                name="directory_portfolio_one_subject",
                condition=(
                    Q(partner__isnull=False, network__isnull=True, topic_en="")
                    | Q(partner__isnull=True, network__isnull=False, topic_en="")
                    | (Q(partner__isnull=True, network__isnull=True) & ~Q(topic_en=""))
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.subject}"

    @property
    def topic(self) -> str:
        return self.localised("topic")

    @property
    def subject(self) -> object:
        return self.partner or self.network or self.topic


class PartnerStatement(SourcedFact):
    """What one page says about the relationship with a partner and its state."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="statements", verbose_name=_("partner")
    )
    relationship = models.CharField(
        _("relationship"),
        max_length=30,
        choices=Partner.Relationship.choices,
        blank=True,
        help_text=_("Blank when the page does not say."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Partner.Status.choices)
    as_written = models.CharField(_("as written on the page"), max_length=200, blank=True)

    class Meta:
        ordering = ["-is_current", "source__key"]
        verbose_name = _("partner statement")
        verbose_name_plural = _("partner statements")

    def __str__(self) -> str:
        return f"{self.partner}: {self.get_status_display()} ({self.source.key})"


class NetworkMembership(SourcedFact):
    class Relation(models.TextChoices):
        MEMBER = "member", _("Member")
        REPRESENTED = "represented", _("Represented as a federated entity")
        ACTIVE = "active", _("Takes part in its work")
        SUPPORTS = "supports", _("Supports its programme")
        COORDINATES = "coordinates", _("Coordinates participation")

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("network")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)

    class Meta:
        ordering = ["network__name_en", "organisation__name_en"]
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")

    def __str__(self) -> str:
        return f"{self.organisation} — {self.network}"


class DirectoryLoad(models.Model):
    """One run of ``load_directory`` that changed something."""

    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=300)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    created = models.PositiveIntegerField(_("rows created"), default=0)
    updated = models.PositiveIntegerField(_("rows updated"), default=0)
    deleted = models.PositiveIntegerField(_("rows deleted"), default=0)

    class Meta:
        ordering = ["-loaded_at", "-id"]
        verbose_name = _("directory load")
        verbose_name_plural = _("directory loads")

    def __str__(self) -> str:
        return f"{self.file_name} {self.loaded_at:%Y-%m-%d %H:%M}"


class DirectoryChange(models.Model):
    """One row created, updated or deleted by a load, with the values before and after."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        DELETED = "deleted", _("Deleted")

    load = models.ForeignKey(
        DirectoryLoad, on_delete=models.CASCADE, related_name="changes", verbose_name=_("load")
    )
    model = models.CharField(_("kind of row"), max_length=40)
    key = models.CharField(_("key"), max_length=200)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    changes = models.JSONField(_("changes"), default=dict, help_text=_("field: [before, after]"))

    class Meta:
        ordering = ["load", "id"]
        verbose_name = _("directory change")
        verbose_name_plural = _("directory changes")

    def __str__(self) -> str:
        return f"{self.action} {self.model} {self.key}"


class RoleGrant(models.Model):
    """A workflow group membership that the directory sync gave, so that it alone may take it
    back. Memberships given by hand have no open grant and are never removed by the sync."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="directory_role_grants",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=WorkflowRole.choices)
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    position_key = models.CharField(_("position"), max_length=200, blank=True)
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("role granted by the directory")
        verbose_name_plural = _("roles granted by the directory")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(revoked_at__isnull=True),
                name="directory_one_open_grant_per_user_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role}"
