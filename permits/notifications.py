"""E-mails to an applicant organisation's members, in the organisation's language, and to the
unit's staff. They are written to the outbox in the caller's transaction and delivered after
commit, one row per recipient (see ``outbox.services``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outbox.models import OutboxMessage
from outbox.services import outbox_email_enqueue, outbox_messages_fresh

from . import rules
from .models import (
    ApplicantOrganisation,
    Decision,
    OrganisationInvitation,
    PermitApplication,
    ShipmentLine,
)

MESSAGES = {
    "submitted": {
        "en": (
            "Application {reference} received",
            "Brussels International has received your application {reference}. "
            "Quote this reference in any correspondence.",
        ),
        "fr": (
            "Demande {reference} reçue",
            "Brussels International a bien reçu votre demande {reference}. "
            "Mentionnez cette référence dans toute correspondance.",
        ),
        "nl": (
            "Aanvraag {reference} ontvangen",
            "Brussels International heeft uw aanvraag {reference} ontvangen. "
            "Vermeld deze referentie in alle briefwisseling.",
        ),
    },
    "information_requested": {
        "en": (
            "Information requested on application {reference}",
            "The Permits unit needs more information on application {reference}. "
            "Log in to read the request and answer it: {url}\n\n"
            "Answer by {due} at the latest: without an answer by then, the application is "
            "closed automatically and you would have to file a new one.",
        ),
        "fr": (
            "Informations demandées pour la demande {reference}",
            "La Cellule Licences a besoin d'informations complémentaires sur la demande "
            "{reference}. Connectez-vous pour lire la demande et y répondre : {url}\n\n"
            "Répondez au plus tard le {due} : sans réponse à cette date, la demande est "
            "clôturée automatiquement et vous devrez introduire une nouvelle demande.",
        ),
        "nl": (
            "Informatie gevraagd over aanvraag {reference}",
            "De Cel Vergunningen heeft meer informatie nodig over aanvraag {reference}. "
            "Meld u aan om het verzoek te lezen en te beantwoorden: {url}\n\n"
            "Antwoord uiterlijk op {due}: zonder antwoord tegen dan wordt de aanvraag "
            "automatisch afgesloten en moet u een nieuwe aanvraag indienen.",
        ),
    },
    "licence_suspended": {
        "en": (
            "Licence {reference} suspended",
            "Licence {reference} is suspended. No goods may be shipped under it until it is reinstated. Details: {url}",
        ),
        "fr": (
            "Licence {reference} suspendue",
            "La licence {reference} est suspendue. Aucun bien ne peut être expédié sous son couvert jusqu'à sa réactivation. Détails : {url}",
        ),
        "nl": (
            "Vergunning {reference} geschorst",
            "Vergunning {reference} is geschorst. Er mogen geen goederen onder worden verzonden tot ze opnieuw geldt. Details: {url}",
        ),
    },
    "licence_revoked": {
        "en": (
            "Licence {reference} revoked",
            "Licence {reference} is revoked: no goods may be shipped under it any more. The reasons are on your file: {url}",
        ),
        "fr": (
            "Licence {reference} retirée",
            "La licence {reference} est retirée : plus aucun bien ne peut être expédié sous son couvert. Les motifs figurent dans votre dossier : {url}",
        ),
        "nl": (
            "Vergunning {reference} ingetrokken",
            "Vergunning {reference} is ingetrokken: er mogen geen goederen meer onder worden verzonden. De redenen staan in uw dossier: {url}",
        ),
    },
    "licence_reinstated": {
        "en": (
            "Licence {reference} reinstated",
            "Licence {reference} is valid again. Details: {url}",
        ),
        "fr": (
            "Licence {reference} réactivée",
            "La licence {reference} est à nouveau valable. Détails : {url}",
        ),
        "nl": (
            "Vergunning {reference} opnieuw geldig",
            "Vergunning {reference} is opnieuw geldig. Details: {url}",
        ),
    },
    "request_lapsed": {
        "en": (
            "Application {reference} closed",
            "Application {reference} is closed: the information requested was not provided in time. You may file a new application. {url}",
        ),
        "fr": (
            "Demande {reference} clôturée",
            "La demande {reference} est clôturée : les informations demandées n'ont pas été fournies à temps. Vous pouvez introduire une nouvelle demande. {url}",
        ),
        "nl": (
            "Aanvraag {reference} afgesloten",
            "Aanvraag {reference} is afgesloten: de gevraagde informatie werd niet tijdig bezorgd. U kunt een nieuwe aanvraag indienen. {url}",
        ),
    },
    "return_due": {
        "en": (
            "Goods to bring back under {reference}",
            "Goods exported temporarily under {reference} must be back in Belgium within one year of their shipment. Record their return: {url}",
        ),
        "fr": (
            "Biens à rapatrier sous {reference}",
            "Les biens exportés temporairement sous {reference} doivent revenir en Belgique dans l'année de leur expédition. Enregistrez leur retour : {url}",
        ),
        "nl": (
            "Terug te brengen goederen onder {reference}",
            "Goederen die tijdelijk werden uitgevoerd onder {reference} moeten binnen een jaar na verzending terug in België zijn. Registreer hun terugkeer: {url}",
        ),
    },
    "decision_ready": {
        "en": (
            "Decision on application {reference}",
            "The decision on application {reference} is available. Log in to download it: {url}",
        ),
        "fr": (
            "Décision sur la demande {reference}",
            "La décision sur la demande {reference} est disponible. "
            "Connectez-vous pour la télécharger : {url}",
        ),
        "nl": (
            "Beslissing over aanvraag {reference}",
            "De beslissing over aanvraag {reference} is beschikbaar. "
            "Meld u aan om ze te downloaden: {url}",
        ),
    },
}


# The history record each event's e-mail reports: its id tells one occurrence of the event from
# the next (a second information request on the same file is another e-mail), while enqueueing
# the same occurrence again finds the same key and sends nothing.
EVENT_RECORDS = {
    "submitted": "submit",
    "information_requested": "request_information",
    "licence_suspended": "licence_suspended",
    "licence_reinstated": "licence_reinstated",
    "licence_revoked": "revoke",
    "request_lapsed": "lapse",
    "decision_ready": "decision_document_stored",
}


def applicant_recipients(*, application: PermitApplication, event: str) -> list[str]:
    """The addresses the ``event`` e-mail goes to: the organisation's active members (those
    who read decisions, for a decision)."""
    return _member_emails(
        application.organisation, right="see_decisions" if event == "decision_ready" else None
    )


def applicant_notification_enqueue(
    *,
    application: PermitApplication,
    event: str,
    occurrence: str | int = "",
    recipients: list[str] | None = None,
    fresh: bool = False,
) -> list[OutboxMessage]:
    """Write the ``event`` e-mail, in the organisation's language, to each active member with
    an address; call it inside the transaction of the action it reports.

    ``occurrence`` names this occurrence of the event on the file; the idempotency key of each
    e-mail is ``"<event>:<application id>:<occurrence>:<recipient>"``. Pass the id of the
    history record the action wrote, or for a reminder (which writes none) the reminder's own
    key, e.g. ``"reminder:<pause id>:<day>"``: without it a reminder would share the request's
    key and never be sent. Left empty, it is the id of the file's latest history record, which
    must be of the event's kind (``EVENT_RECORDS``): call it right after writing that record.

    ``recipients`` (``applicant_recipients``) and ``fresh`` (the occurrence is a record written
    in this transaction, so no e-mail has its key yet) let the submission read the addresses
    before it draws its reference number and write the e-mails in one INSERT after it.
    """
    if not occurrence:
        occurrence = _record_just_written(application, event)
    subject, body = _applicant_message(application, event)
    return outbox_email_enqueue(
        key_prefix=f"{event}:{application.pk}:{occurrence}",
        recipients=recipients
        if recipients is not None
        else applicant_recipients(application=application, event=event),
        subject=subject,
        body=body,
        concerns=application.url_key,
        fresh=fresh,
    )


def applicant_notification_messages(
    *, application: PermitApplication, event: str, occurrence: str | int, recipients: list[str]
) -> list[OutboxMessage]:
    """The e-mails ``applicant_notification_enqueue(..., fresh=True)`` writes, unsaved: the
    submission inserts them in one statement with its history records (then calls
    ``outbox.services.outbox_delivery_after_commit`` with their ids)."""
    subject, body = _applicant_message(application, event)
    return outbox_messages_fresh(
        key_prefix=f"{event}:{application.pk}:{occurrence}",
        recipients=recipients,
        subject=subject,
        body=body,
        concerns=application.url_key,
    )


def _applicant_message(application: PermitApplication, event: str) -> tuple[str, str]:
    organisation = application.organisation
    subject, body = MESSAGES[event].get(organisation.language, MESSAGES[event]["en"])
    context = {"reference": application.reference, "url": _application_url(application)}
    if event == "information_requested":
        # The request and its reminders say by when to answer, in the reader's date format.
        with translation.override(organisation.language):
            context["due"] = _date(rules.information_request_due_on(application))
    return subject.format(**context), body.format(**context)


def staff_email_enqueue(
    *, key: str, recipients: Iterable[str], subject: str, body: str, concerns: str = ""
) -> list[OutboxMessage]:
    """Write an e-mail to the unit's staff, one row per recipient keyed ``"<key>:<recipient>"``;
    call it inside a transaction. ``key`` names the occurrence (the reminder point, the date)."""
    return outbox_email_enqueue(
        key_prefix=key, recipients=recipients, subject=subject, body=body, concerns=concerns
    )


def decision_document_failed_enqueue(
    *, decision: Decision, recipients: Iterable[str]
) -> list[OutboxMessage]:
    """The heads of unit are told once that a decision's document cannot be produced."""
    application = decision.application
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Decision document failed: %(reference)s") % {
            "reference": application.reference
        }
        body = _(
            "The decision document of %(reference)s could not be produced and will not be "
            "retried: %(error)s. Fix the cause, then use “Render the document again” on the "
            "decision in the admin."
        ) % {"reference": application.reference, "error": decision.document_failure}
    return staff_email_enqueue(
        key=f"decision_document_failed:{decision.pk}:{decision.document_failed_at.isoformat()}",
        recipients=recipients,
        subject=subject,
        body=body,
        concerns=application.url_key,
    )


