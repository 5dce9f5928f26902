"""E-mails to an applicant organisation's members, in the organisation's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail

from .models import PermitApplication

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
            "Log in to read the request and answer it: {url}",
        ),
        "fr": (
            "Informations demandées pour la demande {reference}",
            "La Cellule Licences a besoin d'informations complémentaires sur la demande "
            "{reference}. Connectez-vous pour lire la demande et y répondre : {url}",
        ),
        "nl": (
            "Informatie gevraagd over aanvraag {reference}",
            "De Cel Vergunningen heeft meer informatie nodig over aanvraag {reference}. "
            "Meld u aan om het verzoek te lezen en te beantwoorden: {url}",
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


def notify_applicant(*, application_id: int, event: str) -> int:
    """Send the ``event`` message to every active member; returns the number of e-mails sent."""
    application = PermitApplication.objects.select_related("organisation").get(pk=application_id)
    organisation = application.organisation
    subject, body = MESSAGES[event].get(organisation.language, MESSAGES[event]["en"])
    url = f"{settings.PUBLIC_BASE_URL.rstrip('/')}/applications/{application.url_key}/"
    context = {"reference": application.reference, "url": url}
    recipients = [
        member.email for member in organisation.members.filter(is_active=True).exclude(email="")
    ]
    messages = [
        (subject.format(**context), body.format(**context), settings.DEFAULT_FROM_EMAIL, [to])
        for to in recipients
    ]
    return send_mass_mail(messages, fail_silently=False)
