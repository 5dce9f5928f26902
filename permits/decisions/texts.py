"""Wording of decision documents in the applicant's language (fr, nl, en).

Legal texts are kept here as whole sentences per language rather than as interface strings:
a lawyer reviews each version as a unit.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "region": "Brussels-Capital Region",
        "authority": "Brussels International — Permits unit",
        "address": "Boulevard du Jardin Botanique 20, 1035 Brussels",
        "licence_title": "Licence",
        "refusal_title": "Refusal of a licence application",
        "licence_number": "Licence number",
        "application_number": "Application number",
        "licence_type": "Licence type",
        "kind": "Operation",
        "regime": "Regime",
        "holder": "Holder",
        "enterprise_number": "Enterprise number",
        "consignor": "Consignor",
        "consignee": "Consignee",
        "end_user": "End-user",
        "intermediary": "Intermediary",
        "origin": "Country of origin",
        "destination": "Country of destination",
        "transit": "Transit countries",
        "none": "none",
        "goods": "Goods",
        "description": "Description",
        "control_entry": "Control-list entry",
        "quantity": "Quantity",
        "value": "Value",
        "total": "Total",
        "validity": "Validity",
        "valid_from_to": "from {start} to {end} inclusive",
        "conditions": "Conditions",
        "condition_end_use": "The goods may be used only for the declared end use: {end_use}",
        "condition_reexport": (
            "The goods may not be re-exported, transferred or diverted without the prior written "
            "authorisation of the Brussels-Capital Region."
        ),
        "condition_report": "The holder reports each use of this licence to the Permits unit.",
        "legal_basis": "Legal basis",
        "legal_military": (
            "Ordinance of 20 June 2013 on the import, export, transit and transfer of "
            "defence-related products, other material usable for military purposes, "
            "law-enforcement material, civilian firearms, their parts, accessories and "
            "ammunition, and its implementing decree of 3 April 2014."
        ),
        "legal_dual_use": (
            "Regulation (EU) 2021/821 of the European Parliament and of the Council of 20 May 2021 "
            "setting up a Union regime for the control of exports, brokering, technical "
            "assistance, transit and transfer of dual-use items."
        ),
        "decided_by": "Decided by",
        "government": "Decision of the Brussels-Capital Region Government: {reference}",
        "notified_by": "Notified by",
        "head_title": "Head of the Permits unit, Brussels International",
        "issued_on": "Issued in Brussels on {date}",
        "verify": "Check this document at {url}",
        "signed_note": "This document carries an electronic signature of Brussels International.",
        "unsigned_note": (
            "This document is NOT electronically signed. Check its authenticity at the address "
            "above."
        ),
        "page": "Page {page} of {pages}",
        "refusal_intro": (
            "Brussels International has examined application {reference} of {holder} and "
            "refuses the licence requested for the goods listed below."
        ),
        "grounds": "Grounds of the refusal (criteria relied on)",
        "criterion": "Criterion",
        "appeal": "How to appeal",
        "appeal_text": (
            "This decision may be challenged by an application for annulment, possibly with a "
            "request for suspension, before the Council of State (Conseil d'État / Raad van "
            "State), rue de la Science 33, 1040 Brussels, within 60 days of its notification."
        ),
    },
    "fr": {
        "region": "Région de Bruxelles-Capitale",
        "authority": "Brussels International — Cellule Licences",
        "address": "Boulevard du Jardin Botanique 20, 1035 Bruxelles",
        "licence_title": "Licence",
        "refusal_title": "Refus d'une demande de licence",
        "licence_number": "Numéro de licence",
        "application_number": "Numéro de demande",
        "licence_type": "Type de licence",
        "kind": "Opération",
        "regime": "Régime",
        "holder": "Titulaire",
        "enterprise_number": "Numéro d'entreprise",
        "consignor": "Expéditeur",
        "consignee": "Destinataire",
        "end_user": "Utilisateur final",
        "intermediary": "Intermédiaire",
        "origin": "Pays d'origine",
        "destination": "Pays de destination",
        "transit": "Pays de transit",
        "none": "aucun",
        "goods": "Biens",
        "description": "Description",
        "control_entry": "Rubrique de la liste de contrôle",
        "quantity": "Quantité",
        "value": "Valeur",
        "total": "Total",
        "validity": "Validité",
        "valid_from_to": "du {start} au {end} inclus",
        "conditions": "Conditions",
        "condition_end_use": "Les biens ne peuvent servir qu'à l'utilisation finale déclarée : {end_use}",
        "condition_reexport": (
            "Les biens ne peuvent être réexportés, transférés ou détournés sans l'autorisation "
            "écrite préalable de la Région de Bruxelles-Capitale."
        ),
        "condition_report": "Le titulaire déclare chaque utilisation de la licence à la Cellule Licences.",
        "legal_basis": "Base légale",
        "legal_military": (
            "Ordonnance du 20 juin 2013 relative à l'importation, à l'exportation, au transit et "
            "au transfert de produits liés à la défense, d'autre matériel pouvant servir à un "
            "usage militaire, de matériel lié au maintien de l'ordre, d'armes à feu à usage "
            "civil, de leurs pièces, accessoires et munitions, et son arrêté d'exécution du "
            "3 avril 2014."
        ),
        "legal_dual_use": (
            "Règlement (UE) 2021/821 du Parlement européen et du Conseil du 20 mai 2021 "
            "instituant un régime de l'Union de contrôle des exportations, du courtage, de "
            "l'assistance technique, du transit et des transferts en ce qui concerne les biens "
            "à double usage."
        ),
        "decided_by": "Décision prise par",
        "government": "Décision du Gouvernement de la Région de Bruxelles-Capitale : {reference}",
        "notified_by": "Notifiée par",
        "head_title": "Chef de la Cellule Licences, Brussels International",
        "issued_on": "Délivré à Bruxelles le {date}",
        "verify": "Vérifiez ce document sur {url}",
        "signed_note": "Ce document porte une signature électronique de Brussels International.",
        "unsigned_note": (
            "Ce document n'est PAS signé électroniquement. Vérifiez son authenticité à "
            "l'adresse ci-dessus."
        ),
        "page": "Page {page} sur {pages}",
        "refusal_intro": (
            "Brussels International a examiné la demande {reference} de {holder} et refuse la "
            "licence demandée pour les biens énumérés ci-dessous."
        ),
        "grounds": "Motifs du refus (critères retenus)",
        "criterion": "Critère",
        "appeal": "Voies de recours",
        "appeal_text": (
            "Cette décision peut faire l'objet d'un recours en annulation, éventuellement "
            "assorti d'une demande de suspension, devant le Conseil d'État, rue de la Science 33, "
            "1040 Bruxelles, dans les 60 jours de sa notification."
        ),
    },
    "nl": {
        "region": "Brussels Hoofdstedelijk Gewest",
        "authority": "Brussels International — Cel Vergunningen",
        "address": "Kruidtuinlaan 20, 1035 Brussel",
        "licence_title": "Vergunning",
        "refusal_title": "Weigering van een vergunningsaanvraag",
        "licence_number": "Vergunningsnummer",
        "application_number": "Aanvraagnummer",
        "licence_type": "Type vergunning",
        "kind": "Verrichting",
        "regime": "Regime",
        "holder": "Houder",
        "enterprise_number": "Ondernemingsnummer",
        "consignor": "Afzender",
        "consignee": "Geadresseerde",
        "end_user": "Eindgebruiker",
        "intermediary": "Tussenpersoon",
        "origin": "Land van oorsprong",
        "destination": "Land van bestemming",
        "transit": "Doorvoerlanden",
        "none": "geen",
        "goods": "Goederen",
        "description": "Omschrijving",
        "control_entry": "Rubriek van de controlelijst",
        "quantity": "Hoeveelheid",
        "value": "Waarde",
        "total": "Totaal",
        "validity": "Geldigheid",
        "valid_from_to": "van {start} tot en met {end}",
        "conditions": "Voorwaarden",
        "condition_end_use": "De goederen mogen enkel voor het opgegeven eindgebruik dienen: {end_use}",
        "condition_reexport": (
            "De goederen mogen niet worden heruitgevoerd, overgebracht of omgeleid zonder "
            "voorafgaande schriftelijke toestemming van het Brussels Hoofdstedelijk Gewest."
        ),
        "condition_report": "De houder meldt elk gebruik van deze vergunning aan de Cel Vergunningen.",
        "legal_basis": "Rechtsgrond",
        "legal_military": (
            "Ordonnantie van 20 juni 2013 betreffende de invoer, uitvoer, doorvoer en overbrenging "
            "van defensiegerelateerde producten, ander voor militair gebruik dienstig materiaal, "
            "ordehandhavingsmateriaal, civiele vuurwapens, onderdelen, toebehoren en munitie "
            "ervan, en haar uitvoeringsbesluit van 3 april 2014."
        ),
        "legal_dual_use": (
            "Verordening (EU) 2021/821 van het Europees Parlement en de Raad van 20 mei 2021 tot "
            "instelling van een Unieregeling voor controle op de uitvoer, de tussenhandel, de "
            "technische bijstand, de doorvoer en de overbrenging van producten voor tweeërlei "
            "gebruik."
        ),
        "decided_by": "Beslist door",
        "government": "Beslissing van de Brusselse Hoofdstedelijke Regering: {reference}",
        "notified_by": "Betekend door",
        "head_title": "Hoofd van de Cel Vergunningen, Brussels International",
        "issued_on": "Afgegeven te Brussel op {date}",
        "verify": "Controleer dit document op {url}",
        "signed_note": "Dit document draagt een elektronische handtekening van Brussels International.",
        "unsigned_note": (
            "Dit document is NIET elektronisch ondertekend. Controleer de echtheid op het adres "
            "hierboven."
        ),
        "page": "Pagina {page} van {pages}",
        "refusal_intro": (
            "Brussels International heeft aanvraag {reference} van {holder} onderzocht en weigert "
            "de gevraagde vergunning voor de hieronder vermelde goederen."
        ),
        "grounds": "Gronden van de weigering (ingeroepen criteria)",
        "criterion": "Criterium",
        "appeal": "Beroepsmogelijkheden",
        "appeal_text": (
            "Tegen deze beslissing kan binnen 60 dagen na de kennisgeving een beroep tot "
            "nietigverklaring, eventueel met een vordering tot schorsing, worden ingesteld bij de "
            "Raad van State, Wetenschapsstraat 33, 1040 Brussel."
        ),
    },
}


def texts_for(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["en"])


# Decisions per goods line: the refused lines a refusal letter or a partial licence lists.
LINE_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "refused_lines": "Goods refused",
        "partial_note": (
            "This licence is granted in part: it covers only the goods and quantities listed "
            "above. The goods below are refused."
        ),
        "requested": "requested",
        "criteria_cited": "criteria relied on",
    },
    "fr": {
        "refused_lines": "Biens refusés",
        "partial_note": (
            "Cette licence est accordée en partie : elle ne couvre que les biens et quantités "
            "énumérés ci-dessus. Les biens ci-dessous sont refusés."
        ),
        "requested": "demandé",
        "criteria_cited": "critères invoqués",
    },
    "nl": {
        "refused_lines": "Geweigerde goederen",
        "partial_note": (
            "Deze vergunning wordt gedeeltelijk verleend: ze dekt alleen de hierboven vermelde "
            "goederen en hoeveelheden. De onderstaande goederen worden geweigerd."
        ),
        "requested": "gevraagd",
        "criteria_cited": "ingeroepen criteria",
    },
}