def case_manager_reminder_enqueue(
    *, application: PermitApplication, recipient: str, point: int, days_left: int
) -> list[OutboxMessage]:
    """The case manager is reminded ``point`` days before the decision deadline, once."""
    with translation.override(settings.LANGUAGE_CODE):
        due_on = _date(application.decision_due_on)
        subject = _("%(reference)s: decision due on %(due_on)s") % {
            "reference": application.reference,
            "due_on": due_on,
        }
        body = ngettext(
            "File %(reference)s must be decided by %(due_on)s (%(days)d day left).",
            "File %(reference)s must be decided by %(due_on)s (%(days)d days left).",
            days_left,
        ) % {"reference": application.reference, "due_on": due_on, "days": days_left}
    return staff_email_enqueue(
        key=f"case_manager_reminder:{application.pk}:{point}:{application.decision_due_on}",
        recipients=[recipient],
        subject=subject,
        body=body,
        concerns=application.url_key,
    )


def reference_freshness_enqueue(
    *, recipients: Iterable[str], warnings: list[str], today: date
) -> list[OutboxMessage]:
    """The heads of unit are told, once a day while it lasts, that reference data is stale."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Reference data to review (%(day)s)") % {"day": _date(today)}
        body = "\n".join(
            [_("These reference lists may be out of date:"), *[f"- {w}" for w in warnings]]
        )
    return staff_email_enqueue(
        key=f"reference_freshness:{today.isoformat()}",
        recipients=recipients,
        subject=subject,
        body=body,
    )


def overdue_escalation_enqueue(
    *, application: PermitApplication, recipients: Iterable[str]
) -> list[OutboxMessage]:
    """The heads of unit are told once that a file passed its decision deadline."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Overdue: %(reference)s") % {"reference": application.reference}
        body = _("File %(reference)s was due on %(due_on)s and is %(status)s.") % {
            "reference": application.reference,
            "due_on": _date(application.decision_due_on),
            "status": str(application.get_status_display()).lower(),
        }
    return staff_email_enqueue(
        key=f"escalation:{application.pk}:{application.decision_due_on}",
        recipients=recipients,
        subject=subject,
        body=body,
        concerns=application.url_key,
    )


