"""Applicant organisations, permit applications with their goods and parties, and licences."""

from __future__ import annotations

import contextlib
import secrets
import uuid

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .compliance.models import PartyType
from .money import currency_choices, validate_currency
from .transitions import permission
from .validators import (
    compact_enterprise_number,
    format_enterprise_number,
    validate_cn_code,
    validate_customs_office,
    validate_enterprise_number,
    validate_eori,
    validate_no_bidi_controls,
)


class Language(models.TextChoices):
    FR = "fr", _("French")
    NL = "nl", _("Dutch")
    EN = "en", _("English")


# Field-level history (django-pghistory): every insert and update of the models outside the
# workflow's own history is copied by a PostgreSQL trigger into an event table, with the acting
# user and reason of its context. No trigger exists on SQLite, so nothing is recorded there.
def field_history():
    # New tracker instances per model: pghistory binds each one to the model it tracks.
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        obj_field=pghistory.ObjForeignKey(related_name="field_history"),
    )


@field_history()
class ApplicantOrganisation(models.Model):
    legal_name = models.CharField(_("legal name"), max_length=200)
    enterprise_number = models.CharField(
        _("enterprise number"),
        max_length=14,
        unique=True,
        validators=[validate_enterprise_number],
        help_text=_("Belgian KBO/BCE number, for example 0403.019.261."),
    )
    address = models.TextField(_("address"))
    # The registered office, field by field: eligibility reads these, not the free text.
    registered_street = models.CharField(_("registered office: street"), max_length=200, blank=True)
    registered_postcode = models.CharField(
        _("registered office: postcode"), max_length=10, blank=True
    )
    registered_municipality = models.CharField(
        _("registered office: municipality"), max_length=100, blank=True
    )
    country = CountryField(_("country"), default="BE")
    eori_number = models.CharField(
        _("EORI number"),
        max_length=17,
        blank=True,
        validators=[validate_eori],
        help_text=_(
            "Economic Operators Registration and Identification number, e.g. BE0403019261."
        ),
    )
    language = models.CharField(
        _("correspondence language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    federal_authorisation_reference = models.CharField(
        _("federal prior authorisation"),
        max_length=60,
        blank=True,
        help_text=_(
            "Reference of the federal Justice service's prior authorisation, required to "
            "export or transit arms."
        ),
    )
    federal_authorisation_valid_until = models.DateField(
        _("prior authorisation valid until"), null=True, blank=True
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="OrganisationMembership",
        related_name="applicant_organisations",
        blank=True,
        verbose_name=_("members"),
    )

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("applicant organisation")
        verbose_name_plural = _("applicant organisations")

    def __str__(self) -> str:
        return self.legal_name

    def clean(self) -> None:
        super().clean()
        if self.enterprise_number:
            # Stored as ten digits; an invalid number is reported by the field's validator.
            with contextlib.suppress(ValidationError):
                self.enterprise_number = compact_enterprise_number(self.enterprise_number)

    @property
    def enterprise_number_display(self) -> str:
        return format_enterprise_number(self.enterprise_number)


class Kind(models.TextChoices):
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    TRANSIT = "transit", _("Transit")
    TRANSFER = "transfer", _("Transfer within the EU")


class Regime(models.TextChoices):
    MILITARY = "military", _("Military (EU Common Military List)")
    DUAL_USE = "dual_use", _("Dual-use (Regulation (EU) 2021/821)")
    CIVIL_FIREARMS = "civil_firearms", _("Civilian firearms")
    LAW_ENFORCEMENT = "law_enforcement", _("Law-enforcement material")


class LicenceType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    GLOBAL = "global", _("Global")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    ISSUED = "issued", _("Issued")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Recommendation(models.TextChoices):
    GRANT = "grant", _("Grant")
    REFUSE = "refuse", _("Refuse")


REGIME_CODES = {
    Regime.MILITARY: "ML",
    Regime.DUAL_USE: "DU",
    Regime.CIVIL_FIREARMS: "FA",
    Regime.LAW_ENFORCEMENT: "LE",
}
KIND_CODES = {Kind.IMPORT: "IMP", Kind.EXPORT: "EXP", Kind.TRANSIT: "TRA", Kind.TRANSFER: "TRF"}
WITHDRAWABLE = [
    Status.DRAFT,
    Status.SUBMITTED,
    Status.UNDER_REVIEW,
    Status.INFORMATION_REQUESTED,
]
# Files decided or closed: nothing edits them any more, not even a superuser in the admin.
DECIDED_STATES = frozenset(
    {Status.ISSUED, Status.REFUSED, Status.WITHDRAWN, Status.REVOKED, Status.EXPIRED}
)


class PermitApplication(ConcurrentTransitionMixin, models.Model):
    """A request for a licence. Its status only changes through ``permits.actions``."""

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    reference = models.CharField(
        _("reference number"), max_length=40, unique=True, null=True, blank=True, editable=False
    )
    organisation = models.ForeignKey(
        ApplicantOrganisation,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("applicant organisation"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    regime = models.CharField(_("regime"), max_length=20, choices=Regime.choices)
    licence_type = models.CharField(
        _("licence type requested"),
        max_length=12,
        choices=LicenceType.choices,
        default=LicenceType.INDIVIDUAL,
    )
    country_of_origin = CountryField(_("country of origin"), blank=True)
    country_of_destination = CountryField(_("country of destination"), blank=True)
    transit_countries = CountryField(_("transit countries"), multiple=True, blank=True)
    end_use_statement = models.TextField(_("end-use statement"), blank=True)
    requested_validity_months = models.PositiveSmallIntegerField(
        _("intended validity (months)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # The applicant's declared value of the whole file, always in euro: where a euro figure is
    # needed (reports, thresholds) it wins over a conversion of the goods lines.
    total_value = models.DecimalField(
        _("declared total value (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("In euro, whatever the currency of the goods lines."),
    )
    customs_office_of_export = models.CharField(
        _("customs office of export"),
        max_length=8,
        blank=True,
        validators=[validate_customs_office],
        help_text=_("Customs office reference number, e.g. BE212000 (Zaventem)."),
    )
    contract_reference = models.CharField(_("contract reference"), max_length=100, blank=True)
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    status = FSMField(
        _("status"), default=Status.DRAFT, choices=Status.choices, protected=True, db_index=True
    )
    assigned_case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_applications",
        verbose_name=_("case manager"),
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices, blank=True
    )
    recommendation_reasons = models.TextField(_("reasons for the recommendation"), blank=True)
    refusal_grounds = models.TextField(_("grounds for refusal"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    clock_started_on = models.DateField(
        _("complete since"),
        null=True,
        blank=True,
        help_text=_("The day the file was complete: the decision clock counts from it."),
    )
    decision_due_on = models.DateField(
        _("decision due"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Empty while the clock is paused."),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    temporary_purpose = models.CharField(
        _("temporary movement"),
        max_length=4,
        choices=[
            ("TF", _("Repair or processing in Belgium (TF)")),
            ("TAF", _("Repair or processing abroad (TAF)")),
            ("ITI", _("Fair or exhibition in Belgium (ITI)")),
            ("STU", _("Fair or exhibition abroad (STU)")),
            ("NOKE", _("Hunting or sport abroad (NOKE)")),
        ],
        blank=True,
        help_text=_("Empty for a definitive movement. Temporary goods return within one year."),
    )
    follows = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followed_by",
        verbose_name=_("amends or renews"),
        help_text=_("The earlier application whose licence this one amends or renews."),
    )
    follow_up = models.CharField(
        _("amendment or renewal"),
        max_length=10,
        choices=[("amendment", _("Amendment")), ("renewal", _("Renewal"))],
        blank=True,
    )
    # The case manager's proposal: standard conditions chosen and free-text conditions for this
    # file; copied onto the decision when the head approves it.
    proposed_conditions = models.ManyToManyField(
        "StandardCondition",
        blank=True,
        related_name="+",
        verbose_name=_("proposed standard conditions"),
    )
    conditions_text = models.TextField(
        _("conditions specific to this file"),
        blank=True,
        help_text=_("Printed on the licence, one condition per line."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("permit application")
        verbose_name_plural = _("permit applications")
        # One index per default ordering of a list, led by what the list filters on, so that a
        # first page reads a few index entries instead of sorting the whole table (issue 14).
        indexes = [
            # API list and the model's default ordering (read backwards for "newest first").
            models.Index(fields=["created_at", "id"], name="application_created"),
            # Auditors' search as opened ("updated, newest first").
            models.Index(fields=["updated_at", "id"], name="application_updated"),
            # An organisation's own list, newest first.
            models.Index(
                fields=["organisation", "updated_at", "id"], name="application_org_updated"
            ),
            # The new-files queue (by status, oldest submission first) and the approvals queue.
            models.Index(
                fields=["status", "submitted_at", "id"], name="application_status_submitted"
            ),
            models.Index(fields=["status", "updated_at", "id"], name="application_status_updated"),
            # A case manager's own files and those waiting on the applicant.
            models.Index(
                fields=["assigned_case_manager", "status", "submitted_at", "id"],
                name="application_manager_status",
            ),
            # The search's date filters (Brussels days as ranges, permits/filters.py): at a
            # million files "decided in January" walked the updated index for 1.8 s.
            models.Index(fields=["decided_at", "id"], name="application_decided"),
            models.Index(fields=["submitted_at", "id"], name="application_submitted"),
            # The search by destination, newest first (a rare country is a needle).
            models.Index(
                fields=["country_of_destination", "updated_at", "id"],
                name="application_destination",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or _("Draft %(id)s") % {"id": str(self.public_id)[:8]}

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        # django-fsm's own refresh lifts the status field's protection for the whole process
        # while it reads, then puts it back: another thread refreshing a file at the same time
        # (gthread workers, concurrent actions) then finds it protected again and fails with
        # "Direct status modification is not allowed". Forgetting this instance's status first
        # lets the read set it with the protection kept, thread-safely.
        if fields is not None and "status" not in fields:
            models.Model.refresh_from_db(
                self, using=using, fields=fields, from_queryset=from_queryset
            )
            self._update_initial_state()
            return
        # The status was loaded, so it is read again in the same query as the other fields
        # (without this it would count as deferred once forgotten: one more query later).
        self._status_reloaded = "status" in self.__dict__
        self.__dict__.pop("status", None)
        try:
            models.Model.refresh_from_db(
                self, using=using, fields=fields, from_queryset=from_queryset
            )
        finally:
            self._status_reloaded = False
        self._update_initial_state()

    def get_deferred_fields(self) -> set[str]:
        deferred = super().get_deferred_fields()
        if getattr(self, "_status_reloaded", False):
            deferred.discard("status")
        return deferred

    @property
    def url_key(self) -> str:
        return self.reference or str(self.public_id)

    @property
    def reference_prefix(self) -> str:
        kind = "TMP" if self.temporary_purpose else KIND_CODES[self.kind]
        return f"BXL-{REGIME_CODES[self.regime]}-{kind}"

    # --- State machine. Call these only from permits.actions, which lock, check and log. ---
    # Who may make each transition is the registry's (permits.transitions).

    @transition(
        status, source=Status.DRAFT, target=Status.SUBMITTED, permission=permission("submit")
    )
    def submit(self) -> None:
        pass

    @transition(
        status,
        source=Status.SUBMITTED,
        target=Status.UNDER_REVIEW,
        permission=permission("start_review"),
    )
    def start_review(self) -> None:
        pass

    @transition(
        status,
        source=Status.UNDER_REVIEW,
        target=Status.INFORMATION_REQUESTED,
        permission=permission("request_information"),
    )
    def request_information(self) -> None:
        pass

    @transition(
        status,
        source=Status.INFORMATION_REQUESTED,
        target=Status.UNDER_REVIEW,
        permission=permission("provide_information"),
    )
    def provide_information(self) -> None:
        pass

    @transition(
        status,
        source=Status.UNDER_REVIEW,
        target=Status.PENDING_APPROVAL,
        permission=permission("propose_decision"),
    )
    def propose_decision(self) -> None:
        pass

    @transition(
        status,
        source=Status.PENDING_APPROVAL,
        target=Status.UNDER_REVIEW,
        permission=permission("return_to_review"),
    )
    def return_to_review(self) -> None:
        pass

    @transition(
        status,
        source=Status.PENDING_APPROVAL,
        target=Status.ISSUED,
        permission=permission("approve"),
    )
    def approve(self) -> None:
        pass

    @transition(
        status,
        source=Status.PENDING_APPROVAL,
        target=Status.REFUSED,
        permission=permission("refuse"),
    )
    def refuse(self) -> None:
        pass

    @transition(
        status,
        source=WITHDRAWABLE,
        target=Status.WITHDRAWN,
        permission=permission("withdraw"),
    )
    def withdraw(self) -> None:
        pass

    @transition(
        status, source=Status.ISSUED, target=Status.REVOKED, permission=permission("revoke")
    )
    def revoke(self) -> None:
        pass

    @transition(
        status,
        source=Status.INFORMATION_REQUESTED,
        target=Status.WITHDRAWN,
        permission=permission("lapse"),
    )
    def lapse(self) -> None:
        """The applicant never answered the information request: the file is closed."""

    @transition(
        status, source=Status.ISSUED, target=Status.EXPIRED, permission=permission("expire")
    )
    def expire(self) -> None:
        pass


class Unit(models.TextChoices):
    """Units a quantity is counted in; their labels are translated for the licence."""

    PIECES = "pieces", _("pieces")
    SETS = "sets", _("sets")
    ROUNDS = "rounds", _("rounds")
    KILOGRAMS = "kg", _("kilograms")
    GRAMS = "g", _("grams")
    LITRES = "l", _("litres")
    METRES = "m", _("metres")
    COPIES = "copies", _("copies (software)")


class CatchAllGround(models.TextChoices):
    """Why a licence is needed for an item on no control list (Reg. 2021/821 Art. 4, 5, 9)."""

    WMD = "wmd", _("Intended for weapons of mass destruction or their delivery")
    MILITARY_EMBARGO = (
        "military_embargo",
        _("Intended for a military end use in a country under an arms embargo"),
    )
    CYBER_SURVEILLANCE = (
        "cyber_surveillance",
        _("Cyber-surveillance item for internal repression or human-rights violations"),
    )
    NATIONAL_MEASURE = "national_measure", _("National measure")


class GoodsItem(models.Model):
    application = models.ForeignKey(
        PermitApplication,
        on_delete=models.CASCADE,
        related_name="goods",
        verbose_name=_("application"),
    )
    description = models.CharField(_("description"), max_length=500)
    control_entry = models.CharField(
        _("control-list entry"),
        max_length=40,
        blank=True,
        help_text=_(
            "For example ML10.a or 5A002.a. Leave empty for an item on no list and give the "
            "catch-all ground."
        ),
    )
    # A "not listed" item that still needs a licence says why (no control entry then).
    catch_all_ground = models.CharField(
        _("catch-all ground"), max_length=20, choices=CatchAllGround.choices, blank=True
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, default=Unit.PIECES)
    unit_value = models.DecimalField(
        _("unit value"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="EUR",
        choices=currency_choices,
        validators=[validate_currency],
    )
    commodity_code = models.CharField(
        _("commodity code (CN)"),
        max_length=8,
        blank=True,
        validators=[validate_cn_code],
        help_text=_("The eight digits of the Combined Nomenclature, e.g. 90131000."),
    )
    carried_from = models.ForeignKey(
        "LicenceLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("carried over from"),
        help_text=_("The line of the licence this amendment or renewal continues."),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("goods item")
        verbose_name_plural = _("goods items")

    def __str__(self) -> str:
        return f"{self.control_entry} {self.description}"

    @property
    def line_value(self):
        return self.quantity * self.unit_value


class Party(models.Model):
    class Role(models.TextChoices):
        CONSIGNOR = "consignor", _("Consignor")
        CONSIGNEE = "consignee", _("Consignee")
        END_USER = "end_user", _("End-user")
        INTERMEDIARY = "intermediary", _("Intermediary")
        AGENT = "agent", _("Agent or representative")

    application = models.ForeignKey(
        PermitApplication,
        on_delete=models.CASCADE,
        related_name="parties",
        verbose_name=_("application"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    name = models.CharField(_("name"), max_length=200, validators=[validate_no_bidi_controls])
    address = models.TextField(_("address"))
    country = CountryField(_("country"))
    party_type = models.CharField(
        _("type of party"), max_length=30, choices=PartyType.choices, blank=True
    )

    class Meta:
        ordering = ["role", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


VERIFICATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed


def new_verification_code() -> str:
    """Ten characters of 32: 50 bits, out of reach of guessing through a rate-limited page."""
    return "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(10))


@field_history()
class Licence(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        SUSPENDED = "suspended", _("Suspended")
        EXHAUSTED = "exhausted", _("Exhausted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")
        # Closed by the amendment or renewal issued in its place (``replaced_by``).
        REPLACED = "replaced", _("Replaced")

    number = models.CharField(_("licence number"), max_length=40, unique=True)
    # Printed on the licence and held by its QR code: numbers are sequential, so the public
    # verification page shows a licence's holder and status only to whoever has the code.
    verification_code = models.CharField(
        _("verification code"), max_length=16, blank=True, default=new_verification_code
    )
    application = models.OneToOneField(
        PermitApplication,
        on_delete=models.PROTECT,
        related_name="licence",
        verbose_name=_("application"),
    )
    holder = models.ForeignKey(
        ApplicantOrganisation,
        on_delete=models.PROTECT,
        related_name="licences",
        verbose_name=_("holder"),
    )
    licence_type = models.CharField(_("licence type"), max_length=12, choices=LicenceType.choices)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
        help_text=_("The amendment or renewal issued in place of this licence."),
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")

    def __str__(self) -> str:
        return self.number


@field_history()
class LicenceLine(models.Model):
    """What a licence authorises for one goods item: the quantity and value shipments draw on."""

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="lines")
    goods_item = models.ForeignKey(GoodsItem, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=500)
    control_entry = models.CharField(_("control-list entry"), max_length=40)
    unit = models.CharField(_("unit"), max_length=20)
    authorised_quantity = models.DecimalField(
        _("authorised quantity"), max_digits=14, decimal_places=3
    )
    # In the currency of its goods line (``currency``), never converted.
    authorised_value = models.DecimalField(_("authorised value"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        verbose_name = _("licence line")

    def __str__(self) -> str:
        return f"{self.licence} {self.control_entry} {self.description}"

    @property
    def currency(self) -> str:
        return self.goods_item.currency


class Shipment(models.Model):
    """One use of a licence: reported by its holder (web form or API), or decremented by
    customs when they clear a declaration against it. Both draw on the same balances."""

    class Source(models.TextChoices):
        HOLDER = "holder", _("Licence holder")
        CUSTOMS = "customs", _("Customs")

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="shipments")
    shipped_on = models.DateField(_("shipped on"))
    customs_reference = models.CharField(_("customs declaration"), max_length=60)
    source = models.CharField(
        _("reported by"), max_length=10, choices=Source.choices, default=Source.HOLDER
    )
    customs_office = models.CharField(_("customs office"), max_length=40, blank=True)
    # The holder's own reference (its ERP's) for a usage report through the API: the same
    # reference sent again is the same report, stored once.
    holder_reference = models.CharField(_("holder's reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["shipped_on", "id"]
        verbose_name = _("shipment")
        constraints = [
            # A customs declaration is one shipment of a licence, whatever number of its
            # lines the declaration decrements.
            models.UniqueConstraint(
                fields=["licence", "customs_reference"],
                condition=models.Q(source="customs"),
                name="one_shipment_per_customs_declaration",
            ),
            models.UniqueConstraint(
                fields=["licence", "holder_reference"],
                condition=~models.Q(holder_reference=""),
                name="one_shipment_per_holder_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licence} {self.shipped_on} {self.customs_reference}"


class GoodsReturn(models.Model):
    """Temporarily exported goods coming back, against the shipment line that took them out."""

    shipment_line = models.ForeignKey(
        "ShipmentLine", on_delete=models.PROTECT, related_name="returns"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    returned_on = models.DateField(_("returned on"))
    customs_reference = models.CharField(_("customs declaration"), max_length=60)
    holder_reference = models.CharField(_("holder's reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["returned_on", "id"]
        verbose_name = _("return of goods")

    def __str__(self) -> str:
        return f"{self.shipment_line} returned {self.quantity} on {self.returned_on}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="lines")
    licence_line = models.ForeignKey(LicenceLine, on_delete=models.PROTECT, related_name="shipped")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        verbose_name = _("shipment line")
        constraints = [
            # A shipment (a customs declaration) draws on each licence line once.
            models.UniqueConstraint(
                fields=["shipment", "licence_line"], name="one_shipment_line_per_licence_line"
            )
        ]

    def __str__(self) -> str:
        return f"{self.licence_line}: {self.quantity}"


class CaseNote(models.Model):
    """An internal note on a file: staff only. Never shown to the applicant (page, API,
    e-mail or decision document); written only by ``permits.actions.notes``."""

    application = models.ForeignKey(
        PermitApplication,
        on_delete=models.PROTECT,
        related_name="case_notes",
        verbose_name=_("application"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(
        _("internal note"), help_text=_("Staff only: the applicant never reads this note.")
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("internal case note")
        verbose_name_plural = _("internal case notes")

    def __str__(self) -> str:
        return f"{self.application} {self.created_at:%Y-%m-%d}"


class ReferenceCounter(models.Model):
    """Last reference sequence used in a year. Locked while a number is drawn, so that numbers
    are gap-free: a rolled-back submission rolls its number back with it."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


class LineOutcome(models.TextChoices):
    GRANT = "grant", _("Grant as requested")
    REDUCE = "reduce", _("Grant a reduced quantity or value")
    REFUSE = "refuse", _("Refuse")


class ProposedLine(models.Model):
    """The case manager's proposal for one goods line; replaced by each new proposal. A file
    without proposed lines has every line granted as requested."""

    application = models.ForeignKey(
        PermitApplication, on_delete=models.CASCADE, related_name="proposed_lines"
    )
    goods_item = models.ForeignKey(GoodsItem, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=10, choices=LineOutcome.choices)
    granted_quantity = models.DecimalField(
        _("quantity granted"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    granted_value = models.DecimalField(
        _("value granted"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    criteria = models.JSONField(
        _("criteria relied on"), default=list, blank=True, help_text=_("For a refused line.")
    )

    class Meta:
        ordering = ["goods_item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "goods_item"], name="one_proposal_per_goods_line"
            )
        ]
        verbose_name = _("proposed decision line")

    def __str__(self) -> str:
        return f"{self.goods_item}: {self.get_outcome_display()}"


class StandardCondition(models.Model):
    """A standard condition (proviso) a licence may carry, in the three languages. Versioned:
    a changed wording is a new version, so that issued licences keep the words they were
    given (the decision stores the texts it printed)."""

    code = models.SlugField(_("code"), max_length=30)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    text_fr = models.TextField(_("text (French)"))
    text_nl = models.TextField(_("text (Dutch)"))
    text_en = models.TextField(_("text (English)"))
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active conditions can be proposed.")
    )

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_condition_version")
        ]
        verbose_name = _("standard condition")
        verbose_name_plural = _("standard conditions")

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def text(self, language: str) -> str:
        return getattr(self, f"text_{language}", "") or self.text_en


class Decision(models.Model):
    """The head of unit's decision on a file, written in the approve/refuse transaction.

    Its document (the licence or the refusal letter) is rendered afterwards by a Celery task.
    """

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    application = models.OneToOneField(
        PermitApplication,
        on_delete=models.PROTECT,
        related_name="decision",
        verbose_name=_("application"),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"))
    grounds = models.TextField(_("grounds"), blank=True)
    criteria = models.JSONField(
        _("criteria relied on"), default=list, blank=True, help_text=_('Codes, e.g. ["1", "7"].')
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    authority = models.CharField(
        _("decided by"),
        max_length=15,
        choices=[
            ("head_of_unit", _("Head of the Permits unit")),
            ("government", _("Brussels Government")),
        ],
        default="head_of_unit",
    )
    authority_reference = models.CharField(
        _("reference of the deciding act"), max_length=150, blank=True
    )
    # Set when rendering failed for a reason a retry cannot fix (bad data, a layout error):
    # the task stops, staff are alerted, pages say "document failed" instead of "being
    # prepared". Cleared by the admin's "render again" action once the cause is fixed.
    document_failed_at = models.DateTimeField(_("document failed at"), null=True, blank=True)
    document_failure = models.TextField(_("why the document failed"), blank=True)
    # A grant may refuse or reduce some goods lines: ``outcome`` stays ``granted`` and
    # ``partial`` says so. ``lines`` is what was decided per goods line (outcome, quantities,
    # criteria of refused lines); ``conditions`` the conditions printed, in every language.
    partial = models.BooleanField(_("partial"), default=False)
    lines = models.JSONField(_("decision per goods line"), default=list, blank=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("validity granted (months)"), null=True, blank=True
    )
    validity_reason = models.TextField(_("why the validity was shortened"), blank=True)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.application} — {self.get_outcome_display()}"


class ExchangeRate(models.Model):
    """How many euro one unit of ``currency`` was worth from ``valid_on``: the recorded rate a
    euro value is converted with (reports, thresholds). Kept, never overwritten."""

    currency = models.CharField(
        _("currency"), max_length=3, choices=currency_choices, validators=[validate_currency]
    )
    rate_to_eur = models.DecimalField(
        _("rate to EUR"),
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(0)],
        help_text=_("Euro for one unit of the currency."),
    )
    valid_on = models.DateField(_("valid from"))
    source = models.CharField(
        _("source"), max_length=200, help_text=_("E.g. ECB reference rate of that day.")
    )

    class Meta:
        ordering = ["currency", "-valid_on"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_on"], name="one_rate_per_day")
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate_to_eur} EUR ({self.valid_on})"


# Compliance models live in their own module; importing them here registers them in this app.
from .compliance.models import (  # noqa: E402, F401
    ClockPause,
    Consultation,
    ControlListEntry,
    CriterionAssessment,
    DeadlineNotice,
    DenialNotice,
    Embargo,
    GovernmentDecision,
    MemberState,
    ReferenceList,
    SanctionedParty,
    ScreeningFlag,
    ScreeningRun,
)

# --- Company self-service (issue 16): members and their rights, invitations, the organisation's
# own history, and the parties and products it keeps to reuse in its drafts. ------------------

# The rights a member holds, in the order pages list them.
RIGHTS = ("draft", "submit", "see_decisions", "administrator")


class OrganisationMembership(models.Model):
    """A user's membership of an applicant organisation, with what they may do for it.

    The rows are those of the former plain many-to-many (its table and columns kept), so that
    every member before rights existed kept them all (migration 0018)."""

    organisation = models.ForeignKey(
        ApplicantOrganisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        db_column="applicantorganisation_id",
        verbose_name=_("applicant organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
        verbose_name=_("user"),
    )
    # Members added without saying otherwise (the admin, the test factories) work on drafts,
    # submit them and read the decisions; administering the organisation is always granted.
    draft = models.BooleanField(_("prepares drafts"), default=True)
    submit = models.BooleanField(_("submits applications"), default=True)
    see_decisions = models.BooleanField(_("reads decisions"), default=True)
    administrator = models.BooleanField(_("administers the organisation"), default=False)

    class Meta:
        db_table = "permits_applicantorganisation_members"
        unique_together = [("organisation", "user")]
        ordering = ["organisation", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

    @property
    def rights(self) -> list[str]:
        return [right for right in RIGHTS if getattr(self, right)]


def new_invitation_nonce() -> str:
    return secrets.token_urlsafe(16)


class OrganisationInvitation(models.Model):
    """An invitation by e-mail to join an organisation with the rights it names. Its token is
    signed (``django.core.signing``), expires and serves once: the nonce in it must match the
    row, which is closed when accepted or withdrawn."""

    organisation = models.ForeignKey(
        ApplicantOrganisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("applicant organisation"),
    )
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
    )
    draft = models.BooleanField(_("prepares drafts"), default=True)
    submit = models.BooleanField(_("submits applications"), default=False)
    see_decisions = models.BooleanField(_("reads decisions"), default=False)
    administrator = models.BooleanField(_("administers the organisation"), default=False)
    nonce = models.CharField(max_length=40, default=new_invitation_nonce, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def rights(self) -> list[str]:
        return [right for right in RIGHTS if getattr(self, right)]


class OrganisationEvent(models.Model):
    """The organisation's own history (members invited, joined, rights changed, removed;
    catalogue entries). Written only through ``permits.events``; never changed."""

    organisation = models.ForeignKey(
        ApplicantOrganisation,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("applicant organisation"),
    )
    event = models.CharField(_("event"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    payload = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("organisation event")
        verbose_name_plural = _("organisation events")

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.event} {self.at:%Y-%m-%d}"


class SavedParty(models.Model):
    """A consignee, end-user… the organisation deals with again and again. A draft copies it:
    editing it here later changes no application."""

    organisation = models.ForeignKey(
        ApplicantOrganisation,
        on_delete=models.CASCADE,
        related_name="saved_parties",
        verbose_name=_("applicant organisation"),
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=Party.Role.choices,
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_no_bidi_controls])
    address = models.TextField(_("address"))
    country = CountryField(_("country"))
    party_type = models.CharField(
        _("type of party"), max_length=30, choices=PartyType.choices, blank=True
    )

    class Meta:
        ordering = ["role", "name", "id"]
        verbose_name = _("saved party")
        verbose_name_plural = _("saved parties")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class CatalogueProduct(models.Model):
    """A product of the organisation's catalogue: what a goods line starts from."""

    organisation = models.ForeignKey(
        ApplicantOrganisation,
        on_delete=models.CASCADE,
        related_name="catalogue",
        verbose_name=_("applicant organisation"),
    )
    description = models.CharField(_("description"), max_length=500)
    control_entry = models.CharField(
        _("control-list entry"),
        max_length=40,
        blank=True,
        help_text=_("For example ML10.a or 5A002.a."),
    )
    catch_all_ground = models.CharField(
        _("catch-all ground"),
        max_length=20,
        blank=True,
        choices=CatchAllGround.choices,
    )
    commodity_code = models.CharField(
        _("commodity code (CN)"),
        max_length=8,
        blank=True,
        validators=[validate_cn_code],
        help_text=_("The eight digits of the Combined Nomenclature, e.g. 90131000."),
    )
    regime = models.CharField(
        _("regime"),
        max_length=20,
        choices=Regime.choices,
        help_text=_("The control list its entry belongs to."),
    )

    class Meta:
        ordering = ["description", "id"]
        verbose_name = _("catalogue product")
        verbose_name_plural = _("catalogue products")

    def __str__(self) -> str:
        return f"{self.control_entry} {self.description}".strip()
