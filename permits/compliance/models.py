"""Reference lists and screening results. Imported by ``permits.models`` (app label ``permits``)."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

# Denial notices lapse after three years unless renewed (Common Position 2008/944/CFSP, art. 4).
DENIAL_LIFETIME = relativedelta(years=3)


class PartyType(models.TextChoices):
    """What kind of body a party is: an embargo's scope depends on it (some cover only
    non-state actors, some exempt the government's forces)."""

    GOVERNMENT = "government", _("Government or armed forces of the state")
    PUBLIC_BODY = "public_body", _("Other public body")
    PRIVATE_COMPANY = "private_company", _("Private company")
    INDIVIDUAL = "individual", _("Individual")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    NON_STATE_ARMED_GROUP = "non_state_armed_group", _("Non-state armed group")


class ReferenceList(models.Model):
    """One loaded version of a reference list, with the date it was published."""

    class Kind(models.TextChoices):
        CONTROL_LIST = "control_list", _("Control list")
        EMBARGOES = "embargoes", _("Embargoes")
        DENIALS = "denials", _("Denial notices")
        EU_MEMBER_STATES = "eu_member_states", _("EU member states")
        SANCTIONS_EU = "sanctions_eu", _("EU financial sanctions list")
        SANCTIONS_UN = "sanctions_un", _("UN Security Council consolidated list")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    version = models.CharField(_("version"), max_length=40)
    published_on = models.DateField(_("published on"))
    source = models.TextField(_("source"))
    sha256 = models.CharField(_("SHA-256 of the data file"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    is_current = models.BooleanField(_("current"), default=False)
    # When this version must be reviewed: past it, staff are warned the list may be stale.
    review_on = models.DateField(_("review date"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "-published_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="unique_reference_version"),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(is_current=True), name="one_current_list"
            ),
        ]
        verbose_name = _("reference list")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"


class ControlListEntry(models.Model):
    class Regime(models.TextChoices):
        MILITARY = "military", _("EU Common Military List")
        DUAL_USE = "dual_use", _("Dual-use Annex I")
        NATIONAL = "national", _("National category")
        # Annex IV of Reg. 2021/821: the dual-use items whose transfer inside the EU needs a
        # licence. Its entries are Annex I codes.
        ANNEX_IV = "annex_iv", _("Dual-use Annex IV (intra-EU transfers)")

    reference_list = models.ForeignKey(
        ReferenceList, on_delete=models.PROTECT, related_name="entries"
    )
    regime = models.CharField(_("list"), max_length=10, choices=Regime.choices)
    code = models.CharField(_("code"), max_length=40)
    # The entry one level up in the same list version ("ML8.a" for "ML8.a.1"); none at the top.
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent entry"),
    )
    title = models.CharField(_("title"), max_length=300)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    title_nl = models.CharField(_("title (Dutch)"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    # False where the version holds only some of the entry's sub-items: a deeper code not in
    # the version is then accepted as "sub-item not verified" rather than refused.
    subitems_complete = models.BooleanField(_("all sub-items listed"), default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference_list", "regime", "code"], name="unique_entry_per_list_regime"
            )
        ]
        verbose_name = _("control-list entry")
        verbose_name_plural = _("control-list entries")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class MemberState(models.Model):
    """One member state of the European Union in a version of the member-state list: decides
    which operations are transfers (inside the Union) and which are exports."""

    reference_list = models.ForeignKey(
        ReferenceList, on_delete=models.PROTECT, related_name="member_states"
    )
    country = CountryField(_("country"))

    class Meta:
        ordering = ["country"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference_list", "country"], name="unique_member_state_per_list"
            )
        ]
        verbose_name = _("EU member state")
        verbose_name_plural = _("EU member states")

    def __str__(self) -> str:
        return self.country.name


class Embargo(models.Model):
    class Scope(models.TextChoices):
        FULL = "full", _("Full arms embargo")
        GOVERNMENT_EXEMPT = "government_exempt", _("Arms embargo, government forces exempt")
        NON_STATE_ACTORS = "non_state_actors", _("Non-state actors only")

    reference_list = models.ForeignKey(
        ReferenceList, on_delete=models.PROTECT, related_name="embargoes"
    )
    country = CountryField(_("target country"), db_index=True)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    legal_act = models.CharField(_("legal act"), max_length=300)
    starts_on = models.DateField(_("in force from"))
    ends_on = models.DateField(_("in force until"), null=True, blank=True)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["country", "starts_on"]
        verbose_name = _("embargo")

    def __str__(self) -> str:
        return f"{self.country.name}: {self.get_scope_display()}"

    def in_force_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class SanctionedParty(models.Model):
    """A person or entity on a sanctions list (EU consolidated financial sanctions list, UN
    Security Council consolidated list), with every name it is listed under."""

    class SubjectType(models.TextChoices):
        PERSON = "person", _("Person")
        ENTITY = "entity", _("Entity")

    reference_list = models.ForeignKey(
        ReferenceList, on_delete=models.PROTECT, related_name="sanctioned"
    )
    reference = models.CharField(_("list reference"), max_length=60)
    subject_type = models.CharField(_("subject"), max_length=10, choices=SubjectType.choices)
    name = models.CharField(_("name"), max_length=300)
    aliases = models.JSONField(_("other names"), default=list)
    programme = models.CharField(_("sanctions programme"), max_length=100, blank=True)
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    # [key, compact] of each name (see compliance.names), so screening compares like with like.
    name_keys = models.JSONField(default=list)

    class Meta:
        ordering = ["reference"]
        verbose_name = _("sanctioned person or entity")
        verbose_name_plural = _("sanctioned persons and entities")

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"


class DenialNotice(models.Model):
    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("In force")
        LAPSED = "lapsed", _("Lapsed after three years")
        REVOKED = "revoked", _("Revoked")

    reference_list = models.ForeignKey(
        ReferenceList, on_delete=models.PROTECT, related_name="denials"
    )
    number = models.CharField(_("notice number"), max_length=60)
    notifying_state = CountryField(_("notifying state"))
    notified_on = models.DateField(_("notified on"))
    renewed_on = models.DateField(_("renewed on"), null=True, blank=True)
    destination = CountryField(_("destination"), db_index=True)
    consignee_name = models.CharField(_("consignee"), max_length=300, blank=True)
    consignee_address = models.TextField(_("consignee's address"), blank=True)
    end_user_name = models.CharField(_("end-user"), max_length=300, blank=True)
    end_user_address = models.TextField(_("end-user's address"), blank=True)
    control_entries = models.JSONField(_("control-list entries"), default=list)
    description = models.TextField(_("description"), blank=True)
    criteria = models.JSONField(_("criteria"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # Normalised names (see compliance.names) so the screening compares like with like.
    consignee_key = models.CharField(max_length=300, blank=True, db_index=True)
    end_user_key = models.CharField(max_length=300, blank=True, db_index=True)
    # The same names with no separator at all: an invisible character slipped inside a word.
    consignee_compact = models.CharField(max_length=300, blank=True)
    end_user_compact = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-notified_on"]
        indexes = [models.Index(fields=["destination", "status", "notified_on"])]
        verbose_name = _("denial notice")

    def __str__(self) -> str:
        return self.number

    @property
    def lapses_on(self) -> date:
        return (self.renewed_on or self.notified_on) + DENIAL_LIFETIME

    def in_force_on(self, day: date) -> bool:
        return self.status == self.Status.IN_FORCE and self.notified_on <= day < self.lapses_on


class ScreeningRun(models.Model):
    class Occasion(models.TextChoices):
        SUBMISSION = "submission", _("At submission")
        PRE_DECISION = "pre_decision", _("Before the decision")
        MANUAL = "manual", _("On request")

    application = models.ForeignKey(
        "permits.PermitApplication", on_delete=models.PROTECT, related_name="screenings"
    )
    occasion = models.CharField(_("occasion"), max_length=15, choices=Occasion.choices)
    screened_on = models.DateField(_("screening date"))
    ran_at = models.DateTimeField(_("ran at"), auto_now_add=True)
    versions = models.JSONField(_("reference versions checked"), default=dict)

    class Meta:
        ordering = ["-ran_at", "-id"]
        verbose_name = _("screening run")

    def __str__(self) -> str:
        return f"{self.application} {self.get_occasion_display()} {self.screened_on}"


class ScreeningFlag(models.Model):
    class Kind(models.TextChoices):
        EMBARGO = "embargo", _("Embargo")
        DENIAL = "denial", _("Denial notice")
        SANCTIONS = "sanctions", _("Sanctions list")
        ELIGIBILITY = "eligibility", _("Eligibility")
        CONTROL_LIST = "control_list", _("Control list")

    class Severity(models.TextChoices):
        BLOCKING = "blocking", _("Blocking")
        WARNING = "warning", _("Warning")

    run = models.ForeignKey(ScreeningRun, on_delete=models.PROTECT, related_name="flags")
    application = models.ForeignKey(
        "permits.PermitApplication", on_delete=models.PROTECT, related_name="screening_flags"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    # Identifies the same finding across runs, so a cleared flag stays cleared.
    key = models.CharField(max_length=200)
    explanation = models.TextField(_("explanation"))
    details = models.JSONField(_("details"), default=dict)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    clearance_justification = models.TextField(_("justification"), blank=True)

    class Meta:
        ordering = ["-severity", "id"]
        verbose_name = _("screening flag")

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.explanation}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


class Consultation(models.Model):
    """A question put to another authority before deciding; an open one blocks a grant."""

    class Counterpart(models.TextChoices):
        MEMBER_STATE = "member_state", _("Another EU Member State")
        BELGIAN_REGION = "belgian_region", _("Another Belgian region")
        FEDERAL = "federal", _("Federal services")
        EXPERT_COMMITTEE = "expert_committee", _("The Region's expert committee")

    application = models.ForeignKey(
        "permits.PermitApplication", on_delete=models.PROTECT, related_name="consultations"
    )
    counterpart = models.CharField(_("consulted"), max_length=20, choices=Counterpart.choices)
    counterpart_country = CountryField(_("country consulted"), blank=True)
    subject = models.TextField(_("subject"))
    denial_notice = models.ForeignKey(
        DenialNotice, on_delete=models.PROTECT, null=True, blank=True, related_name="consultations"
    )
    requested_on = models.DateField(_("requested on"))
    due_on = models.DateField(_("answer due on"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)

    class Meta:
        ordering = ["requested_on", "id"]
        verbose_name = _("consultation")

    def __str__(self) -> str:
        return f"{self.get_counterpart_display()}: {self.subject[:60]}"

    @property
    def is_open(self) -> bool:
        return self.answered_on is None


class ClockPause(models.Model):
    """A period during which the decision clock stands still, visible on the file."""

    class Reason(models.TextChoices):
        INFORMATION_REQUESTED = "information_requested", _("Waiting for the applicant")
        CONSULTATION = "consultation", _("Consultation open")

    application = models.ForeignKey(
        "permits.PermitApplication", on_delete=models.PROTECT, related_name="clock_pauses"
    )
    reason = models.CharField(_("reason"), max_length=25, choices=Reason.choices)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, null=True, blank=True, related_name="pauses"
    )
    started_on = models.DateField(_("paused from"))
    ended_on = models.DateField(_("resumed on"), null=True, blank=True)

    class Meta:
        ordering = ["started_on", "id"]
        verbose_name = _("clock pause")

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.started_on} – {self.ended_on or '…'}"


class DeadlineNotice(models.Model):
    """A reminder or escalation already sent, so the daily sweep sends each one once."""

    application = models.ForeignKey(
        "permits.PermitApplication", on_delete=models.PROTECT, related_name="deadline_notices"
    )
    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=60)
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "key"], name="one_notice_per_occasion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.kind} {self.key}"