def return_overdue_enqueue(
    *,
    application: PermitApplication,
    line: ShipmentLine,
    outstanding: Decimal,
    due_on: date,
    recipients: Iterable[str],
) -> list[OutboxMessage]:
    """The unit is told once that temporarily exported goods (a shipment ``line``) are not
    back by ``due_on``."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Goods not returned: %(reference)s") % {"reference": application.reference}
        body = _(
            "%(quantity)s %(unit)s of %(description)s shipped on %(shipped_on)s under "
            "%(reference)s were due back on %(due_on)s."
        ) % {
            "quantity": f"{outstanding:f}",
            "unit": line.licence_line.unit,
            "description": line.licence_line.description,
            "shipped_on": _date(line.shipment.shipped_on),
            "reference": application.reference,
            "due_on": _date(due_on),
        }
    return staff_email_enqueue(
        key=f"return_overdue:{application.pk}:{line.pk}:{due_on}",
        recipients=recipients,
        subject=subject,
        body=body,
        concerns=application.url_key,
    )


def _record_just_written(application: PermitApplication, event: str) -> int:
    # Only the latest record will do: an older one of the same kind is the previous occurrence,
    # whose key would silently swallow this e-mail.
    record = application.history.order_by("-pk").first()
    if record is None or record.transition != EVENT_RECORDS.get(event):
        raise ValueError(
            f"The latest history record of application {application.pk} is not the one this "
            f"{event!r} e-mail reports: pass occurrence."
        )
    return record.pk


def _member_emails(organisation: ApplicantOrganisation, right: str | None = None) -> list[str]:
    """The active members' addresses; only those holding ``right`` when one is named (a
    decision is announced to those who may read it)."""
    members = organisation.members.filter(is_active=True)
    if right is not None:
        members = members.filter(
            organisation_memberships__organisation=organisation,
            **{f"organisation_memberships__{right}": True},
        )
    return list(members.exclude(email="").order_by("pk").values_list("email", flat=True))


def _application_url(application: PermitApplication) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/applications/{application.url_key}/"


def _date(value: date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


INVITATION_MESSAGES = {
    "en": (
        "Invitation to act for {organisation}",
        "{inviter} invites you to act for {organisation} on the licence portal of Brussels "
        "International (arms, military and dual-use goods).\n\n"
        "Accept the invitation here, before {expires}: {url}\n\n"
        "The link serves once. If you did not expect this invitation, ignore this e-mail.",
    ),
    "fr": (
        "Invitation à agir pour {organisation}",
        "{inviter} vous invite à agir pour {organisation} sur le portail des licences de "
        "Brussels International (armes, biens militaires et à double usage).\n\n"
        "Acceptez l'invitation ici, avant le {expires} : {url}\n\n"
        "Le lien ne sert qu'une fois. Si vous n'attendiez pas cette invitation, ignorez ce "
        "message.",
    ),
    "nl": (
        "Uitnodiging om op te treden voor {organisation}",
        "{inviter} nodigt u uit om op te treden voor {organisation} op het vergunningenportaal "
        "van Brussels International (wapens, militaire goederen en goederen voor tweeërlei "
        "gebruik).\n\n"
        "Aanvaard de uitnodiging hier, vóór {expires}: {url}\n\n"
        "De link werkt één keer. Verwachtte u deze uitnodiging niet, negeer dan deze e-mail.",
    ),
}


def invitation_email_enqueue(
    *, invitation: OrganisationInvitation, token: str
) -> list[OutboxMessage]:
    """The invitation, in the invitee's language, to the address invited; call it in the
    transaction that creates the invitation."""
    subject, body = INVITATION_MESSAGES.get(invitation.language, INVITATION_MESSAGES["en"])
    with translation.override(invitation.language):
        expires = formats.date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT")
    inviter = invitation.invited_by.get_full_name() or invitation.invited_by.get_username()
    context = {
        "organisation": invitation.organisation.legal_name,
        "inviter": inviter,
        "expires": expires,
        "url": f"{settings.PUBLIC_BASE_URL.rstrip('/')}/organisations/invitations/{token}/",
    }
    return outbox_email_enqueue(
        key_prefix=f"organisation_invitation:{invitation.pk}",
        recipients=[invitation.email],
        subject=subject.format(**context),
        body=body.format(**context),
        concerns=invitation.organisation.enterprise_number,
    )


CUSTOMS_DECREMENT_MESSAGES = {
    "en": (
        "Licence {licence}: customs declaration {declaration}",
        "Customs office {office} cleared declaration {declaration} of {declared_on} against "
        "line {line} of licence {licence} ({description}): {quantity} {unit}, {value} "
        "{currency}.\n\n"
        "Left on this line: {remaining_quantity} {unit}, {remaining_value} {currency}.\n\n"
        "Details: {url}",
    ),
    "fr": (
        "Licence {licence} : déclaration en douane {declaration}",
        "Le bureau de douane {office} a apuré la déclaration {declaration} du {declared_on} "
        "sur la ligne {line} de la licence {licence} ({description}) : {quantity} {unit}, "
        "{value} {currency}.\n\n"
        "Solde restant sur cette ligne : {remaining_quantity} {unit}, {remaining_value} "
        "{currency}.\n\n"
        "Détails : {url}",
    ),
    "nl": (
        "Vergunning {licence}: douaneaangifte {declaration}",
        "Douanekantoor {office} heeft aangifte {declaration} van {declared_on} aangezuiverd "
        "op lijn {line} van vergunning {licence} ({description}): {quantity} {unit}, {value} "
        "{currency}.\n\n"
        "Resterend saldo op deze lijn: {remaining_quantity} {unit}, {remaining_value} "
        "{currency}.\n\n"
        "Details: {url}",
    ),
}


def _member_languages(organisation: ApplicantOrganisation, right: str) -> dict[str, str]:
    """Each active member holding ``right``, by address, with the language they read: the one
    they were invited in (the latest invitation they accepted), else the organisation's."""
    members = organisation.members.filter(
        is_active=True,
        organisation_memberships__organisation=organisation,
        **{f"organisation_memberships__{right}": True},
    ).exclude(email="")
    invited_in = dict(
        OrganisationInvitation.objects.filter(organisation=organisation, accepted_by__in=members)
        .order_by("accepted_at")
        .values_list("accepted_by_id", "language")
    )
    return {
        email: invited_in.get(pk, organisation.language)
        for pk, email in members.order_by("pk").values_list("pk", "email")
    }


