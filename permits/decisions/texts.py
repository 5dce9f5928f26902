"""Wording of decision documents in the applicant's language (fr, nl, en).

Legal texts are kept here as whole sentences per language rather than as interface strings:
a lawyer reviews each version as a unit.
"""

from __future__ import annotations

from django.conf import settings

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "eori": "EORI",
        "model_form": "Export authorisation — model of Regulation (EU) 2021/821, Annex IIIa",
        "signature": "Signature",
        "region": "Brussels-Capital Region",
        "authority": "Brussels International — Permits unit",
        "address": "Boulevard du Jardin Botanique 20, 1035 Brussels",
        "licence_title": "Licence",
        "refusal_title": "Refusal of a licence application",
        "licence_number": "Licence number",
        "application_number": "Application number",
        "verification_code": "Verification code",
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
        "eori": "EORI",
        "model_form": "Autorisation d'exportation — modèle du règlement (UE) 2021/821, annexe III bis",
        "signature": "Signature",
        "region": "Région de Bruxelles-Capitale",
        "authority": "Brussels International — Cellule Licences",
        "address": "Boulevard du Jardin Botanique 20, 1035 Bruxelles",
        "licence_title": "Licence",
        "refusal_title": "Refus d'une demande de licence",
        "licence_number": "Numéro de licence",
        "application_number": "Numéro de demande",
        "verification_code": "Code de vérification",
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
        "eori": "EORI",
        "model_form": "Uitvoervergunning — model van Verordening (EU) 2021/821, bijlage III bis",
        "signature": "Handtekening",
        "region": "Brussels Hoofdstedelijk Gewest",
        "authority": "Brussels International — Cel Vergunningen",
        "address": "Kruidtuinlaan 20, 1035 Brussel",
        "licence_title": "Vergunning",
        "refusal_title": "Weigering van een vergunningsaanvraag",
        "licence_number": "Vergunningsnummer",
        "application_number": "Aanvraagnummer",
        "verification_code": "Verificatiecode",
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


# The numbered boxes of the model form for individual or global export authorisations,
# Regulation (EU) 2021/821, Annex IIIa (Annex III, part A), in the order and with the numbers of
# the Regulation. Boxes 13 to 18 repeat per goods line (the goods table's columns). The
# Regulation's own wording, shortened where the form's explanatory brackets do not fit a cell.
BOX_TITLES: dict[str, dict[int, str]] = {
    "en": {
        1: "1. Exporter",
        2: "2. Identification number",
        3: "3. Expiry date",
        4: "4. Contact point details",
        5: "5. Consignee",
        6: "6. Issuing authority",
        7: "7. Agent/representative (if different from exporter)",
        8: "8. Country of export",
        9: "9. End-user (if different from the consignee)",
        10: "10. Member State where the items are located or will be located",
        11: "11. Member State where the items will be placed under the customs export procedure",
        12: "12. Country of final destination",
        13: "13. Description of items",
        14: "14. Country of origin",
        15: "15. Commodity code (CN, 8 digits)",
        16: "16. Control list No",
        17: "17. Currency and value",
        18: "18. Quantity",
        19: "19. End-use",
        20: "20. Date of contract (if applicable)",
        21: "21. Customs export procedure",
        22: "22. Further information required by national legislation",
    },
    "fr": {
        1: "1. Exportateur",
        2: "2. Numéro d'identification",
        3: "3. Date d'expiration",
        4: "4. Coordonnées du point de contact",
        5: "5. Destinataire",
        6: "6. Autorité de délivrance",
        7: "7. Agent/représentant (s'il ne s'agit pas de l'exportateur)",
        8: "8. Pays d'exportation",
        9: "9. Utilisateur final (s'il ne s'agit pas du destinataire)",
        10: "10. État membre où les biens se trouvent ou se trouveront",
        11: "11. État membre où les biens seront placés sous le régime douanier de l'exportation",
        12: "12. Pays de destination finale",
        13: "13. Description des biens",
        14: "14. Pays d'origine",
        15: "15. Code des marchandises (NC, 8 chiffres)",
        16: "16. N° sur la liste de contrôle",
        17: "17. Monnaie et valeur",
        18: "18. Quantité",
        19: "19. Utilisation finale",
        20: "20. Date du contrat (le cas échéant)",
        21: "21. Régime douanier d'exportation",
        22: "22. Informations complémentaires requises par la législation nationale",
    },
    "nl": {
        1: "1. Exporteur",
        2: "2. Identificatienummer",
        3: "3. Vervaldatum",
        4: "4. Contactpunt",
        5: "5. Geadresseerde",
        6: "6. Afgevende instantie",
        7: "7. Agent/vertegenwoordiger (indien niet de exporteur)",
        8: "8. Land van uitvoer",
        9: "9. Eindgebruiker (indien niet de geadresseerde)",
        10: "10. Lidstaat waar de producten zich bevinden of zullen bevinden",
        11: "11. Lidstaat waar de producten onder de douaneregeling uitvoer worden geplaatst",
        12: "12. Land van eindbestemming",
        13: "13. Omschrijving van de producten",
        14: "14. Land van oorsprong",
        15: "15. Goederencode (GN, 8 cijfers)",
        16: "16. Nummer op de controlelijst",
        17: "17. Valuta en waarde",
        18: "18. Hoeveelheid",
        19: "19. Eindgebruik",
        20: "20. Datum van het contract (indien van toepassing)",
        21: "21. Douaneregeling uitvoer",
        22: "22. Aanvullende informatie vereist door de nationale wetgeving",
    },
}


def texts_for(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["en"])


def box_titles(language: str) -> dict[int, str]:
    return BOX_TITLES.get(language, BOX_TITLES["en"])


def appeal_route(language: str) -> list[str]:
    """The appeal paragraphs of a refusal letter, as plain text.

    The Council of State route (annulment and suspension, 60 days) is public law and is the
    default. Whether an administrative appeal to the Government precedes it for these licences
    is not in the public record: ``DECISION_APPEAL_ROUTE`` (a dict of language → list of
    paragraphs) replaces the default once the unit's lawyers have confirmed the route.
    """
    configured = getattr(settings, "DECISION_APPEAL_ROUTE", None) or {}
    if configured:
        return list(configured.get(language) or configured.get("en") or [])
    return [texts_for(language)["appeal_text"]]


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