class CriterionAssessment(models.Model):
    """One line of a file's criteria worksheet."""

    class Assessment(models.TextChoices):
        NOT_ENGAGED = "not_engaged", _("Not engaged")
        WEIGHED = "weighed", _("Weighed, not decisive")
        REFUSAL_GROUND = "refusal_ground", _("Ground for refusal")

    application = models.ForeignKey(
        "permits.PermitApplication", on_delete=models.PROTECT, related_name="criteria_worksheet"
    )
    framework = models.CharField(_("framework"), max_length=10)
    code = models.CharField(_("criterion"), max_length=5)
    assessment = models.CharField(_("assessment"), max_length=15, choices=Assessment.choices)
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed at"), auto_now=True)

    class Meta:
        ordering = ["framework", "code"]
        constraints = [
            models.UniqueConstraint(fields=["application", "code"], name="one_line_per_criterion")
        ]
        verbose_name = _("criterion assessment")

    def __str__(self) -> str:
        return f"{self.code}: {self.get_assessment_display()}"


class GovernmentDecision(models.Model):
    """Where the Brussels Government decides (e.g. military exports), its decision on a file,
    recorded by an authorised user before the licence or refusal is issued."""

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    application = models.OneToOneField(
        "permits.PermitApplication", on_delete=models.PROTECT, related_name="government_decision"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    decided_on = models.DateField(_("decided on"))
    reference = models.CharField(_("reference of the Government's decision"), max_length=100)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Government decision")

    def __str__(self) -> str:
        return f"{self.reference} ({self.decided_on}): {self.get_outcome_display()}"