def customs_decrement_enqueue(
    *,
    shipment_line: ShipmentLine,
    position: int,
    remaining_quantity: Decimal,
    remaining_value: Decimal,
    currency: str,
) -> list[OutboxMessage]:
    """Tell the holder's members who read decisions, each in their language, that customs drew
    on a licence line; call it in the decrement's transaction. Only what the declaration and
    the licence say: nothing of the file's staff-only side."""
    shipment = shipment_line.shipment
    licence = shipment.licence
    application = licence.application
    line = shipment_line.licence_line
    written: list[OutboxMessage] = []
    for email, language in _member_languages(application.organisation, "see_decisions").items():
        subject, body = CUSTOMS_DECREMENT_MESSAGES.get(language, CUSTOMS_DECREMENT_MESSAGES["en"])
        with translation.override(language):
            declared_on = _date(shipment.shipped_on)
        context = {
            "licence": licence.number,
            "line": position,
            "description": line.description,
            "declaration": shipment.customs_reference,
            "declared_on": declared_on,
            "office": shipment.customs_office,
            "quantity": f"{shipment_line.quantity.normalize():f}",
            "value": f"{shipment_line.value:f}",
            "unit": line.unit,
            "currency": currency,
            "remaining_quantity": f"{remaining_quantity.normalize():f}",
            "remaining_value": f"{remaining_value:f}",
            "url": _application_url(application),
        }
        written += outbox_email_enqueue(
            key_prefix=f"customs_decrement:{shipment_line.pk}",
            recipients=[email],
            subject=subject.format(**context),
            body=body.format(**context),
            concerns=application.url_key,
        )
    return written
